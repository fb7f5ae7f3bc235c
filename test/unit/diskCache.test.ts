// The response cache across runs (core/run/diskCache.ts + replay.ts), through real runs against the
// loopback server: a re-run sends only the requests that changed, replayed calls are marked and cost $0
// with their first cost kept, they count against the call budget, expiry and the size cap hold, keys
// never reach the disk, and a broken cache folder never fails a run.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { evaluate } from '../../src/core/eval/evaluate';
import { findScorer } from '../../src/core/eval/scorers';
import { buildReport } from '../../src/core/report/pareto';
import { renderMermaid, unescapeLabel } from '../../src/core/render/mermaid';
import { DiskCache, diskCacheKey } from '../../src/core/run/diskCache';
import { genericTask } from '../../src/core/tasks/generic';
import type { Technique } from '../../src/core/techniques/types';
import { scTechnique } from '../../src/core/techniques/sc';
import { toTrace } from '../../src/core/trace';
import { closingServers } from '../support/fakeOpenAI';
import { modelAt, runAt } from '../support/runHelpers';

const server = closingServers();
const DAY = 24 * 60 * 60 * 1000;

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'thoughtscope-diskcache-'));
}

/** Every stored answer file under `dir`. */
function storedFiles(dir: string): string[] {
  const out: string[] = [];
  for (const shard of readdirSync(dir)) for (const name of readdirSync(join(dir, shard))) out.push(join(dir, shard, name));
  return out;
}

/** One call per line of the input, each line its own prompt: editing a line changes that call only. */
const perLine: Technique = {
  id: 'per-line',
  name: 'Per line (test)',
  description: 'One call per input line.',
  params: [],
  async run({ run, input }) {
    const root = run.graph.addNode({ kind: 'question', text: input });
    const lines = input.split('\n');
    const replies = await Promise.all(
      lines.map((line) => {
        const node = run.graph.addNode({ kind: 'thought', text: line, status: 'pending' }, [{ id: root.id, kind: 'expand' }]);
        return run.call(node.id, 'ask', { messages: [{ role: 'user', content: line }], temperature: 0 });
      }),
    );
    return { answer: replies.map((r) => r.choices[0]).join(' | ') };
  },
};

const echo = (req: { prompt: string }) => ({ choices: [`Answer: ${req.prompt.toUpperCase()}`], usage: { prompt_tokens: 100, completion_tokens: 20 } });

