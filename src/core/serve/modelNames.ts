// The server's model names: `<technique>:<model-or-profile>`, e.g. `tot:gpt-4o-mini`, `cot-sc:llama`.
// Technique ids have no ':', so the name splits at the first one and the rest may hold more
// (`cot:llama3.2:latest` is cot on Ollama's `llama3.2:latest`). A bare technique id means the
// server's default model.
import type { Technique } from '../techniques/types';
import { ServeError } from './errors';

export interface ModelName {
  technique: Technique;
  /** A profile name or a model name at the upstream; '' for the default model. */
  target: string;
}

export function parseModelName(name: unknown, techniques: readonly Technique[]): ModelName {
  if (typeof name !== 'string' || name.trim() === '') throw new ServeError(400, "Missing required parameter: 'model'.", 'invalid_request_error', 'model', 'missing_required_parameter');
  const colon = name.indexOf(':');
  const id = (colon < 0 ? name : name.slice(0, colon)).trim();
  const target = colon < 0 ? '' : name.slice(colon + 1).trim();
  const technique = techniques.find((t) => t.id === id);
  if (!technique) {
    throw new ServeError(
      404,
      `The model \`${name}\` does not exist: name a technique and a model as <technique>:<model-or-profile>, with a technique among ${techniques.map((t) => t.id).join(', ')} (GET /v1/models lists them)`,
      'invalid_request_error',
      'model',
      'model_not_found',
    );
  }
  return { technique, target };
}

/** Every technique × target combination, in the order /v1/models lists them. */
export function modelIds(techniques: readonly Technique[], targets: readonly string[]): string[] {
  return techniques.flatMap((t) => targets.map((target) => `${t.id}:${target}`));
}
