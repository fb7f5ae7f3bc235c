// A small loopback HTTP server for the provider fakes beside this file: each fake is one handler that
// answers a parsed request the way its provider documents (status, body, headers, or an SSE stream).
// Servers started with `providerServers()` close when the calling test file ends.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface ProviderRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
}

export type ProviderReply =
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** Server-sent events: each object one `data:` line, then `data: [DONE]`. */
  | { stream: unknown[]; headers?: Record<string, string> };

export type ProviderHandler = (req: ProviderRequest) => ProviderReply | Promise<ProviderReply>;

export interface ProviderServer {
  /** http://127.0.0.1:port (no path). */
  origin: string;
  requests: ProviderRequest[];
  close(): Promise<void>;
}

export async function startProvider(handle: ProviderHandler): Promise<ProviderServer> {
  const requests: ProviderRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const text = Buffer.concat(chunks).toString('utf8');
    const parsed: ProviderRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : {} };
    requests.push(parsed);
    const reply = await handle(parsed);
    if ('stream' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...reply.headers });
      for (const event of reply.stream) res.write(`data: ${JSON.stringify(event)}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `startProvider` with every server closed when the calling test file's tests end. */
export function providerServers(): (handle: ProviderHandler) => Promise<ProviderServer> {
  const started: ProviderServer[] = [];
  after(() => Promise.all(started.map((s) => s.close())));
  return async (handle) => {
    const s = await startProvider(handle);
    started.push(s);
    return s;
  };
}

/** A rough token count (4 characters a token): what these fakes report as usage. */
export function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function promptText(body: ProviderRequest['body']): string {
  return (body.messages as Array<{ content: string }>).map((m) => m.content).join('\n');
}

/** An OpenAI-style error: { error: { message, type, param, code } }. */
export function openAIError(status: number, message: string, param: string | null = null, code: string | null = null): ProviderReply {
  return { status, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

/** A chat.completion body with one message per choice (extra message fields, e.g. reasoning, as given). */
export function completion(model: string, messages: Array<Record<string, unknown>>, usage: Record<string, unknown>): ProviderReply {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1,
      model,
      choices: messages.map((message, index) => ({ index, message: { role: 'assistant', ...message }, finish_reason: 'stop' })),
      usage,
    },
  };
}

/** Streamed chunks: each delta of choice 0 its own chunk, then a usage chunk when asked for. */
export function chunks(model: string, deltas: Array<Record<string, unknown>>, usage: Record<string, unknown> | undefined): unknown[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model };
  return [...deltas.map((delta) => ({ ...base, choices: [{ index: 0, delta, finish_reason: null }] })), ...(usage ? [{ ...base, choices: [], usage }] : [])];
}
