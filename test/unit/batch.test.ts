// Evaluations through the Batch API (core/eval/batch*.ts) against a loopback server with OpenAI's
// Files and Batch endpoints (test/support/fakeBatch.ts), through the real openai SDK: the input file,
// the status lifecycle with progress, answers matched by custom_id, batch pricing, the checkpoint's
// batch id and resuming from it without a second batch, expiry, refused requests, failed validation,
// and `thoughtscope eval --batch` as built, stopped and resumed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startOtlpReceiver } from '../support/otlpReceiver';
import { evaluateWithBatch, type BatchEvalOptions, type BatchProgress } from '../../src/core/eval/batch';
import { OpenAIBatchClient } from '../../src/core/eval/batchClient';
import { BATCH_MARK } from '../../src/core/eval/checkpoint';
import { findScorer } from '../../src/core/eval/scorers';
import type { EvalItem } from '../../src/core/eval/types';
import { Pricing } from '../../src/core/pricing';
import { genericTask } from '../../src/core/tasks/generic';
import { findTechnique } from '../../src/core/techniques/registry';
import { defaultUsage, type FakeRequest } from '../support/fakeOpenAI';
import { startFakeBatchServer, type FakeBatchOptions, type FakeBatchServer } from '../support/fakeBatch';
import { modelAt } from '../support/runHelpers';

const KEY = 'sk-batch-test';
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-batch-'));
const servers: FakeBatchServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const ITEMS: EvalItem[] = [3, 5, 7, 9, 11].map((n, index) => ({ index, input: `What is ${n} + ${n}?`, expected: String(2 * n) }));
/** The model answers right, except 11 + 11. */
const answerOf = (req: FakeRequest) => {
  const n = Number(/What is (\d+) \+/.exec(req.prompt)?.[1]);
  return { choices: [`Adding. Answer: ${n === 11 ? 21 : 2 * n}`] };
};

async function batchServer(options: Partial<FakeBatchOptions> = {}): Promise<FakeBatchServer> {
  const server = await startFakeBatchServer({ reply: answerOf, apiKey: KEY, ...options });
  servers.push(server);
  return server;
}

let runs = 0;
function options(server: FakeBatchServer, extra: Partial<BatchEvalOptions> = {}): BatchEvalOptions & { progress: BatchProgress[] } {
  const progress: BatchProgress[] = [];
  const name = `eval-${runs++}`;
  return {
    technique: findTechnique('cot-sc')!,
    task: genericTask,
    scorer: findScorer('numeric')!,
    items: ITEMS,
    model: modelAt(server.baseUrl),
    params: { samples: 3 },
    runOptions: { pricing: new Pricing() },
    checkpoint: join(dir, `${name}.checkpoint.jsonl`),
    traces: join(dir, `${name}.traces.jsonl`),
    dataset: 'sums.jsonl',
    client: new OpenAIBatchClient({ baseUrl: server.baseUrl, apiKey: KEY }),
    pollMs: 5,
    priceFactor: 0.5,
    onBatch: (p) => progress.push(p),
    progress,
    ...extra,
  };
}

const checkpointLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('eval through the Batch API', () => {
  it('sends one batch of the items, polls it to the end, and scores its answers at the batch rate', async () => {
    const server = await batchServer();
    const o = options(server);
    const results = await evaluateWithBatch(o);
    // One input file of five lines, one per item, each the cot-sc request with n = 3.
    const inputs = [...server.files.values()].filter((f) => f.purpose === 'batch');
    assert.equal(inputs.length, 1);
    const lines = inputs[0].content.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.custom_id), ['item-0', 'item-1', 'item-2', 'item-3', 'item-4']);
    for (const l of lines) {
      assert.equal(l.method, 'POST');
      assert.equal(l.url, '/v1/chat/completions');
      assert.equal(l.body.model, 'gpt-4o-mini');
      assert.equal(l.body.n, 3);
    }
    assert.equal(server.batches.size, 1);
    // Progress followed the lifecycle.
    assert.deepEqual(o.progress.map((p) => p.status), ['in_progress', 'finalizing', 'completed']);
    assert.deepEqual(o.progress.at(-1), { batchId: [...server.batches.keys()][0], status: 'completed', completed: 5, failed: 0, total: 5, submittedNow: true });

    // Answers matched by custom_id (the output file lists them in reverse).
    assert.deepEqual(results.items.map((i) => [i.index, i.answer, i.correct]), [[0, '6', true], [1, '10', true], [2, '14', true], [3, '18', true], [4, '21', false]]);
    assert.equal(results.summary.correct, 4);
    assert.equal(results.meta.unfinished, 0);
    assert.equal(results.meta.batch?.status, 'completed');
    // Half the table's price, from the usage the batch reported.
    const pricing = new Pricing();
    for (const item of results.items) {
      const req = server.ran.find((r) => r.prompt.includes(ITEMS[item.index].input))!;
      const usage = defaultUsage(req, Array(3).fill(answerOf(req).choices[0]));
      assert.equal(item.promptTokens, usage.prompt_tokens);
      assert.ok(Math.abs(item.costUsd! - pricing.cost('gpt-4o-mini', usage.prompt_tokens, usage.completion_tokens)! / 2) < 1e-12);
      assert.equal(item.samples.length, 3);
    }
    // The checkpoint: header, the batch submitted, five items, the batch applied; the traces: five runs.
    const cp = checkpointLines(o.checkpoint);
    assert.deepEqual(cp.filter((l) => l[BATCH_MARK]).map((l) => l[BATCH_MARK].event), ['submitted', 'applied']);
    assert.equal(cp.filter((l) => Number.isInteger(l.index)).length, 5);
    const traces = readFileSync(o.traces!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(traces.length, 5);
    assert.ok(traces.every((t) => t.trace.technique === 'cot-sc' && t.trace.nodes.some((n: { kind: string }) => n.kind === 'vote')));
  });

  it('keeps the batch id in the checkpoint: a restart polls the same batch instead of paying for another', async () => {
    const server = await batchServer();
    server.hold = true;
    const controller = new AbortController();
    const first = options(server, { signal: controller.signal, onBatch: () => controller.abort() });
    const stopped = await evaluateWithBatch(first);
    assert.match(stopped.meta.stopped ?? '', /stopped polling; batch batch_\w+ goes on at the provider/);
    assert.equal(stopped.meta.unfinished, 5);
    const submitted = checkpointLines(first.checkpoint).find((l) => l[BATCH_MARK])[BATCH_MARK];
    assert.equal(submitted.event, 'submitted');
    assert.deepEqual(submitted.items, [0, 1, 2, 3, 4]);

    server.hold = false;
    const again = options(server, { checkpoint: first.checkpoint, traces: first.traces, resume: true });
    const results = await evaluateWithBatch(again);
    assert.equal(server.batches.size, 1, 'no second batch');
    assert.equal([...server.files.values()].filter((f) => f.purpose === 'batch').length, 1, 'no second upload');
    assert.equal(again.progress[0].batchId, submitted.id);
    assert.equal(again.progress[0].submittedNow, false);
    assert.equal(results.meta.unfinished, 0);
    assert.equal(results.summary.correct, 4);
    // Once applied, resuming again runs nothing and sends nothing.
    const third = await evaluateWithBatch(options(server, { checkpoint: first.checkpoint, traces: first.traces, resume: true }));
    assert.equal(third.summary.total, 5);
    assert.equal(server.batches.size, 1);
  });

  it('an expired batch: its answers count, the rest stay unfinished and --resume sends only those', async () => {
    const scripted: FakeBatchOptions = { reply: answerOf, apiKey: KEY, expireAfter: 2 };
    const server = await startFakeBatchServer(scripted);
    servers.push(server);
    const o = options(server);
    const partial = await evaluateWithBatch(o);
    assert.equal(partial.meta.batch?.status, 'expired');
    assert.equal(partial.items.length, 2);
    assert.equal(partial.meta.unfinished, 3);
    assert.deepEqual(partial.meta.batch?.failedItems.map((f) => f.error), Array(3).fill('batch_expired: This request could not be executed before the completion window expired.'));
    assert.match(partial.meta.stopped ?? '', /3 items got no answer from batch \w+ \(expired; item \d: batch_expired/);

    scripted.expireAfter = undefined; // the next batch has time to finish
    const rest = await evaluateWithBatch(options(server, { checkpoint: o.checkpoint, traces: o.traces, resume: true }));
    assert.equal(server.batches.size, 2);
    const second = [...server.files.values()].filter((f) => f.purpose === 'batch')[1];
    assert.equal(second.content.trim().split('\n').length, 3, 'only the unanswered items');
    assert.equal(rest.meta.unfinished, 0);
    assert.deepEqual(rest.items.map((i) => i.index), [0, 1, 2, 3, 4]);
  });

  it('a request the server refused is reported with its item and left unfinished', async () => {
    const server = await batchServer({ reply: (req) => (req.prompt.includes('What is 7 +') ? { status: 400 } : answerOf(req)) });
    const results = await evaluateWithBatch(options(server));
    assert.deepEqual(results.meta.batch?.failedItems, [{ index: 2, error: 'HTTP 400: injected HTTP 400' }]);
    assert.deepEqual(results.items.map((i) => i.index), [0, 1, 3, 4]);
    assert.equal(results.meta.unfinished, 1);
  });

  it('a batch that fails validation says why and is not polled again', async () => {
    const server = await batchServer({ maxRequests: 4 });
    const o = options(server);
    const results = await evaluateWithBatch(o);
    assert.match(results.meta.stopped ?? '', /batch \w+ failed: The batch input file has 5 requests; at most 4 are allowed/);
    assert.equal(results.items.length, 0);
    assert.deepEqual(checkpointLines(o.checkpoint).filter((l) => l[BATCH_MARK]).map((l) => l[BATCH_MARK].event), ['submitted', 'failed']);
  });

  it('refuses techniques that make more than one request, and says so before sending anything', async () => {
    const server = await batchServer();
    await assert.rejects(evaluateWithBatch(options(server, { technique: findTechnique('tot')!, params: {} })), /--batch runs techniques that make one request per item \(io, cot, icl, sc, cot-sc\); "tot" makes more/);
    assert.equal(server.files.size, 0);
  });

  it('a wrong key is one line naming the server and the step', async () => {
    const server = await batchServer();
    const o = options(server, { client: new OpenAIBatchClient({ baseUrl: server.baseUrl, apiKey: 'sk-wrong' }) });
    await assert.rejects(evaluateWithBatch(o), (err: Error) => /^Cannot upload the batch input file: the server at http:\/\/127\.0\.0\.1:\d+\/v1 answered HTTP 401 — Incorrect API key provided\.$/.test(err.message));
  });
});

