// `thoughtscope serve` and the extension's Start Proxy: an OpenAI-compatible HTTP server whose
// models are techniques. POST /v1/chat/completions runs `<technique>:<model-or-profile>` on the
// last user message through the same engine as a single run (a Run per request) and answers with
// the final answer as one assistant message; GET /v1/models lists technique × model names.
// Upstream requests of all requests in flight share one limit.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runTechnique, type RunReport } from '../engine';
import { limitedModel } from '../model/limitedModel';
import type { ChatModel } from '../model/types';
import { Limiter } from '../run/limiter';
import { Run, silentLogger, type Logger, type RunOptions, type RunProfile } from '../run/run';
import { resolveTask } from '../tasks/registry';
import { ParamError } from '../techniques/params';
import { TECHNIQUES } from '../techniques/registry';
import type { Technique, TechniqueHost } from '../techniques/types';
import { checkAccess, checkListenAddress } from './access';
import { parseChatCall, type ServeDefaults } from './chatRequest';
import { badRequest, ServeError, type ErrorBody } from './errors';
import { modelIds } from './modelNames';
import { chunkEvent, completionBody, extensionOf, modelObject, usageOf, type CompletionHead } from './responses';

/** A request's run as it starts, for hosts that watch it (the panel, the trace exporter). */
export interface ServedRun {
  /** The completion id the client gets (chatcmpl-…). */
  requestId: string;
  technique: Technique;
  /** The model name as requested, e.g. "tot:gpt-4o-mini". */
  modelName: string;
  input: string;
  params: Record<string, unknown>;
  task: string;
  run: Run;
}

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The bearer token clients must send; undefined serves without one (loopback addresses only). */
  token?: string;
  techniques?: readonly Technique[];
  defaults: ServeDefaults;
  /** Names /v1/models lists after each technique: the default model, then the profiles. */
  targets(): string[];
  /** The model for a target ('' for the default); undefined when the name is unknown. */
  resolve(target: string): ChatModel | undefined;
  profiles?: readonly RunProfile[];
  /** Per-run options (pricing, retries); concurrency is both the per-run and the shared upstream limit. */
  runOptions?: Omit<RunOptions, 'model' | 'signal' | 'profiles' | 'budget' | 'concurrency'>;
  concurrency?: number;
  techniqueHost?: TechniqueHost;
  onRunStart?(served: ServedRun): void;
  /** Saves a finished run to the history and returns its id there. */
  save?(report: RunReport, run: Run): string | undefined;
  /** Called when a request's run has ended (after it is saved), before the response is sent. */
  onRunEnd?(served: ServedRun, report: RunReport): void;
  log?: Logger;
  /** Bytes of a request body at most (default 8 MiB). */
  maxBodyBytes?: number;
  /** A comment line keeps a quiet stream alive this often (default 15 s). */
  keepAliveMs?: number;
}

