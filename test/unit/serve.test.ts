// The OpenAI-compatible server (core/serve) driven by the real `openai` SDK, as Continue, Open WebUI
// and scripts drive it, with a loopback upstream: model names, the thoughtscope object, usage summed
// over upstream calls, the extension field, streaming, the history, auth, OpenAI-shaped errors,
// cancellation when the client goes away, and many clients at once.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import OpenAI, { APIError } from 'openai';
import { RunStore } from '../../src/core/history/runStore';
import { Pricing } from '../../src/core/pricing';
import { startServer, type RunningServer, type ServeOptions, type ServedRun } from '../../src/core/serve/server';
import { taskOf } from '../../src/core/tasks/builtIn';
import { TemplateLibrary } from '../../src/core/templates/library';
import { toTrace } from '../../src/core/trace';
import { closingServers, type FakeHandler, type FakeServer } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

const upstreamServer = closingServers();
const TOKEN = 'test-token-0123456789';
const retry = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

interface Served {
  server: RunningServer;
  client: OpenAI;
  upstream: FakeServer;
  store: RunStore;
  started: ServedRun[];
}

const running: RunningServer[] = [];
after(() => Promise.all(running.map((s) => s.close())));

async function serve(handler: FakeHandler, options: Partial<ServeOptions> = {}): Promise<Served> {
  const upstream = await upstreamServer(handler);
  const model = modelAt(upstream.baseUrl);
  const mini = modelAt(upstream.baseUrl, { model: 'gpt-4o' });
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'thoughtscope-serve-')));
  const started: ServedRun[] = [];
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    defaults: { task: 'auto', params: {}, budget: { maxCalls: 50 } },
    targets: () => ['gpt-4o-mini', 'mini'],
    resolve: (target) => (target === '' || target === 'gpt-4o-mini' ? model : target === 'mini' ? mini : undefined),
    profiles: [{ name: 'mini', model: mini }],
    runOptions: { pricing: new Pricing(), retry },
    save: (report, run) => store.save(toTrace(report, run.graph)).id,
    onRunStart: (s) => started.push(s),
    ...options,
  });
  running.push(server);
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
  return { server, client, upstream, store, started };
}

/** The error the SDK throws for a request, to check its status and OpenAI-shaped body. */
async function apiError(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof APIError) return err;
    throw err;
  }
  assert.fail('the request succeeded');
}

