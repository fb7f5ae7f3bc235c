// A loopback OpenAI-compatible server for tests: /v1/chat/completions with usage, n > 1, streaming,
// and injected faults (429 with Retry-After, 5xx, hung requests, malformed JSON, missing usage).
// Tests script it with a handler that sees each request and says what to answer.
// Well-behaved replies follow OpenAI's Chat Completions reference (the completion object, and the
// chunk objects of a stream with stream_options.include_usage). The options marked "Hostile" do what
// no documented server does (stall after the headers, drip, ignore `stream`, hostile usage or choice
// indexes, huge bodies), as the red-team review found servers can.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface FakeRequest {
  /** 0-based order of arrival. */
  index: number;
  body: {
    model: string;
    messages: Array<{ role: string; content: string }>;
    n?: number;
    temperature?: number;
    stop?: string[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    [key: string]: unknown;
  };
  /** The last message's content, the usual thing to match on. */
  prompt: string;
  headers: IncomingMessage['headers'];
  /** The request's path and query, as sent. */
  url: string;
}

export interface FakeReply {
  /** Choices to return; default one choice "ok". */
  choices?: string[];
  /** Usage to report; null reports none; default counts 1 token per 4 characters. */
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /** HTTP status other than 200: sends an OpenAI-style error body. */
  status?: number;
  headers?: Record<string, string>;
  /** Raw body to send instead of JSON (e.g. malformed JSON). */
  raw?: string;
  /** Wait before answering. */
  delayMs?: number;
  /** Never answer (until the client gives up or the server closes). */
  hang?: boolean;
  /** Ignore n and return only the first choice (like servers without n support). */
  ignoreN?: boolean;
  /** Function calls in the first choice's message (OpenAI `tool_calls`); `arguments` is sent as written. */
  toolCalls?: Array<{ name: string; arguments: string }>;
  /** Hostile: send the headers and this start of the body, then nothing more. */
  stallBody?: string;
  /** Hostile, streaming: send the stream's first chunk, then nothing more. */
  stallStream?: boolean;
  /** Hostile: after the headers, one byte of a never-ending body every this many ms. */
  dripMs?: number;
  /** Hostile: answer a streaming request with a plain JSON completion, as servers that ignore `stream` do. */
  ignoreStream?: boolean;
  /** Hostile: `"choices": []`. */
  noChoices?: boolean;
  /** Hostile: `usage` sent exactly as given (negative, a string, 1e308), not counted in `reported`. */
  rawUsage?: unknown;
  /** Hostile, streaming: these chunk objects are the whole stream (then [DONE]). */
  streamChunks?: unknown[];
  /** Hostile, streaming: the content in two chunks, then the connection ends: no finish_reason, no usage, no [DONE]. */
  cutStream?: string;
  /** Hostile: one choice whose content is this many "A"s, written a megabyte at a time (never one string). */
  contentChars?: number;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/** A request to /v1/embeddings; `input` is always a list here (a single string is wrapped). */
export interface FakeEmbeddingRequest {
  index: number;
  body: { model: string; input: string[]; encoding_format?: string; [key: string]: unknown };
  headers: IncomingMessage['headers'];
}

export interface FakeEmbeddingReply {
  /** One vector per input; default a 3-dimensional vector derived from each input's length. */
  vectors?: number[][];
  /** Usage to report; null reports none; default 1 token per 4 characters of input. */
  usage?: { prompt_tokens: number } | null;
  /** HTTP status other than 200: sends an OpenAI-style error body. */
  status?: number;
}

export type FakeEmbeddingHandler = (req: FakeEmbeddingRequest) => FakeEmbeddingReply | Promise<FakeEmbeddingReply>;

export interface FakeServerOptions {
  /** Serve /v1/embeddings with this handler; without one the route answers 404 like a chat-only server. */
  embeddings?: FakeEmbeddingHandler;
  /**
   * Also answer Ollama's GET /api/tags with these model names (the server's root is then an Ollama URL);
   * undefined from the function answers 404, as a server that is not Ollama would.
   */
  ollamaTags?: () => string[] | undefined;
}

export interface FakeServer {
  /** Base URL including /v1, as given to the openai SDK. */
  baseUrl: string;
  requests: FakeRequest[];
  /** Usage the server reported, summed over every successful response. */
  reported: { promptTokens: number; completionTokens: number };
  /** Requests currently open, and the number the client closed before they were answered. */
  open: number;
  /** The most requests that were open at once. */
  maxOpen: number;
  clientAborts: number;
  /** Arrival time (ms, performance.now) of each request. */
  arrivals: number[];
  /** Requests to /v1/embeddings (not in `requests`), and the input tokens reported for them. */
  embeddingRequests: FakeEmbeddingRequest[];
  embeddingTokens: number;
  close(): Promise<void>;
}

export function defaultUsage(req: FakeRequest, choices: string[]) {
  const promptChars = req.body.messages.reduce((s, m) => s + m.content.length, 0);
  return {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: choices.reduce((s, c) => s + Math.ceil(c.length / 4), 0),
  };
}

export async function startFakeServer(handler: FakeHandler, options: FakeServerOptions = {}): Promise<FakeServer> {
  const sockets = new Set<import('node:net').Socket>();
  const state: FakeServer = {
    baseUrl: '',
    requests: [],
    reported: { promptTokens: 0, completionTokens: 0 },
    open: 0,
    maxOpen: 0,
    clientAborts: 0,
    arrivals: [],
    embeddingRequests: [],
    embeddingTokens: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    // Routes by path: a query (Azure's api-version, a key) does not change the endpoint.
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'POST' && path.endsWith('/embeddings') && options.embeddings) {
      return answerEmbeddings(state, options.embeddings, JSON.parse(Buffer.concat(chunks).toString('utf8')), req, res);
    }
    if (req.method === 'GET' && path === '/api/tags' && options.ollamaTags) {
      const names = options.ollamaTags();
      return names ? sendJson(res, 200, { models: names.map((name) => ({ name, model: name })) }) : sendJson(res, 404, { error: 'not found' });
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest['body'];
    const fakeReq: FakeRequest = {
      index: state.requests.length,
      body,
      prompt: body.messages[body.messages.length - 1]?.content ?? '',
      headers: req.headers,
      url: req.url ?? '',
    };
    state.requests.push(fakeReq);
    state.arrivals.push(performance.now());
    state.open++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    let answered = false;
    res.on('close', () => {
      state.open--;
      if (!answered) state.clientAborts++;
    });
    const reply = await handler(fakeReq);
    if (reply.hang) return; // the socket stays open until the client aborts or the server closes
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
    answered = true;
    if (hostileReply(reply, body, res)) return;
    if (reply.raw !== undefined) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      return void res.end(reply.raw);
    }
    if (reply.status && reply.status !== 200) {
      return sendJson(res, reply.status, { error: { message: `injected HTTP ${reply.status}`, type: 'injected' } }, reply.headers);
    }
    const n = reply.noChoices ? 0 : reply.ignoreN ? 1 : body.n ?? 1;
    const base = reply.choices ?? ['ok'];
    const choices = Array.from({ length: n }, (_, i) => base[i % base.length]);
    const usage = reply.usage === undefined ? defaultUsage(fakeReq, choices) : reply.usage;
    if (usage) {
      state.reported.promptTokens += usage.prompt_tokens;
      state.reported.completionTokens += usage.completion_tokens;
    }
    const id = `chatcmpl-${fakeReq.index}`;
    const created = Math.floor(Date.now() / 1000);
    const rawUsage = reply.rawUsage === undefined ? {} : { usage: reply.rawUsage };
    if (body.stream && !reply.ignoreStream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const [i, text] of choices.entries()) {
        // Send each choice in two pieces so clients must join deltas.
        const half = Math.ceil(text.length / 2);
        for (const piece of [text.slice(0, half), text.slice(half)]) {
          res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: i, delta: { content: piece }, finish_reason: null }] })}\n\n`);
        }
        // The choice's last chunk: an empty delta with its finish_reason.
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: i, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      }
      if (usage && body.stream_options?.include_usage) {
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`);
      }
      if (reply.rawUsage !== undefined) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], ...rawUsage })}\n\n`);
      return void res.end('data: [DONE]\n\n');
    }
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: choices.map((content, index) => {
        const calls = index === 0 && reply.toolCalls?.length ? reply.toolCalls : undefined;
        const tool_calls = calls?.map((c, i) => ({ id: `call_${fakeReq.index}_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
        return { index, message: { role: 'assistant', content, ...(tool_calls ? { tool_calls } : {}) }, finish_reason: tool_calls ? 'tool_calls' : 'stop' };
      }),
      ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
      ...rawUsage,
    }, reply.headers);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