export interface RunningServer {
  /** http://<host>:<port> */
  url: string;
  host: string;
  port: number;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Stops listening, cancels the runs in flight and closes every connection. */
  close(): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  checkListenAddress(options.host, options.token);
  const techniques = options.techniques ?? TECHNIQUES;
  const log = options.log ?? silentLogger;
  const concurrency = options.concurrency ?? 16;
  const shared = new Limiter(concurrency);
  // One wrapper per model, so a profile's model and the same profile named in a request are one object.
  const wrapped = new Map<ChatModel, ChatModel>();
  const limited = (model: ChatModel) => wrapped.get(model) ?? wrapped.set(model, limitedModel(model, shared)).get(model)!;
  const profiles = (options.profiles ?? []).map((p) => (p.model ? { ...p, model: limited(p.model) } : p));
  const running = new Set<AbortController>();
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    checkAccess(req, options.token);
    if (path === '/v1/models' && req.method === 'GET') return sendJson(res, 200, { object: 'list', data: listModels() });
    if (path.startsWith('/v1/models/') && req.method === 'GET') {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!listModels().some((m) => m.id === id)) throw new ServeError(404, `The model \`${id}\` does not exist.`, 'invalid_request_error', 'model', 'model_not_found');
      return sendJson(res, 200, modelObject(id, 0));
    }
    if (path === '/v1/chat/completions') {
      if (req.method !== 'POST') throw new ServeError(405, `${req.method} is not allowed on /v1/chat/completions; send a POST.`, 'invalid_request_error', null, 'method_not_allowed');
      return chat(req, res);
    }
    throw new ServeError(404, `Unknown request URL: ${req.method} ${path || '/'}. This server answers POST /v1/chat/completions, GET /v1/models and GET /v1/models/{model}.`, 'invalid_request_error', null, 'unknown_url');
  };

  const listModels = () => modelIds(techniques, options.targets()).map((id) => modelObject(id, 0));

  const chat = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readJson(req, options.maxBodyBytes ?? 8 * 1024 * 1024);
    const call = parseChatCall(body, techniques, options.defaults);
    const upstream = options.resolve(call.target);
    if (!upstream) {
      const known = options.targets();
      throw new ServeError(404, `The model \`${call.model}\` does not exist: "${call.target}" is neither the server's model nor one of its profiles (${known.join(', ') || 'none'}).`, 'invalid_request_error', 'model', 'model_not_found');
    }
    const task = options.defaults.tasks?.get(call.task) ?? resolveTask(call.task, call.input);
    if (!task) throw badRequest(`unknown task "${call.task}"`, 'thoughtscope.task', 'invalid_value');
    const controller = new AbortController();
    running.add(controller);
    // The client went away before the answer: stop spending on it.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
      running.delete(controller);
    });
    const head: CompletionHead = { id: `chatcmpl-${randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model: call.model };
    const run = new Run({ ...options.runOptions, model: limited(upstream), profiles, concurrency, budget: call.budget, signal: controller.signal });
    const stream = call.stream ? new EventStream(res, head, options.keepAliveMs ?? 15_000) : undefined;
    // A stream opens at the run's first node, so a refused parameter still gets a plain 400.
    const stopOpening = stream ? run.graph.on(() => stream.open()) : undefined;
    const served: ServedRun = { requestId: head.id, technique: call.technique, modelName: call.model, input: call.input, params: call.params, task: task.id, run };
    options.onRunStart?.(served);
    let report: RunReport;
    try {
      report = await runTechnique({ technique: call.technique, task, input: call.input, params: call.params, run, host: options.techniqueHost });
    } catch (err) {
      stopOpening?.();
      if (!(err instanceof ParamError)) throw badRequest(err instanceof Error ? err.message : String(err));
      const name = /parameter "([^"]+)"/.exec(err.message)?.[1];
      throw badRequest(err.message, name ? `thoughtscope.${name}` : 'thoughtscope', 'invalid_value');
    }
    stopOpening?.();
    const runId = saveQuietly(report, run) ?? `run-${Date.now().toString(36)}-${(counter++).toString(36)}`;
    options.onRunEnd?.(served, report);
    const extension = extensionOf(runId, call.technique.id, report.model, report.summary);
    const { summary } = report;
    log.info(`${call.model}: ${summary.outcome} in ${summary.totals.calls} calls, ${summary.totals.promptTokens + summary.totals.completionTokens} tokens (${runId})`);
    if (controller.signal.aborted && !res.writable) return;
    if (summary.outcome !== 'done') {
      const error = runError(summary.outcome, summary.message);
      if (stream) return stream.fail(error.status, { ...error.body(), thoughtscope: extension } as ErrorBody);
      return sendJson(res, error.status, { ...error.body(), thoughtscope: extension }, { 'x-should-retry': 'false' });
    }
    const answer = summary.answer ?? '';
    if (!stream) return sendJson(res, 200, completionBody(head, answer, summary, extension));
    stream.finish(answer, call.includeUsage ? usageOf(summary.totals) : undefined, extension);
  };

  const saveQuietly = (report: RunReport, run: Run): string | undefined => {
    try {
      return options.save?.(report, run);
    } catch (err) {
      log.warn(`Could not save the run to the history: ${(err as Error).message}`);
      return undefined;
    }
  };

  const server: Server = createServer((req, res) => {
    inFlight++;
    res.on('close', () => inFlight--);
    handle(req, res).catch((err: unknown) => {
      const error = err instanceof ServeError ? err : new ServeError(500, `The server failed: ${err instanceof Error ? err.message : String(err)}`, 'server_error');
      if (!(err instanceof ServeError)) log.error(`${req.method} ${req.url}: ${error.message}`);
      if (res.headersSent) return void res.end();
      sendJson(res, error.status, error.body(), error.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    host: address.address,
    port: address.port,
    get inFlight() {
      return inFlight;
    },
    close: async () => {
      for (const c of running) c.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Streams end as their runs stop; what is still open after a moment is cut.
      setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2000).unref();
      server.closeIdleConnections();
      await closed;
    },
  };
}

/** A run that ended without an answer, as an error a client shows; the run's cost rides along. */
function runError(outcome: string, message: string | undefined): ServeError {
  if (outcome === 'budget') return new ServeError(400, message ?? 'Stopped by the budget', 'invalid_request_error', 'thoughtscope', 'budget_exceeded');
  if (outcome === 'cancelled') return new ServeError(499, message ?? 'Cancelled', 'api_error', null, 'cancelled');
  return new ServeError(502, `The run failed: ${message ?? 'no answer'}`, 'api_error', null, 'upstream_error');
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ServeError(413, `The request body is larger than ${limit} bytes.`, 'invalid_request_error', null, 'request_too_large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('We could not parse the JSON body of your request: it is not valid JSON.', null, 'invalid_json');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A server-sent event stream of chat completion chunks; opened once the run is under way. */
class EventStream {
  private opened = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly head: CompletionHead,
    private readonly keepAliveMs: number,
  ) {}

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    this.res.write(chunkEvent(this.head, [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    // SSE comment lines: clients and proxies see a live connection during a long run.
    this.timer = setInterval(() => this.res.write(': thoughtscope run in progress\n\n'), this.keepAliveMs);
    this.timer.unref();
    this.res.on('close', () => clearInterval(this.timer));
  }

  finish(answer: string, usage: ReturnType<typeof usageOf> | undefined, extension: object): void {
    this.open();
    clearInterval(this.timer);
    const withUsage = usage ? { usage: null } : {};
    this.res.write(chunkEvent(this.head, [{ index: 0, delta: { content: answer }, logprobs: null, finish_reason: null }], withUsage));
    this.res.write(chunkEvent(this.head, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], { ...withUsage, thoughtscope: extension }));
    if (usage) this.res.write(chunkEvent(this.head, [], { usage, thoughtscope: extension }));
    this.res.end('data: [DONE]\n\n');
  }

  /** Before any chunk: a plain error response; after: an error event, as OpenAI's streams send one. */
  fail(status: number, body: ErrorBody): void {
    clearInterval(this.timer);
    if (!this.opened) return sendJson(this.res, status, body, { 'x-should-retry': 'false' });
    this.res.write(`data: ${JSON.stringify(body)}\n\n`);
    this.res.end();
  }
}
