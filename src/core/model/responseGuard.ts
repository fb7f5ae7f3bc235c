// The fetch the openai SDK is given: the SDK's own timeout stops at the response headers, so a server
// that sends headers and then stalls (or a stream that stops after one chunk) would hang forever.
// This wrapper bounds the whole response: a deadline from sending to the last byte, an idle timeout
// between two pieces of the body, and a cap on what is kept of it (see jsonStringCap.ts). Both
// timeouts surface as ResponseTimeoutError, which openaiModel turns into a retryable timeout.
import { JsonStringCapper } from './jsonStringCap';

export interface ResponseLimits {
  /** From sending the request to the last byte of the response. */
  deadlineMs: number;
  /** Longest silence between two pieces of a body or stream, once the headers arrived. */
  idleMs: number;
  /** Characters kept of any one string in the response (a completion's text); the rest is marked as cut. */
  maxTextChars: number;
  /** Characters of the (cut) response allowed in all; per event for streams. */
  maxBodyChars: number;
}

/** Node's timers hold at most 2^31 - 1 ms; anything longer would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = {
  deadlineMs: 120_000,
  idleMs: 60_000,
  maxTextChars: 2_000_000,
  maxBodyChars: 32_000_000,
};

export class ResponseTimeoutError extends Error {
  constructor(
    readonly which: 'deadline' | 'idle',
    readonly ms: number,
  ) {
    super(which === 'deadline' ? `the response did not finish within ${seconds(ms)}` : `the response stalled: nothing arrived for ${seconds(ms)}`);
    this.name = 'ResponseTimeoutError';
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function guardedFetch(limits: ResponseLimits, baseFetch: Fetch = fetch): Fetch {
  return async (input, init = {}) => {
    const started = performance.now();
    const deadline = new AbortController();
    // Aborted without a reason: before the headers the SDK reads that as a connection timeout.
    const deadlineTimer = setTimeout(() => deadline.abort(), Math.min(limits.deadlineMs, MAX_TIMER_MS));
    const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal });
    } finally {
      // From the headers on, the body's own timers keep the deadline (an abort would end a stream silently).
      clearTimeout(deadlineTimer);
    }
    if (!response.body) return response;
    const body = guardBody(response.body, limits, started + limits.deadlineMs, deadline, isEventStream(response));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/event-stream');
}

/** The body re-streamed through the timers and the cap. */
function guardBody(source: ReadableStream<Uint8Array>, limits: ResponseLimits, deadlineAt: number, connection: AbortController, eventStream: boolean): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const capper = new JsonStringCapper({ maxStringChars: limits.maxTextChars, maxOutputChars: limits.maxBodyChars, perLine: eventStream });

  /** The next piece of the body, or a ResponseTimeoutError when the idle time or the deadline passes first. */
  const nextPiece = (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    const left = deadlineAt - performance.now();
    const which = left <= limits.idleMs ? 'deadline' : 'idle';
    const wait = Math.max(0, Math.min(left, limits.idleMs, MAX_TIMER_MS));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ResponseTimeoutError(which, which === 'deadline' ? limits.deadlineMs : limits.idleMs)), wait);
    });
    return Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
  };

  return new ReadableStream<Uint8Array>({
    // A pull must enqueue something or end the stream: a piece cut away entirely is followed by the next.
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await nextPiece();
          if (done) {
            const rest = capper.push(decoder.decode());
            if (rest) controller.enqueue(encoder.encode(rest));
            controller.close();
            return;
          }
          const text = capper.push(decoder.decode(value, { stream: true }));
          if (text) return controller.enqueue(encoder.encode(text));
        }
      } catch (err) {
        // Close the connection; the error the reader sees is ours, not the abort's.
        connection.abort();
        reader.cancel().catch(() => {});
        controller.error(err);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
