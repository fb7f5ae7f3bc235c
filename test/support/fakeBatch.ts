// A loopback server with OpenAI's Files and Batch APIs, for `thoughtscope eval --batch` tests. It
// follows OpenAI's documentation of the endpoints and objects:
//   https://platform.openai.com/docs/guides/batch (input and output lines, the status lifecycle)
//   https://platform.openai.com/docs/api-reference/files (upload, retrieve, content)
//   https://platform.openai.com/docs/api-reference/batch (create, retrieve, cancel; the Batch object)
// Uploads are multipart/form-data with `purpose` and `file`; files of purpose "batch" cannot be
// downloaded, output and error files (purpose "batch_output") can. A batch starts "validating" and
// moves one step each time it is read: validating → in_progress (or failed, with errors.data naming
// the line) → finalizing → completed (or expired when `expireAfter` requests have run, or cancelled
// after a cancel, both with partial results). Requests that ran go to the output file when the model
// answered 200, to the error file with their response when it refused; requests that never ran go to
// the error file with error.code batch_expired / batch_cancelled. The output file lists its lines in
// reverse order, since the docs promise no order: readers must match lines by custom_id. Errors are
// OpenAI's error object ({"error": {message, type, param, code}}).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultUsage, type FakeReply, type FakeRequest } from './fakeOpenAI';

interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  content: string;
}

type Pending = Array<{ line: number; item: { custom_id: string; body: FakeRequest['body'] } }>;

type Status = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: Array<{ code: string; message: string; param: string | null; line: number | null }> } | null;
  input_file_id: string;
  completion_window: string;
  status: Status;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

export interface FakeBatchOptions {
  /** The model's reply to one request of a batch (the same scripting as fakeOpenAI's handler). */
  reply: (req: FakeRequest) => FakeReply;
  /** The key clients must send; undefined accepts any. */
  apiKey?: string;
  /** The batch expires after this many requests have run. */
  expireAfter?: number;
  /** Requests per batch at most (OpenAI: 50,000). */
  maxRequests?: number;
}

export interface FakeBatchServer {
  baseUrl: string;
  files: Map<string, FileObject>;
  batches: Map<string, BatchObject>;
  /** Bodies of the chat requests the batches ran. */
  ran: FakeRequest[];
  /** While true, batches stay as they are when read (a long batch). */
  hold: boolean;
  close(): Promise<void>;
}

const SUPPORTED_ENDPOINTS = ['/v1/responses', '/v1/chat/completions', '/v1/embeddings', '/v1/completions'];
const PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];

