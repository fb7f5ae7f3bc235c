// Typed access to the VS Code webview API. `acquireVsCodeApi` may be called only once per page.
import type { WebviewToHost } from '../src/shared/messages';

/** What the panel keeps across hide/show (the graph itself is re-sent by the host on restore). */
export interface PanelState {
  selectedNodeId?: string;
  /** Focus or the whole graph, once the person has chosen in this panel. */
  focus?: boolean;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

function vscode(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function post(message: WebviewToHost): void {
  vscode().postMessage(message);
}

export function getState(): PanelState {
  const state = vscode().getState();
  return state && typeof state === 'object' ? (state as PanelState) : {};
}

export function setState(patch: Partial<PanelState>): void {
  vscode().setState({ ...getState(), ...patch });
}
