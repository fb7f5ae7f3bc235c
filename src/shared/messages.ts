// The messages between the extension host and the webview, declared once and imported by both sides.
// Host -> webview messages are notifications; webview -> host messages are commands.
import type { GraphEvent, GraphSnapshot, RunSummary } from '../core/graph/types';

export interface RunInfo {
  runId: string;
  technique: string;
  techniqueName: string;
  model: string;
  input: string;
  params: Record<string, unknown>;
  startedAt: number;
}

export type HostToWebview =
  /** A new run began: the webview clears its graph and shows this run. */
  | { type: 'runStarted'; run: RunInfo }
  /** Graph changes, batched (the host flushes at most every ~50 ms). */
  | { type: 'graphEvents'; runId: string; events: GraphEvent[] }
  /** The whole current run, sent when the view is (re)created so nothing computed is lost. */
  | { type: 'restore'; run: RunInfo; graph: GraphSnapshot; summary?: RunSummary }
  /** A problem to show in the panel (bad configuration, unreachable server). */
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'cancel'; runId: string }
  | { type: 'insertAnswer'; runId: string }
  | { type: 'copyAnswer'; runId: string }
  | { type: 'exportTrace'; runId: string }
  /** Open a workspace file at a line range (a rag chunk or citation); the host confines it to the workspace. */
  | { type: 'openFile'; path: string; startLine: number; endLine: number };

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'cancel' || type === 'insertAnswer' || type === 'copyAnswer' || type === 'exportTrace' || type === 'openFile';
}