describe('the fake Batch API follows the documented behaviour', () => {
  it('refuses what OpenAI refuses, in its error shape', async () => {
    const server = await batchServer();
    const post = (path: string, body: unknown) => fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const missing = await post('/batches', { endpoint: '/v1/chat/completions', completion_window: '24h' });
    assert.equal(missing.status, 400);
    assert.deepEqual(((await missing.json()) as { error: object }).error, { message: "Missing required parameter: 'input_file_id'.", type: 'invalid_request_error', param: 'input_file_id', code: 'missing_required_parameter' });
    const window = await post('/batches', { input_file_id: 'file-x', endpoint: '/v1/chat/completions', completion_window: '48h' });
    assert.equal(((await window.json()) as { error: { param: string } }).error.param, 'completion_window');
    assert.equal((await fetch(`${server.baseUrl}/batches/batch_nope`, { headers: { authorization: `Bearer ${KEY}` } })).status, 404);
    // A batch input file cannot be downloaded.
    const client = new OpenAIBatchClient({ baseUrl: server.baseUrl, apiKey: KEY });
    const id = await client.upload('{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}\n', 'in.jsonl');
    await assert.rejects(client.download(id), /HTTP 400 — Not allowed to download files of purpose: batch\./);
    // Validation names the line.
    const bad = await client.upload('not json\n{"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{"model":"m"}}\n', 'bad.jsonl');
    const batch = await client.create(bad, {});
    assert.equal(batch.status, 'validating');
    const failed = await client.retrieve(batch.id);
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.errors?.data?.map((e) => [e.code, e.line]), [['invalid_json_line', 1], ['mismatched_endpoint', 2]]);
    const cancel = await post(`/batches/${batch.id}/cancel`, {});
    assert.equal(cancel.status, 400);
  });
});

