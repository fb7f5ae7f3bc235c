// The built CLI (dist/cli.js) and the models people run today: `thoughtscope prices`, the
// --reasoning-effort and --seed flags, a reasoning model's notes, and compare's effort dimension.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { providerServers } from '../support/providers/harness';
import { openAIReasoningHandler } from '../support/providers/openaiReasoning';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-models-'));
const start = providerServers();

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('thoughtscope prices', () => {
  it('shows the catalog price with its cached rate and source, a --pricing entry winning, and "price unknown" for a local model', async () => {
    const pricing = join(dir, 'prices.json');
    writeFileSync(pricing, JSON.stringify({ 'my-model': { input: 0.5, output: 1.5, cachedInput: 0.05 } }));
    const result = await cli(['prices', 'gpt-4o-mini', 'my-model', 'llama3.2', '--pricing', pricing]);
    assert.equal(result.code, 1, 'one model has no price');
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], 'gpt-4o-mini: input $0.15 · output $0.6 · cached input $0.075 per 1M tokens — from catalog @pydantic/genai-prices (openai gpt-4o-mini)');
    assert.equal(lines[1], `my-model: input $0.5 · output $1.5 · cached input $0.05 per 1M tokens — from --pricing ${pricing}`);
    assert.match(lines[2], /^llama3\.2: price unknown/);
  });

  it('a bad cachedInput is one line naming the file and the model', async () => {
    const pricing = join(dir, 'bad.json');
    writeFileSync(pricing, JSON.stringify({ m: { input: 1, output: 2, cachedInput: -1 } }));
    const result = await cli(['prices', 'm', '--pricing', pricing]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--pricing .*bad\.json: price of "m" must be \{ "input"/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});

describe('run and compare with a reasoning model', () => {
  it('--reasoning-effort and --seed reach the server and the trace; the dropped temperature is a note on stdout', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => 'Answer: 4 * 6 * (8 - 4) / 4 = 24' }));
    const out = join(dir, 'trace.json');
    const result = await cli(['run', '-t', 'cot', '-i', '4 4 6 8', '--base-url', `${server.origin}/v1`, '-m', 'o4-mini', '--reasoning-effort', 'high', '--seed', '11', '--out', out, '-q']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Note: temperature not supported by o4-mini: sampled at the model's default/);
    assert.deepEqual([server.requests[0].body.reasoning_effort, server.requests[0].body.seed, server.requests[0].body.temperature], ['high', 11, undefined]);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    const call = trace.nodes.flatMap((n: { calls: unknown[] }) => n.calls)[0];
    assert.deepEqual([call.reasoningEffort, call.seed, call.droppedParams[0].param], ['high', 11, 'temperature']);
    assert.equal(trace.totals.reasoningTokens, 64);
  });

  it('a bad effort is refused before anything is sent', async () => {
    const result = await cli(['run', '-t', 'cot', '-i', 'q', '--base-url', 'http://127.0.0.1:9/v1', '-m', 'o4-mini', '--reasoning-effort', 'max']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), 'thoughtscope: --reasoning-effort must be one of minimal, low, medium, high, got "max"');
  });

  it('compare takes efforts as a dimension: one row per technique and effort', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => 'Answer: 4 * 6 * (8 - 4) / 4 = 24' }));
    const result = await cli(['compare', '-t', 'io,cot', '-i', '4 4 6 8', '--base-url', `${server.origin}/v1`, '-m', 'o4-mini', '--reasoning-effort', 'low,high', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as Array<{ technique: string; reasoningEffort: string }>;
    assert.deepEqual(rows.map((r) => `${r.technique}/${r.reasoningEffort}`), ['io/low', 'cot/low', 'io/high', 'cot/high']);
    assert.deepEqual(server.requests.map((r) => r.body.reasoning_effort).sort(), ['high', 'high', 'low', 'low']);
  });
});
