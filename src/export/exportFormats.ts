// What a run can be exported as (from the panel's "Export…" and the Runs view), and how each file's
// bytes are made. Text formats come from the trace; SVG and PNG only the webview can make (it holds the
// drawing), so they are asked of it with `exportImage` and its `exportImageResult` is matched back here.
// No vscode import: the unit tests drive it directly.
import { runMarkdown } from '../core/history/markdownReport';
import { snapshotFromTrace } from '../core/history/restore';
import { collapsePruned } from '../core/render/collapse';
import { renderMermaid } from '../core/render/mermaid';
import type { Trace } from '../core/trace';
import type { HostToWebview, ImageExportResult, ImageFormat } from '../shared/messages';

export type ExportFormatId = 'json' | 'mermaid' | 'markdown' | ImageFormat;

export interface ExportFormat {
  id: ExportFormatId;
  label: string;
  description: string;
  ext: string;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  { id: 'json', label: 'JSON trace', description: 'prompts, responses, parameters, tokens and cost', ext: 'json' },
  { id: 'mermaid', label: 'Mermaid source', description: 'the graph the view draws', ext: 'mmd' },
  { id: 'markdown', label: 'Markdown report', description: 'graph, answer and cost table', ext: 'md' },
  { id: 'svg', label: 'SVG image', description: 'the drawn graph as a standalone SVG file', ext: 'svg' },
  { id: 'png', label: 'PNG image', description: 'the drawn graph at twice its size', ext: 'png' },
];

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** `thoughtscope-<technique>-<UTC date and time>.<ext>`, safe as a file name on every platform. */
export function exportFileName(technique: string, when: Date, ext: string): string {
  const stamp = when.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `thoughtscope-${technique.replace(/[^A-Za-z0-9_-]+/g, '_')}-${stamp}.${ext}`;
}

/** The bytes of a successful image answer; a failed or malformed one throws with the reason. */
export function imageBytes(result: ImageExportResult): Uint8Array {
  if (!result.ok) throw new Error(`The graph could not be exported as ${result.format.toUpperCase()}: ${result.error}`);
  if (result.format === 'svg') {
    if (!/^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(result.data)) throw new Error('The panel sent something that is not an SVG document');
    return new TextEncoder().encode(result.data);
  }
  const bytes = Buffer.from(result.data, 'base64');
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('The panel sent something that is not a PNG image');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The file for `format`; `image` asks the webview for the drawing (called for SVG and PNG only). */
export async function exportBytes(format: ExportFormatId, trace: Trace, image: (format: ImageFormat) => Promise<ImageExportResult>): Promise<Uint8Array> {
  switch (format) {
    case 'json':
      return new TextEncoder().encode(`${JSON.stringify(trace, null, 2)}\n`);
    case 'mermaid':
      return new TextEncoder().encode(renderMermaid(collapsePruned(snapshotFromTrace(trace))));
    case 'markdown':
      return new TextEncoder().encode(runMarkdown(trace));
    case 'svg':
    case 'png':
      return imageBytes(await image(format));
  }
}

/**
 * Image requests in flight to the webview: each gets an id, and the answer with that id settles it.
 * A request the webview never answers (closed, busy drawing a huge graph) fails after `timeoutMs`.
 */
export class ImageRequests {
  private readonly pending = new Map<string, { resolve: (r: ImageExportResult) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private counter = 0;

  constructor(
    /** Deliver to the webview, once it is listening. */
    private readonly send: (message: HostToWebview) => Promise<void> | void,
    private readonly timeoutMs = 60_000,
  ) {}

  request(runId: string, format: ImageFormat): Promise<ImageExportResult> {
    const requestId = `image-${Date.now().toString(36)}-${++this.counter}`;
    return new Promise<ImageExportResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`The Thought Graph view did not send the ${format.toUpperCase()} within ${Math.round(this.timeoutMs / 1000)} s; open the view and try again`));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      Promise.resolve()
        .then(() => this.send({ type: 'exportImage', requestId, runId, format }))
        .catch((err: unknown) => this.settle(requestId, (p) => p.reject(err instanceof Error ? err : new Error(String(err)))));
    });
  }

  /** An answer from the webview; false when no request is waiting for it (late, or not ours). */
  receive(result: ImageExportResult): boolean {
    return this.settle(result.requestId, (p) => p.resolve(result));
  }

  /** Fail whatever is still waiting. */
  dispose(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new Error('Thoughtscope was closed before the image arrived')));
  }

  private settle(requestId: string, how: (p: { resolve: (r: ImageExportResult) => void; reject: (e: Error) => void }) => void): boolean {
    const waiting = this.pending.get(requestId);
    if (!waiting) return false;
    this.pending.delete(requestId);
    clearTimeout(waiting.timer);
    how(waiting);
    return true;
  }
}