describe('thoughtscope eval --batch', () => {
  const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
  const data = join(dir, 'sums.jsonl');
  writeFileSync(data, ITEMS.map((i) => JSON.stringify({ input: i.input, expected: i.expected })).join('\n'));

  function evalCli(server: FakeBatchServer, out: string, extra: string[] = [], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [CLI, 'eval', '--batch', '--task', 'numeric', '-t', 'cot', '--data', data, '--out', out, '--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--api-key', KEY, '--poll-seconds', '0.02', ...extra], {
      env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    return { child, output: () => ({ stdout, stderr }), exit: once(child, 'exit').then(([code]) => code as number) };
  }

  it('reports progress, is stopped with Ctrl+C while the batch runs, and --resume finishes it from the same batch', async () => {
    const server = await batchServer();
    server.hold = true;
    const out = join(dir, 'cli.json');
    const first = evalCli(server, out);
    const checkpoint = join(dir, 'cli.checkpoint.jsonl');
    while (!(existsSync(checkpoint) && readFileSync(checkpoint, 'utf8').includes(BATCH_MARK))) await new Promise((r) => setTimeout(r, 20));
    while (!/validating/.test(first.output().stderr)) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGINT');
    assert.equal(await first.exit, 1);
    assert.match(first.output().stderr, /batch batch_\w+: validating\n/);
    assert.match(first.output().stderr, /stopped polling; batch batch_\w+ goes on at the provider; 5 of 5 items unfinished\. Add --resume/);

    server.hold = false;
    const second = evalCli(server, out, ['--resume']);
    assert.equal(await second.exit, 0, second.output().stderr);
    assert.match(second.output().stderr, /\(from the checkpoint\): completed · 5\/5 requests done/);
    assert.match(second.output().stdout, /cot on .*sums\.jsonl \(numeric, gpt-4o-mini\): 4\/5 correct/);
    assert.match(second.output().stdout, /Batch batch_\w+: completed/);
    assert.equal(server.batches.size, 1);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(results.summary.correct, 4);
  });

  it('exports each item\'s run to OpenTelemetry as its batch answer is applied', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const server = await batchServer();
      const run = evalCli(server, join(dir, 'otel.json'), [], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '10' });
      assert.equal(await run.exit, 0, run.output().stderr);
      const roots = receiver.spans.filter((span) => span.parentSpanId === '');
      assert.deepEqual(roots.map((r) => Number(r.attributes['thoughtscope.eval.item'])).sort(), ITEMS.map((_, i) => i));
      assert.ok(roots.every((r) => r.attributes['thoughtscope.batch'] === true && r.attributes['thoughtscope.technique'] === 'cot'));
    } finally {
      await receiver.close();
    }
  });

  it('refuses --batch for a technique of many calls, and --max-usd, with exit code 2', async () => {
    const server = await batchServer();
    const tot = evalCli(server, join(dir, 'tot.json'), ['--technique', 'tot']);
    assert.equal(await tot.exit, 2);
    assert.match(tot.output().stderr, /^thoughtscope: --batch runs techniques that make one request per item/);
    const usd = evalCli(server, join(dir, 'usd.json'), ['--max-usd', '1']);
    assert.equal(await usd.exit, 2);
    assert.match(usd.output().stderr, /--max-usd cannot stop a batch/);
    assert.equal(server.files.size, 0);
  });
});