describe('a re-run pays only for the calls that changed', () => {
  it('sends only the edited prompt; the rest are replayed at $0 with their first cost shown', async () => {
    const s = await server(echo);
    const cache = new DiskCache({ dir: freshDir() });
    const first = await runTechnique({ technique: perLine, task: genericTask, input: 'alpha\nbeta\ngamma\ndelta', run: runAt(s.baseUrl, { diskCache: cache }) });
    assert.equal(s.requests.length, 4);
    assert.equal(first.summary.totals.calls, 4);
    assert.equal(first.summary.totals.replayed, undefined);

    const run = runAt(s.baseUrl, { diskCache: cache });
    const second = await runTechnique({ technique: perLine, task: genericTask, input: 'alpha\nBETA edited\ngamma\ndelta', run });
    assert.equal(second.summary.outcome, 'done');
    assert.deepEqual(s.requests.slice(4).map((r) => r.prompt), ['BETA edited'], 'only the changed call reached the server');
    assert.equal(second.summary.answer, 'Answer: ALPHA | Answer: BETA EDITED | Answer: GAMMA | Answer: DELTA');
    const t = second.summary.totals;
    assert.equal(t.calls, 1);
    assert.equal(t.cachedCalls, 3);
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens; each call 100 in / 20 out.
    const perCall = (100 * 0.15 + 20 * 0.6) / 1e6;
    assert.ok(Math.abs((t.costUsd ?? -1) - perCall) < 1e-12, 'only the sent call is paid now');
    assert.equal(t.replayed?.calls, 3);
    assert.equal(t.replayed?.promptTokens, 300);
    assert.ok(Math.abs((t.replayed?.costUsd ?? -1) - 3 * perCall) < 1e-12, 'the replayed calls keep what they first cost');

    const replayedNodes = run.graph.nodes().filter((n) => n.calls.some((c) => c.replayed));
    assert.deepEqual(replayedNodes.map((n) => n.text).sort(), ['alpha', 'delta', 'gamma']);
    for (const node of replayedNodes) {
      const call = node.calls[0];
      assert.equal(call.cached, true);
      assert.equal(call.costUsd, 0);
      assert.equal(node.costUsd, 0);
      assert.deepEqual(call.usage, { promptTokens: 0, completionTokens: 0, estimated: false });
      assert.ok(Math.abs((call.replayed!.costUsd ?? -1) - perCall) < 1e-12);
      assert.ok(!Number.isNaN(Date.parse(call.replayed!.storedAt)));
    }
    const edited = run.graph.nodes().find((n) => n.text === 'BETA edited')!;
    assert.equal(edited.calls[0].cached, false);
    assert.equal(edited.calls[0].replayed, undefined);

    // The trace and the graph say so too.
    const trace = toTrace({ technique: 'per-line', task: 'generic', params: {}, model: 'gpt-4o-mini', input: 'x', summary: second.summary }, run.graph);
    assert.equal(trace.totals.replayed?.calls, 3);
    assert.equal(trace.nodes.filter((n) => n.calls.some((c) => c.cached && c.replayed)).length, 3);
    const labels = [...renderMermaid(run.graph.snapshot()).matchAll(/\("([^"]*)"\)/g)].map((m) => unescapeLabel(m[1]));
    assert.equal(labels.filter((l) => l.includes(`cached (was $${perCall.toFixed(6)})`)).length, 3, labels.join('\n'));
    assert.ok(labels.some((l) => l.startsWith('BETA edited') && !l.includes('cached')));
  });

  it('an evaluation re-run sends only the changed item; the report prices replayed answers at their first cost', async () => {
    const s = await server((req) => ({ choices: [`Answer: ${req.prompt.includes('2+2') ? 4 : req.prompt.includes('3+3') ? 6 : 10}`], usage: { prompt_tokens: 50, completion_tokens: 10 } }));
    const cache = new DiskCache({ dir: freshDir() });
    const scorer = findScorer('numeric')!;
    const items = [
      { index: 0, input: 'What is 2+2?', expected: '4' },
      { index: 1, input: 'What is 3+3?', expected: '6' },
      { index: 2, input: 'What is 5+5?', expected: '10' },
    ];
    const run = (list: typeof items) =>
      evaluate({ technique: perLine, task: genericTask, scorer, items: list, model: modelAt(s.baseUrl), concurrency: 2, runOptions: { diskCache: cache } });
    const first = await run(items);
    assert.equal(s.requests.length, 3);
    const second = await run([items[0], { index: 1, input: 'What is 3+3, exactly?', expected: '6' }, items[2]]);
    assert.deepEqual(s.requests.slice(3).map((r) => r.prompt), ['What is 3+3, exactly?']);
    assert.equal(second.summary.correct, 3);
    assert.equal(second.summary.replayed?.calls, 2);
    assert.ok(second.summary.costUsd! < first.summary.costUsd!);
    // What each technique costs, not what this session paid: the report's cost per item is unchanged.
    const [a, b] = buildReport([first, second]).points;
    assert.ok(Math.abs(a.costPerItem! - b.costPerItem!) < 1e-12);
    assert.equal(a.tokensPerItem, b.tokensPerItem);
  });
});

describe('what makes two requests the same', () => {
  it('sample numbers (cacheSalt), temperature, n and the model each make a different request', () => {
    const base = { messages: [{ role: 'user' as const, content: 'q' }], temperature: 0.7 };
    const key = diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', base);
    assert.equal(diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', { temperature: 0.7, messages: [{ content: 'q', role: 'user' }] }), key, 'field order does not matter');
    assert.equal(diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', { ...base, stop: undefined }), key, 'an unset field is no field');
    for (const other of [
      diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', { ...base, cacheSalt: 1 }),
      diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', { ...base, temperature: 0.8 }),
      diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', { ...base, n: 3 }),
      diskCacheKey('http://127.0.0.1:1/v1 gpt-4o', base),
      diskCacheKey('http://127.0.0.1:2/v1 gpt-4o-mini', base),
      diskCacheKey('http://127.0.0.1:1/v1 gpt-4o-mini', { ...base, seed: 7 } as typeof base),
    ]) {
      assert.notEqual(other, key);
    }
  });

  it('self-consistency samples are replayed as a whole, and another server is asked afresh', async () => {
    const s = await server((req) => ({ choices: ['Answer: 4', 'Answer: 4', 'Answer: 5'].slice(0, req.body.n ?? 1) }));
    const other = await server(() => ({ choices: ['Answer: 4'] }));
    const cache = new DiskCache({ dir: freshDir() });
    const params = { samples: 3 };
    const first = await runTechnique({ technique: scTechnique, task: genericTask, input: '2+2?', params, run: runAt(s.baseUrl, { diskCache: cache }) });
    const sent = s.requests.length;
    const again = await runTechnique({ technique: scTechnique, task: genericTask, input: '2+2?', params, run: runAt(s.baseUrl, { diskCache: cache }) });
    assert.equal(s.requests.length, sent, 'nothing sent the second time');
    assert.equal(again.summary.answer, first.summary.answer);
    assert.equal(again.summary.confidence, first.summary.confidence);
    await runTechnique({ technique: scTechnique, task: genericTask, input: '2+2?', params, run: runAt(other.baseUrl, { diskCache: cache }) });
    assert.ok(other.requests.length > 0, 'a different server is not answered from the first one’s answers');
  });
});

describe('limits', () => {
  it('replayed calls count against the call budget: a re-run stops where the first run stopped', async () => {
    const s = await server(echo);
    const cache = new DiskCache({ dir: freshDir() });
    const input = 'a\nb\nc\nd\ne';
    await runTechnique({ technique: perLine, task: genericTask, input, run: runAt(s.baseUrl, { diskCache: cache }) });
    assert.equal(s.requests.length, 5);
    const report = await runTechnique({ technique: perLine, task: genericTask, input, run: runAt(s.baseUrl, { diskCache: cache, budget: { maxCalls: 3 }, concurrency: 1 }) });
    assert.equal(report.summary.outcome, 'budget');
    assert.match(report.summary.message ?? '', /budget of 3 calls/);
    assert.equal(report.summary.totals.replayed?.calls, 3);
    assert.equal(s.requests.length, 5, 'nothing was sent');
  });

  it('an answer older than the expiry is a miss: sent again and stored anew', async () => {
    const s = await server(echo);
    let now = Date.parse('2030-01-01T00:00:00Z');
    const dir = freshDir();
    const cache = new DiskCache({ dir, maxAgeMs: 2 * DAY, now: () => now });
    const once = () => runTechnique({ technique: perLine, task: genericTask, input: 'q', run: runAt(s.baseUrl, { diskCache: cache }) });
    await once();
    now += DAY;
    await once();
    assert.equal(s.requests.length, 1, 'a day old: replayed');
    assert.equal((await cache.stats()).expired, 0);
    now += 2 * DAY;
    assert.equal((await cache.stats()).expired, 1);
    await once();
    assert.equal(s.requests.length, 2, 'three days old: sent again');
    const stored = JSON.parse(readFileSync(storedFiles(dir)[0], 'utf8')) as { storedAt: number };
    assert.equal(stored.storedAt, now);
    now += 3 * DAY;
    assert.equal(await cache.clear(true), 1);
    assert.equal(storedFiles(dir).length, 0);
  });

  it('past the size cap the least recently used answers go first', async () => {
    const s = await server((req) => ({ choices: [`Answer: ${'x'.repeat(400)} ${req.prompt}`] }));
    const dir = freshDir();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const probe = new DiskCache({ dir: freshDir() });
    await runTechnique({ technique: perLine, task: genericTask, input: 'p0', run: runAt(s.baseUrl, { diskCache: probe }) });
    const size = (await probe.stats()).bytes;
    // Room for three answers, not four.
    const cache = new DiskCache({ dir, maxBytes: Math.floor(size * 3.5), now: () => now });
    const ask = (line: string) => runTechnique({ technique: perLine, task: genericTask, input: line, run: runAt(s.baseUrl, { diskCache: cache }) });
    for (const line of ['p0', 'p1', 'p2']) {
      now += 1000;
      await ask(line);
    }
    assert.equal((await cache.stats()).entries, 3);
    now += 1000;
    await ask('p0'); // p0 used again: now the most recent
    const sent = s.requests.length;
    assert.equal(sent, 4, "the probe and p0, p1, p2; p0 the second time came from the cache");
    now += 1000;
    await ask('p3'); // over the cap: evicts down to 90% of it, least recently used first: p1
    await cache.maintained();
    const stats = await cache.stats();
    assert.ok(stats.bytes <= cache.maxBytes * 0.9, `${stats.bytes} > 90% of ${cache.maxBytes}`);
    assert.equal(stats.entries, 3);
    for (const line of ['p0', 'p2', 'p3']) await ask(line);
    assert.equal(s.requests.length, sent + 1, 'p0, p2 and p3 were kept');
    await ask('p1');
    assert.equal(s.requests.length, sent + 2, 'p1 was evicted');
  });
});

describe('safety', () => {
  it('keys never reach the cache folder', async () => {
    const s = await server(echo);
    const dir = freshDir();
    const secret = 'sk-test-DO-NOT-STORE-1234567890';
    const cache = new DiskCache({ dir });
    const model = modelAt(s.baseUrl, { apiKey: secret });
    const report = await runTechnique({ technique: perLine, task: genericTask, input: 'one\ntwo', run: runAt(s.baseUrl, { diskCache: cache, model }) });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(s.requests[0].headers.authorization, `Bearer ${secret}`, 'the key was sent to the server');
    const files = storedFiles(dir);
    assert.equal(files.length, 2);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(secret) && !text.includes('DO-NOT-STORE'), `${file} holds a credential`);
    }
    assert.ok(!model.cacheIdentity.includes(secret));
    // A password in the base URL never gets that far: such a base URL is refused (fetch cannot send it).
    assert.throws(() => modelAt(s.baseUrl.replace('http://', 'http://user:pw-DO-NOT-STORE@')), (err: Error) => /holds a user name or password/.test(err.message) && !err.message.includes('DO-NOT-STORE'));
  });

  it('a corrupt answer file is a miss and is replaced; an unwritable folder warns once and runs as usual', async () => {
    const s = await server(echo);
    const dir = freshDir();
    const cache = new DiskCache({ dir });
    const ask = (c: DiskCache) => runTechnique({ technique: perLine, task: genericTask, input: 'q', run: runAt(s.baseUrl, { diskCache: c }) });
    await ask(cache);
    const [file] = storedFiles(dir);
    writeFileSync(file, '{"format":1,"key":"not this one"');
    const report = await ask(cache);
    assert.equal(report.summary.outcome, 'done');
    assert.equal(s.requests.length, 2);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { response: { choices: string[] } }).response.choices[0], 'Answer: Q');

    // A cache folder below a plain file cannot be made (even by root).
    const notAFolder = join(freshDir(), 'file');
    writeFileSync(notAFolder, 'x');
    const warnings: string[] = [];
    const broken = new DiskCache({ dir: join(notAFolder, 'responses'), warn: (m) => warnings.push(m) });
    const r1 = await ask(broken);
    const r2 = await ask(broken);
    assert.equal(r1.summary.outcome, 'done');
    assert.equal(r2.summary.outcome, 'done');
    assert.equal(s.requests.length, 4, 'both runs sent their request');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^response cache: cannot (read|write) .*file\/responses.*; requests are sent as usual$/);
  });
});