async function answerEmbeddings(state: FakeServer, handler: FakeEmbeddingHandler, raw: FakeEmbeddingRequest['body'] & { input: string | string[] }, req: IncomingMessage, res: ServerResponse) {
  const body = { ...raw, input: Array.isArray(raw.input) ? raw.input : [raw.input] };
  const fakeReq: FakeEmbeddingRequest = { index: state.embeddingRequests.length, body, headers: req.headers };
  state.embeddingRequests.push(fakeReq);
  const reply = await handler(fakeReq);
  if (reply.status && reply.status !== 200) return sendJson(res, reply.status, { error: { message: `injected HTTP ${reply.status}`, type: 'injected' } });
  const vectors = reply.vectors ?? body.input.map((text) => [text.length, 1, 0]);
  const usage = reply.usage === undefined ? { prompt_tokens: body.input.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0) } : reply.usage;
  if (usage) state.embeddingTokens += usage.prompt_tokens;
  sendJson(res, 200, {
    object: 'list',
    model: body.model,
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    ...(usage ? { usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens } } : {}),
  });
}

/** The hostile replies that are not a normal completion; true when one was sent (or started). */
function hostileReply(reply: FakeReply, body: FakeRequest['body'], res: ServerResponse): boolean {
  const chunk = (c: unknown) => `data: ${JSON.stringify(c)}\n\n`;
  const piece = (text: string) => ({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
  if (reply.stallBody !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(reply.stallBody);
    return true;
  }
  if (reply.stallStream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(piece('Answer: 4')));
    return true;
  }
  if (reply.dripMs !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), reply.dripMs);
    res.on('close', () => clearInterval(timer));
    return true;
  }
  if (reply.cutStream !== undefined) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const half = Math.ceil(reply.cutStream.length / 2);
    res.write(chunk(piece(reply.cutStream.slice(0, half))));
    res.end(chunk(piece(reply.cutStream.slice(half))));
    return true;
  }
  if (reply.streamChunks) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const c of reply.streamChunks) res.write(chunk(c));
    res.end('data: [DONE]\n\n');
    return true;
  }
  if (reply.contentChars !== undefined) {
    void writeHugeCompletion(res, body.model, reply.contentChars);
    return true;
  }
  return false;
}