export async function startFakeBatchServer(options: FakeBatchOptions): Promise<FakeBatchServer> {
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).padStart(6, '0')}`;
  const now = () => Math.floor(Date.now() / 1000);
  const state: FakeBatchServer = { baseUrl: '', files: new Map(), batches: new Map(), ran: [], hold: false, close: async () => undefined };
  /** What the batch's requests produced so far, and the requests still to run, by batch id. */
  const produced = new Map<string, { output: string[]; errors: string[]; pending: Pending }>();

  const addFile = (filename: string, purpose: string, content: string): FileObject => {
    const file: FileObject = { id: nextId('file-'), object: 'file', bytes: Buffer.byteLength(content), created_at: now(), filename, purpose, status: 'processed', content };
    state.files.set(file.id, file);
    return file;
  };

  const validate = (batch: BatchObject): void => {
    const input = state.files.get(batch.input_file_id)!;
    const errors: NonNullable<BatchObject['errors']>['data'] = [];
    const pending: Pending = [];
    const ids = new Set<string>();
    let model: string | undefined;
    const lines = input.content.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > (options.maxRequests ?? 50_000)) errors.push({ code: 'too_many_requests', message: `The batch input file has ${lines.length} requests; at most ${options.maxRequests ?? 50_000} are allowed.`, param: null, line: null });
    for (const [i, text] of lines.entries()) {
      const line = i + 1;
      let item: { custom_id?: unknown; method?: unknown; url?: unknown; body?: FakeRequest['body'] };
      try {
        item = JSON.parse(text);
      } catch {
        errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line });
        continue;
      }
      if (typeof item.custom_id !== 'string') errors.push({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", param: 'custom_id', line });
      else if (ids.has(item.custom_id)) errors.push({ code: 'duplicate_custom_id', message: `The custom_id '${item.custom_id}' is used more than once in this file.`, param: 'custom_id', line });
      else ids.add(item.custom_id);
      if (item.method !== 'POST') errors.push({ code: 'invalid_value', message: "The method must be 'POST'.", param: 'method', line });
      if (item.url !== batch.endpoint) errors.push({ code: 'mismatched_endpoint', message: `The url ${JSON.stringify(item.url)} does not match the batch's endpoint ${batch.endpoint}.`, param: 'url', line });
      const lineModel = item.body?.model;
      if (typeof lineModel !== 'string') errors.push({ code: 'missing_required_parameter', message: "Missing required parameter: 'body.model'.", param: 'body.model', line });
      else if (model !== undefined && lineModel !== model) errors.push({ code: 'mismatched_model', message: 'All requests of a batch must use the same model.', param: 'body.model', line });
      else model = lineModel;
      if (typeof item.custom_id === 'string' && item.body) pending.push({ line, item: { custom_id: item.custom_id, body: item.body } });
    }
    if (errors.length) {
      Object.assign(batch, { status: 'failed', failed_at: now(), errors: { object: 'list', data: errors } });
      return;
    }
    produced.set(batch.id, { output: [], errors: [], pending });
    Object.assign(batch, { status: 'in_progress', in_progress_at: now(), request_counts: { total: pending.length, completed: 0, failed: 0 } });
  };

  const runRequests = (batch: BatchObject): void => {
    const work = produced.get(batch.id)!;
    const limit = options.expireAfter ?? Infinity;
    while (work.pending.length && batch.request_counts.completed + batch.request_counts.failed < limit) {
      const { item } = work.pending.shift()!;
      const req: FakeRequest = { index: state.ran.length, body: item.body, prompt: item.body.messages.at(-1)?.content ?? '', headers: {}, url: batch.endpoint };
      state.ran.push(req);
      const reply = options.reply(req);
      const requestId = nextId('req_');
      if (reply.status && reply.status !== 200) {
        const body = { error: { message: `injected HTTP ${reply.status}`, type: 'invalid_request_error', param: null, code: null } };
        work.errors.push(JSON.stringify({ id: nextId('batch_req_'), custom_id: item.custom_id, response: { status_code: reply.status, request_id: requestId, body }, error: null }));
        batch.request_counts.failed++;
        continue;
      }
      const n = reply.ignoreN ? 1 : item.body.n ?? 1;
      const base = reply.choices ?? ['ok'];
      const choices = Array.from({ length: n }, (_, i) => base[i % base.length]);
      const usage = reply.usage === undefined ? defaultUsage(req, choices) : reply.usage;
      const completion = {
        id: nextId('chatcmpl-'),
        object: 'chat.completion',
        created: now(),
        model: item.body.model,
        choices: choices.map((content, index) => ({ index, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' })),
        ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
      };
      work.output.push(JSON.stringify({ id: nextId('batch_req_'), custom_id: item.custom_id, response: { status_code: 200, request_id: requestId, body: completion }, error: null }));
      batch.request_counts.completed++;
    }
  };

  /** Requests that never ran go to the error file with the reason the batch ended. */
  const leftUndone = (batch: BatchObject, code: 'batch_expired' | 'batch_cancelled'): void => {
    const work = produced.get(batch.id);
    if (!work) return;
    const message = code === 'batch_expired' ? 'This request could not be executed before the completion window expired.' : 'This request was not executed because the batch was cancelled.';
    for (const { item } of work.pending.splice(0)) {
      work.errors.push(JSON.stringify({ id: nextId('batch_req_'), custom_id: item.custom_id, response: null, error: { code, message } }));
      batch.request_counts.failed++;
    }
  };

  const writeResults = (batch: BatchObject): void => {
    const work = produced.get(batch.id);
    if (!work) return;
    if (work.output.length) batch.output_file_id = addFile(`batch_${batch.id}_output.jsonl`, 'batch_output', `${[...work.output].reverse().join('\n')}\n`).id;
    if (work.errors.length) batch.error_file_id = addFile(`batch_${batch.id}_error.jsonl`, 'batch_output', `${work.errors.join('\n')}\n`).id;
  };

  /** One step of the lifecycle. */
  const advance = (batch: BatchObject): void => {
    if (state.hold) return;
    switch (batch.status) {
      case 'validating':
        return validate(batch);
      case 'in_progress': {
        runRequests(batch);
        if (produced.get(batch.id)!.pending.length) {
          leftUndone(batch, 'batch_expired');
          writeResults(batch);
          return void Object.assign(batch, { status: 'expired', expired_at: now() });
        }
        return void Object.assign(batch, { status: 'finalizing', finalizing_at: now() });
      }
      case 'finalizing':
        writeResults(batch);
        return void Object.assign(batch, { status: 'completed', completed_at: now() });
      case 'cancelling':
        leftUndone(batch, 'batch_cancelled');
        writeResults(batch);
        return void Object.assign(batch, { status: 'cancelled', cancelled_at: now() });
      default:
    }
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    try {
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return error(res, 401, 'Incorrect API key provided.', null, 'invalid_api_key');
      }
      await route(req, res, body);
    } catch (err) {
      error(res, 500, `fake batch server failed: ${(err as Error).message}`, null, null, 'server_error');
    }
  });

  const route = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    const m = /^\/v1\/(files|batches)(?:\/([^/]+))?(?:\/(content|cancel))?$/.exec(path);
    if (!m) return error(res, 404, `Unknown request URL: ${req.method} ${path}.`, null, 'unknown_url');
    const [, kind, id, action] = m;
    if (kind === 'files' && !id && req.method === 'POST') {
      const form = multipart(body, req.headers['content-type'] ?? '');
      const purpose = form.get('purpose')?.text;
      const file = form.get('file');
      if (!file) return error(res, 400, "Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
      if (!purpose) return error(res, 400, "Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter');
      if (!PURPOSES.includes(purpose)) return error(res, 400, `'${purpose}' is not one of ${PURPOSES.map((p) => `'${p}'`).join(', ')} - 'purpose'`, 'purpose', 'invalid_value');
      if (purpose === 'batch' && !file.filename?.endsWith('.jsonl')) return error(res, 400, 'Batch input files must be .jsonl files.', 'file', 'invalid_value');
      const { content: _c, ...shown } = addFile(file.filename ?? 'upload', purpose, file.text);
      return json(res, 200, shown);
    }
    if (kind === 'files' && id && req.method === 'GET') {
      const file = state.files.get(id);
      if (!file) return error(res, 404, `No such File object: ${id}`, 'id', null);
      if (!action) {
        const { content: _c, ...shown } = file;
        return json(res, 200, shown);
      }
      if (file.purpose === 'batch') return error(res, 400, 'Not allowed to download files of purpose: batch.', null, null);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(file.content);
    }
    if (kind === 'batches' && !id && req.method === 'POST') {
      let b: Record<string, unknown>;
      try {
        b = JSON.parse(body.toString('utf8'));
      } catch {
        return error(res, 400, 'We could not parse the JSON body of your request.', null, null);
      }
      for (const field of ['input_file_id', 'endpoint', 'completion_window']) {
        if (typeof b[field] !== 'string') return error(res, 400, `Missing required parameter: '${field}'.`, field, 'missing_required_parameter');
      }
      if (b.completion_window !== '24h') return error(res, 400, `Invalid value: '${b.completion_window}'. Supported values are: '24h'.`, 'completion_window', 'invalid_value');
      if (!SUPPORTED_ENDPOINTS.includes(b.endpoint as string)) return error(res, 400, `Invalid value: '${b.endpoint}'. Supported values are: ${SUPPORTED_ENDPOINTS.map((e) => `'${e}'`).join(', ')}.`, 'endpoint', 'invalid_value');
      const input = state.files.get(b.input_file_id as string);
      if (!input) return error(res, 404, `No such File object: ${b.input_file_id}`, 'input_file_id', null);
      if (input.purpose !== 'batch') return error(res, 400, `The input file must have purpose 'batch', not '${input.purpose}'.`, 'input_file_id', 'invalid_value');
      const created = now();
      const batch: BatchObject = {
        id: nextId('batch_'),
        object: 'batch',
        endpoint: b.endpoint as string,
        errors: null,
        input_file_id: input.id,
        completion_window: '24h',
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: created,
        in_progress_at: null,
        expires_at: created + 24 * 3600,
        finalizing_at: null,
        completed_at: null,
        failed_at: null,
        expired_at: null,
        cancelling_at: null,
        cancelled_at: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
        metadata: (b.metadata as Record<string, string> | undefined) ?? null,
      };
      state.batches.set(batch.id, batch);
      return json(res, 200, batch);
    }
    if (kind === 'batches' && id) {
      const batch = state.batches.get(id);
      if (!batch) return error(res, 404, `No batch found with id '${id}'.`, null, null);
      if (action === 'cancel' && req.method === 'POST') {
        if (!['validating', 'in_progress', 'finalizing'].includes(batch.status)) return error(res, 400, `Cannot cancel a batch with status '${batch.status}'.`, null, null);
        Object.assign(batch, { status: 'cancelling', cancelling_at: now() });
        return json(res, 200, batch);
      }
      if (!action && req.method === 'GET') {
        advance(batch);
        return json(res, 200, batch);
      }
    }
    return error(res, 404, `Unknown request URL: ${req.method} ${path}.`, null, 'unknown_url');
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, message: string, param: string | null, code: string | null, type = 'invalid_request_error'): void {
  json(res, status, { error: { message, type, param, code } });
}

/** The parts of a multipart/form-data body, by field name. */
function multipart(body: Buffer, contentType: string): Map<string, { filename?: string; text: string }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const parts = new Map<string, { filename?: string; text: string }>();
  if (!boundary) return parts;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  for (const raw of body.toString('utf8').split(delimiter)) {
    const split = raw.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = raw.slice(0, split);
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    if (!name) continue;
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    parts.set(name, { filename, text: raw.slice(split + 4).replace(/\r\n$/, '') });
  }
  return parts;
}
