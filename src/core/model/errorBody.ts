// Google's APIs answer errors with a JSON list, `[{ "error": { "code": 400, "message": … } }]`, where
// the openai SDK expects an object with `error`; it would then report "400 status code (no body)" and
// lose the message that names the problem. This fetch wrapper hands such a body over as its first entry.
type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Error bodies are small; a larger one is passed on untouched. */
const MAX_ERROR_BODY = 64 * 1024;

export function unwrapListErrorBodies(inner: Fetch): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
    const text = await response.text();
    let body = text;
    if (text.length <= MAX_ERROR_BODY && text.trimStart().startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed) && parsed[0] && typeof parsed[0] === 'object' && 'error' in parsed[0]) body = JSON.stringify(parsed[0]);
      } catch {
        // not JSON after all: the SDK reports the text as it is
      }
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