/** A completion with `chars` "A"s of content, written a megabyte at a time with back-pressure. */
async function writeHugeCompletion(res: ServerResponse, model: string, chars: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  const write = (text: string) => (res.write(text) ? Promise.resolve() : new Promise<void>((resolve) => res.once('drain', resolve)));
  await write(`{"id":"chatcmpl-huge","object":"chat.completion","created":1,"model":${JSON.stringify(model)},"choices":[{"index":0,"message":{"role":"assistant","content":"`);
  const mb = 'A'.repeat(1024 * 1024);
  for (let left = chars; left > 0 && !res.destroyed; left -= mb.length) await write(left >= mb.length ? mb : mb.slice(0, left));
  res.end(`"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":${Math.ceil(chars / 4)},"total_tokens":${10 + Math.ceil(chars / 4)}}}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A `startFakeServer` whose servers are all closed when the calling file's tests (or suite) end.
 * Call it at the top level of a test file (or of a describe block): it registers the `after` hook there.
 */
export function closingServers(): (...args: Parameters<typeof startFakeServer>) => Promise<FakeServer> {
  const started: FakeServer[] = [];
  after(() => Promise.all(started.map((s) => s.close())));
  return async (...args) => {
    const s = await startFakeServer(...args);
    started.push(s);
    return s;
  };
}
