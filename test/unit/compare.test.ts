// Comparing techniques: one row per technique whose totals equal its trace, agreement, correctness,
// the shared concurrency limit, and `thoughtscope compare` from the built CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { splitParams } from '../../src/cli/compareCommand';
import { compareTechniques, type CompareResult } from '../../src/core/compare/compare';
import { findScorer } from '../../src/core/eval/scorers';
import { genericTask } from '../../src/core/tasks/generic';
import { findTechnique } from '../../src/core/techniques/registry';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-compare-'));
const technique = (id: string) => findTechnique(id)!;

let server: FakeServer;
before(async () => {
  server = await startFakeServer((req) => {
    if (/sure, likely or impossible/.test(req.prompt)) return { choices: ['Looks right.\nsure'], delayMs: 5 };
    // CoT's prompt asks to think step by step: it answers 5, the others 4.
    if (/Think step by step/.test(req.prompt)) return { choices: ['2 and 2 make 5.\nAnswer: 5'], delayMs: 5 };
    return { choices: ['Add them.\nAnswer: 4'], delayMs: 5 };
  });
});
after(() => server.close());

function sumNodes(trace: CompareResult['rows'][number]['trace'], key: 'promptTokens' | 'completionTokens'): number {
  return trace.nodes.reduce((s, n) => s + n.usage[key], 0);
}

describe('compareTechniques', () => {
  it('gives one row per technique with totals equal to its trace', async () => {
    const start = { ...server.reported, requests: server.requests.length };
    const result = await compareTechniques({
      input: 'What is 2+2?',
      task: genericTask,
      entries: ['io', 'cot', 'tot'].map((id) => ({ technique: technique(id), model: modelAt(server.baseUrl), params: id === 'tot' ? { breadth: 2, steps: 2 } : {} })),
      expected: '4',
      scorer: findScorer('numeric'),
      concurrency: 2,
    });
    assert.deepEqual(result.rows.map((r) => r.technique), ['io', 'cot', 'tot']);
    for (const row of result.rows) {
      assert.equal(row.outcome, 'done', `${row.technique}: ${row.message}`);
      assert.equal(row.calls, row.trace.totals.calls);
      assert.equal(row.promptTokens, row.trace.totals.promptTokens);
      assert.equal(row.completionTokens, row.trace.totals.completionTokens);
      assert.equal(row.costUsd, row.trace.totals.costUsd);
      assert.equal(row.promptTokens, sumNodes(row.trace, 'promptTokens'), `${row.technique}: node usage adds up`);
      assert.equal(row.completionTokens, sumNodes(row.trace, 'completionTokens'));
      assert.equal(row.trace.technique, row.technique);
      assert.equal(row.answer, row.trace.answer);
    }
    assert.equal(result.rows.reduce((s, r) => s + r.calls, 0), server.requests.length - start.requests);
    assert.equal(result.rows.reduce((s, r) => s + r.promptTokens, 0), server.reported.promptTokens - start.promptTokens);
    assert.ok(server.maxOpen <= 2, `one shared limit of 2, saw ${server.maxOpen}`);
    const io = result.rows[0];
    const cot = result.rows[1];
    assert.equal(io.answer, '4');
    assert.equal(io.correct, true);
    assert.equal(cot.answer, '5');
    assert.equal(cot.correct, false);
    assert.equal(cot.agreement, 0);
    assert.equal(io.agreement, result.rows[2].answer === '4' ? 0.5 : 0);
  });

  it('checks every parameter before sending anything', async () => {
    const start = server.requests.length;
    await assert.rejects(
      compareTechniques({ input: 'q', task: genericTask, entries: [{ technique: technique('io'), model: modelAt(server.baseUrl) }, { technique: technique('tot'), model: modelAt(server.baseUrl), params: { breadth: 0 } }] }),
      /technique "tot" parameter "breadth" must be between/,
    );
    assert.equal(server.requests.length, start);
  });

  it('sends --param name=value to every technique that has it, tech.name=value to one', () => {
    const split = splitParams({ samples: '3', 'tot.breadth': '2' }, ['io', 'cot', 'tot'].map(technique));
    assert.deepEqual(split.get('io'), { samples: '3' });
    assert.deepEqual(split.get('tot'), { samples: '3', breadth: '2' });
    assert.throws(() => splitParams({ bogus: '1' }, [technique('io')]), /none of io has a parameter "bogus"/);
    assert.throws(() => splitParams({ 'cot.fewShot': 'true' }, [technique('io')]), /"cot" is not one of the compared techniques/);
  });
});

describe('thoughtscope compare', () => {
  it('prints a table and writes the rows with traces as JSON', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
    const out = join(dir, 'compare.json');
    const args = ['compare', '--techniques', 'io,cot', '--models', 'gpt-4o-mini,gpt-4o', '-i', 'What is 2+2?', '--expected', '4', '--score', 'numeric', '--base-url', server.baseUrl, '--out', out];
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_CACHE: 'off' }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^technique\s+model\s+effort\s+answer\s+agree\s+correct\s+calls\s+tokens in\s+tokens out\s+cost\s+wall$/);
    assert.equal(lines.length, 2 + 4, 'header, rule and one row per technique and model');
    assert.match(r.stdout, /^io\s+gpt-4o\s+-\s+4\s+33%\s+yes\s+1\s/m);
    assert.match(r.stdout, /^cot\s+gpt-4o-mini\s+-\s+5\s+33%\s+no\s+1\s/m);
    const json = JSON.parse(readFileSync(out, 'utf8')) as CompareResult;
    assert.equal(json.rows.length, 4);
    assert.deepEqual(json.rows.map((row) => `${row.technique}@${row.model}`), ['io@gpt-4o-mini', 'cot@gpt-4o-mini', 'io@gpt-4o', 'cot@gpt-4o']);
    for (const row of json.rows) assert.equal(row.trace.model, row.model);
  });
});
