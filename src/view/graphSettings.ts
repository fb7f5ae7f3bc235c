// The graph settings (thoughtscope.graph.*, declared in settingsSchema.ts) as the panel gets them. A
// value VS Code would flag as invalid falls back to the default: these only change how the graph is
// drawn. No vscode import.
import type { OrientationSetting } from '../core/render/orientation';
import type { FocusSetting, GraphSurface, GraphViewSettings } from '../shared/messages';

/** What `vscode.WorkspaceConfiguration` offers (of the `thoughtscope` section). */
export interface GraphConfig {
  get<T>(key: string): T | undefined;
}

const ORIENTATIONS: readonly OrientationSetting[] = ['auto', 'TD', 'LR'];
const FOCUS: readonly FocusSetting[] = ['auto', 'on', 'off'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T {
  return allowed.includes(value as T) ? (value as T) : allowed[0];
}

export function readGraphSettings(config: GraphConfig, surface: GraphSurface): GraphViewSettings {
  return {
    orientation: oneOf(config.get('graph.orientation'), ORIENTATIONS),
    focus: oneOf(config.get('graph.focus'), FOCUS),
    surface,
  };
}
