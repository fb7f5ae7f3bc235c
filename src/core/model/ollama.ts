// Finds a local Ollama server and the models it has pulled (GET /api/tags), for the first-run setup.
// Undefined means "no Ollama answered"; the caller says so rather than failing silently.

export const OLLAMA_URL = 'http://localhost:11434';

export async function listOllamaModels(baseUrl = OLLAMA_URL, timeoutMs = 1500): Promise<string[] | undefined> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { models?: Array<{ name?: unknown; model?: unknown }> };
    if (!body || !Array.isArray(body.models)) return undefined;
    return body.models.map((m) => (typeof m.name === 'string' ? m.name : typeof m.model === 'string' ? m.model : '')).filter((n) => n !== '');
  } catch {
    return undefined;
  }
}

/** The OpenAI-compatible URL of an Ollama server. */
export function ollamaOpenAIUrl(baseUrl = OLLAMA_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1`;
}
