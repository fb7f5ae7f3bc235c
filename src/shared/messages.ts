// The messages between the extension host and the webview, declared once and imported by both sides.
// Host -> webview messages are notifications; webview -> host messages are commands.
import type { GraphEvent, GraphSnapshot, RunSummary } from '../core/graph/types';
import type { OrientationSetting } from '../core/render/orientation';

export interface RunInfo {
  runId: string;
  technique: string;
  techniqueName: string;
  model: string;
  input: string;
  params: Record<string, unknown>;
  startedAt: number;
  /** Shown in the header: what kind of run this is when it is not a live one (the recorded sample). */
  note?: string;
}

/** Focus: `auto` turns it on in a narrow panel; `on` and `off` decide for every panel. */
export type FocusSetting = 'auto' | 'on' | 'off';

/** Where the panel is: the side bar's view, or an editor tab (the same live graph at full width). */
export type GraphSurface = 'sidebar' | 'editor';

/** The graph settings (thoughtscope.graph.*) as the panel gets them. */
export interface GraphViewSettings {
  orientation: OrientationSetting;
  focus: FocusSetting;
  surface: GraphSurface;
}

export type HostToWebview =
  /** A new run began: the webview clears its graph and shows this run. */
  | { type: 'runStarted'; run: RunInfo }
  /** Graph changes, batched (the host flushes at most every ~50 ms). */
  | { type: 'graphEvents'; runId: string; events: GraphEvent[] }
  /** The whole current run, sent when the view is (re)created so nothing computed is lost. */
  | { type: 'restore'; run: RunInfo; graph: GraphSnapshot; summary?: RunSummary }
  /** A problem to show in the panel (bad configuration, unreachable server). */
  | { type: 'error'; message: string }
  /** Asks for the drawn graph of `runId` as an image; the webview answers with `exportImageResult`. */
  | { type: 'exportImage'; requestId: string; runId: string; format: ImageFormat }
  /** The graph settings, sent before the first restore and whenever they change. */
  | { type: 'viewSettings'; settings: GraphViewSettings };

/** Image formats the webview can export the drawn graph as. */
export type ImageFormat = 'svg' | 'png';

/** The webview's answer to `exportImage`: the standalone SVG text, or the PNG's bytes in base64. */
export type ImageExportResult =
  | { type: 'exportImageResult'; requestId: string; format: ImageFormat; ok: true; data: string; width: number; height: number }
  | { type: 'exportImageResult'; requestId: string; format: ImageFormat; ok: false; error: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'cancel'; runId: string }
  | { type: 'insertAnswer'; runId: string }
  | { type: 'copyAnswer'; runId: string }
  | { type: 'exportTrace'; runId: string }
  /** "Export…": the host asks which format (JSON trace, Mermaid, Markdown report, SVG, PNG). */
  | { type: 'exportRun'; runId: string }
  | ImageExportResult
  /** Open a workspace file at a line range (a rag chunk or citation); the host confines it to the workspace. */
  /** `root`: the folder `path` is relative to (a rag index root), when it is not the workspace folder. */
  | { type: 'openFile'; path: string; startLine: number; endLine: number; root?: string }
  /** "Open in Editor": the same live graph in an editor tab. */
  | { type: 'openInEditor' }
  /** The empty panel's "Open the sample run". */
  | { type: 'openSampleRun' };

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  if (type === 'exportImageResult') return isImageExportResult(value);
  return (
    type === 'ready' || type === 'cancel' || type === 'insertAnswer' || type === 'copyAnswer' || type === 'exportTrace' || type === 'exportRun' || type === 'openFile' || type === 'openInEditor' || type === 'openSampleRun'
  );
}

function isImageExportResult(value: object): boolean {
  const v = value as Record<string, unknown>;
  if (typeof v.requestId !== 'string' || (v.format !== 'svg' && v.format !== 'png')) return false;
  if (v.ok === false) return typeof v.error === 'string';
  return v.ok === true && typeof v.data === 'string' && typeof v.width === 'number' && typeof v.height === 'number';
}