describe('serve: chat completions', () => {
  it('runs the technique named in the model, sums usage over every upstream call and reports the run', async () => {
    // The upstream ignores n, so sc's 3 samples take 3 upstream requests.
    const { client, upstream, store, started } = await serve(() => ({ choices: ['Answer: 7'], ignoreN: true }));
    const completion = await client.chat.completions.create({ model: 'sc:gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 3 + 4?' }], thoughtscope: { samples: 3 } } as never);
    assert.equal(completion.choices[0].message.content, '7');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.model, 'sc:gpt-4o-mini');
    assert.equal(upstream.requests.length, 3);
    assert.deepEqual(completion.usage && { p: completion.usage.prompt_tokens, c: completion.usage.completion_tokens, t: completion.usage.total_tokens }, {
      p: upstream.reported.promptTokens,
      c: upstream.reported.completionTokens,
      t: upstream.reported.promptTokens + upstream.reported.completionTokens,
    });
    // Only the last user message is the input: the system message did not reach the upstream.
    assert.ok(upstream.requests.every((r) => r.body.messages.length === 1 && r.prompt.includes('What is 3 + 4?') && !r.prompt.includes('Be brief')));
    const ext = (completion as unknown as { thoughtscope: Record<string, unknown> }).thoughtscope;
    const expectedCost = new Pricing().cost('gpt-4o-mini', upstream.reported.promptTokens, upstream.reported.completionTokens)!;
    assert.ok(Math.abs((ext.cost_usd as number) - expectedCost) < 1e-12, `cost ${ext.cost_usd} vs ${expectedCost}`);
    assert.equal(ext.calls, 3);
    assert.equal(ext.technique, 'sc');
    assert.equal(ext.confidence, 1);
    // Saved to the history under the id the response names, with the graph.
    const saved = store.load(ext.run_id as string);
    assert.equal(saved.technique, 'sc');
    assert.equal(saved.answer, '7');
    assert.equal(saved.trace.totals.promptTokens, upstream.reported.promptTokens);
    assert.ok(saved.trace.nodes.some((n) => n.kind === 'vote'));
    assert.equal(started.length, 1);
    assert.equal(started[0].run.graph.nodes().length, saved.trace.nodes.length);
  });

  it('takes parameters from the thoughtscope object, the request temperature, and a profile as the model', async () => {
    const { client, upstream } = await serve(() => ({ choices: ['Answer: ok'] }));
    await client.chat.completions.create({ model: 'cot:mini', temperature: 0.2, messages: [{ role: 'user', content: 'Why?' }], thoughtscope: { params: { samples: 2 } } } as never);
    assert.equal(upstream.requests[0].body.model, 'gpt-4o');
    assert.equal(upstream.requests[0].body.temperature, 0.2);
    assert.equal(upstream.requests[0].body.n, 2);
    await client.chat.completions.create({ model: 'cot', temperature: 0.2, messages: [{ role: 'user', content: 'Why?' }], thoughtscope: { temperature: 1.1 } } as never);
    assert.equal(upstream.requests[1].body.model, 'gpt-4o-mini', 'a bare technique runs on the default model');
    assert.equal(upstream.requests[1].body.temperature, 1.1, 'thoughtscope.temperature wins over the request temperature');
    await client.chat.completions.create({ model: 'io:gpt-4o-mini', messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'reply' }, { role: 'user', content: [{ type: 'text', text: 'second' }] }], thoughtscope: { input: 'conversation' } } as never);
    assert.match(upstream.requests[2].prompt, /\[user\]\nfirst\n\n\[assistant\]\nreply\n\n\[user\]\nsecond/);
  });

  it('streams the answer as chunks, with usage last when include_usage is asked', async () => {
    const { client, upstream } = await serve(() => ({ choices: ['Let me see. Answer: 24'] }));
    const stream = await client.chat.completions.create({ model: 'cot:gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'q' }] });
    let text = '';
    let role = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let runId: unknown;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        role ||= c.delta.role ?? '';
        finish = c.finish_reason ?? finish;
      }
      if (chunk.usage) usage = chunk.usage;
      runId ??= (chunk as unknown as { thoughtscope?: { run_id: string } }).thoughtscope?.run_id;
    }
    assert.equal(text, '24');
    assert.equal(role, 'assistant');
    assert.equal(finish, 'stop');
    assert.equal(usage?.prompt_tokens, upstream.reported.promptTokens);
    assert.equal(usage?.completion_tokens, upstream.reported.completionTokens);
    assert.match(String(runId), /^run-/);
  });

  it('cancels the run and its upstream requests when the client goes away', async () => {
    const { client, upstream } = await serve(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'io:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] }, { signal: controller.signal });
    while (upstream.open === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await assert.rejects(pending);
    for (let i = 0; i < 200 && upstream.clientAborts === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(upstream.clientAborts, 1, 'the hung upstream request was aborted');
  });

  it('answers 32 clients at once, each with its own answer, within the shared upstream limit', async () => {
    const { client, upstream, server } = await serve(async (req) => {
      await new Promise((r) => setTimeout(r, 10));
      return { choices: [`Answer: ${req.prompt.match(/question (\d+)/)?.[1]}`] };
    }, { concurrency: 5 });
    const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => client.chat.completions.create({ model: 'io:gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }] })));
    assert.deepEqual(answers.map((a) => a.choices[0].message.content), Array.from({ length: 32 }, (_, i) => String(i)));
    assert.equal(upstream.requests.length, 32);
    assert.ok(upstream.maxOpen <= 5, `at most 5 upstream requests at once, saw ${upstream.maxOpen}`);
    assert.equal(server.inFlight, 0);
  });
});

describe('serve: models', () => {
  it('lists every technique with the default model and each profile', async () => {
    const { client } = await serve(() => ({}));
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes('tot:gpt-4o-mini') && ids.includes('cot-sc:mini') && ids.includes('io:gpt-4o-mini'));
    assert.equal(ids.length, 15 * 2);
    assert.equal((await client.models.retrieve('tot:mini')).id, 'tot:mini');
    const missing = await apiError(client.models.retrieve('tot:nope'));
    assert.equal(missing.status, 404);
  });
});

describe('serve: errors in the shape OpenAI sends them', () => {
  const bad = async (body: Record<string, unknown>, status: number, param: string | null, code: string | null) => {
    const { client, upstream } = await serve(() => ({ choices: ['Answer: x'] }));
    const err = await apiError(client.chat.completions.create(body as never));
    assert.equal(err.status, status, err.message);
    const e = err.error as { type: string; param: string | null; code: string | null; message: string };
    assert.equal(e.param, param);
    assert.equal(e.code, code);
    assert.equal(e.type, 'invalid_request_error');
    assert.ok(e.message.length > 10 && !e.message.includes('\n    at '), 'a message, not a stack trace');
    assert.equal(upstream.requests.length, 0, 'nothing was sent upstream');
    return e.message;
  };

  it('names the field a client got wrong', async () => {
    assert.match(await bad({ model: 'nope:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] }, 404, 'model', 'model_not_found'), /io, cot, tot/);
    await bad({ model: 'cot:unknown-profile', messages: [{ role: 'user', content: 'q' }] }, 404, 'model', 'model_not_found');
    await bad({ model: 'cot:gpt-4o-mini' }, 400, 'messages', 'missing_required_parameter');
    await bad({ model: 'cot:gpt-4o-mini', messages: [{ role: 'system', content: 'only a system message' }] }, 400, 'messages', 'invalid_value');
    await bad({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 400, 'messages[0].content[0]', 'unsupported_content');
    await bad({ model: 'cot:gpt-4o-mini', n: 3, messages: [{ role: 'user', content: 'q' }] }, 400, 'n', 'invalid_value');
    await bad({ model: 'cot:gpt-4o-mini', tools: [{ type: 'function', function: { name: 'f' } }], messages: [{ role: 'user', content: 'q' }] }, 400, 'tools', 'unsupported_parameter');
    assert.match(await bad({ model: 'tot:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], thoughtscope: { breadth: 99 } }, 400, 'thoughtscope.breadth', 'invalid_value'), /breadth.*between/);
    assert.match(await bad({ model: 'tot:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], thoughtscope: { nonsense: 1 } }, 400, 'thoughtscope.nonsense', 'invalid_value'), /no parameter "nonsense"/);
    await bad({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], thoughtscope: { task: 'chess' } }, 400, 'thoughtscope.task', 'invalid_value');
  });

  it('a server whose default task is a task file (VS Code: thoughtscope.task) uses it for requests that name none, and a built-in one when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-serve-task-'));
    writeFileSync(join(dir, 'cot.liquid'), 'OWN-TASK-PROMPT {{ input }}');
    const templates = TemplateLibrary.builtIn().withDir(dir, 'user');
    const ownTask = taskOf({ spec: { id: 'mine', description: 'd', templates: { cot: 'cot' }, answer: { pattern: '^Result:\\s*(.+)$' } }, file: join(dir, 'mine.task.yaml') }, templates);
    const { client, upstream, started } = await serve(() => ({ choices: ['Result: 42\nAnswer: 7'] }), { defaults: { task: 'mine', tasks: new Map([['mine', ownTask]]), params: {}, budget: { maxCalls: 5 } } });
    const completion = await client.chat.completions.create({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: 'Why?' }] });
    assert.equal(upstream.requests[0].prompt, 'OWN-TASK-PROMPT Why?');
    assert.equal(completion.choices[0].message.content, '42', 'the task file’s answer pattern');
    assert.equal(started[0].task, 'mine');
    await client.chat.completions.create({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: 'Why?' }], thoughtscope: { task: 'generic' } } as never);
    assert.doesNotMatch(upstream.requests[1].prompt, /OWN-TASK-PROMPT/);
  });

  it('refuses file parameters from a request, so a client cannot make the server read its files', async () => {
    assert.match(await bad({ model: 'icl:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], thoughtscope: { examplesFile: '/etc/passwd' } }, 400, 'thoughtscope.examplesFile', 'unsupported_parameter'), /--param examplesFile/);
    await bad({ model: 'rag:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], thoughtscope: { params: { root: '/' } } }, 400, 'thoughtscope.root', 'unsupported_parameter');
  });

  it('a run that fails upstream is a 502 the SDK does not retry, with the cost so far', async () => {
    const { server, upstream } = await serve(() => ({ status: 401 }));
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 2 });
    const err = await apiError(client.chat.completions.create({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] }));
    assert.equal(err.status, 502);
    assert.match(err.message, /rejected the API key/);
    assert.equal((err.error as { code: string }).code, 'upstream_error');
    assert.equal(upstream.requests.length, 1, 'x-should-retry: false kept the SDK from sending it again');
    const raw = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'cot:gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] }) });
    const body = (await raw.json()) as { thoughtscope: { outcome: string; calls: number; cost_usd: number; run_id: string } };
    assert.equal(raw.headers.get('x-should-retry'), 'false');
    // A refused request is not a call and costs nothing.
    assert.deepEqual([body.thoughtscope.outcome, body.thoughtscope.calls, body.thoughtscope.cost_usd], ['failed', 0, 0]);
    assert.match(body.thoughtscope.run_id, /^run-/);
  });

  it('a run stopped by the budget says so; a request cannot raise the server budget', async () => {
    const { client } = await serve(() => ({ choices: ['4 + 5 = 9 (left: 6 9 10)'] }), { defaults: { task: 'auto', params: {}, budget: { maxCalls: 2 } } });
    const err = await apiError(client.chat.completions.create({ model: 'tot:gpt-4o-mini', messages: [{ role: 'user', content: '4 5 6 10' }], thoughtscope: { maxCalls: 1000 } } as never));
    assert.equal(err.status, 400);
    assert.equal((err.error as { code: string }).code, 'budget_exceeded');
    assert.match(err.message, /budget of 2 calls/);
  });

  it('an unknown URL, a wrong method and a body that is not JSON', async () => {
    const { server } = await serve(() => ({}));
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const unknown = await fetch(`${server.url}/v1/completions`, { method: 'POST', headers: auth, body: '{}' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_url');
    assert.equal((await fetch(`${server.url}/v1/chat/completions`, { headers: auth })).status, 405);
    const broken = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: '{"model": ' });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { error: { code: string } }).error.code, 'invalid_json');
  });
});

describe('serve: access', () => {
  it('wants the bearer token', async () => {
    const { server } = await serve(() => ({}));
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'wrong-token', maxRetries: 0 });
    const err = await apiError(wrong.models.list());
    assert.equal(err.status, 401);
    assert.equal((err.error as { code: string }).code, 'invalid_api_key');
    const none = await fetch(`${server.url}/v1/models`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'missing_api_key');
  });

  it('without a token: loopback only, loopback Host names only, JSON bodies only', async () => {
    await assert.rejects(startServer({ host: '0.0.0.0', port: 0, defaults: { task: 'auto', params: {}, budget: {} }, targets: () => [], resolve: () => undefined }), /refusing to listen on 0\.0\.0\.0 without a token/);
    const { server } = await serve(() => ({ choices: ['Answer: 1'] }), { token: undefined });
    const open = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'anything', maxRetries: 0 });
    assert.equal((await open.chat.completions.create({ model: 'io', messages: [{ role: 'user', content: 'q' }] })).choices[0].message.content, '1');
    // A page on a rebound DNS name reaches 127.0.0.1 with its own Host header.
    const rebound = await rawRequest(server, { host: `evil.example:${server.port}` });
    assert.equal(rebound.status, 403);
    assert.equal(JSON.parse(rebound.body).error.code, 'forbidden_host');
    // A form post (no preflight) is not JSON.
    const form = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"model":"io","messages":[{"role":"user","content":"q"}]}' });
    assert.equal(form.status, 415);
  });
});

function rawRequest(server: RunningServer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/models', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
