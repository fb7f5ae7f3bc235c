// Finds a local Ollama server and the models it has pulled (GET /api/tags), for the first-run setup.
// Undefined means "no Ollama answered"; the caller says so rather than failing silently.

export const OLLAMA_URL = 'http://localhost:11434';

/**
 * Where Ollama listens: `OLLAMA_HOST` as the `ollama` CLI reads it (`host`, `host:port`,
 * `http(s)://host[:port]`; port 11434 when only a host is given), else http://localhost:11434.
 * A wildcard bind address (0.0.0.0, ::) means this machine. A value that is not a URL is ignored.
 */
export function ollamaUrl(host: string | undefined = process.env.OLLAMA_HOST): string {
  const value = host?.trim();
  if (!value) return OLLAMA_URL;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  let url: URL;
  try {
    url = new URL(hasScheme ? value : `http://${value}`);
  } catch {
    return OLLAMA_URL;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return OLLAMA_URL;
  if (!hasScheme && !url.port) url.port = '11434';
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = 'localhost';
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export async function listOllamaModels(baseUrl = ollamaUrl(), timeoutMs = 1500): Promise<string[] | undefined> {
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
export function ollamaOpenAIUrl(baseUrl = ollamaUrl()): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1`;
}
