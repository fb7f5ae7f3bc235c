// The built CLI runs rag (indexing the cwd or --param root=<dir>, with the index kept in the cache
// folder), anytool (with a user's catalog file) and team, against the loopback server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-cli-rtt-'));
const cache = join(dir, 'cache');
const workspace = join(dir, 'ws');

function cli(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off', THOUGHTSCOPE_CACHE_DIR: cache };
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let server: FakeServer;
before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  mkdirSync(join(workspace, 'docs'), { recursive: true });
  writeFileSync(join(workspace, 'docs', 'ports.md'), '# Ports\n\nThe admin console listens on port 8443.\n');
  writeFileSync(join(workspace, 'notes.txt'), 'Lunch is at noon.\n');
  server = await startFakeServer((req) => {
    const all = req.body.messages.map((m) => m.content).join('\n');
    if (/Sources:/.test(all)) return { choices: [/port 8443/.test(all) ? 'The admin console uses port 8443 [1].' : 'NOT FOUND'] };
    // AnyTool's agents call functions; the geometry category is small enough to go to one tool agent at once.
    const turn = req.body.messages.filter((m) => m.role === 'assistant').length;
    if (/^You are the meta-agent/.test(all)) return turn === 0 ? { choices: [''], toolCalls: [{ name: 'create_agent_category_level', arguments: '{"category": "geometry"}' }] } : { choices: [''], toolCalls: [{ name: 'Finish', arguments: '{}' }] };
    if (/^You are a tool agent/.test(all)) return turn === 0 ? { choices: [''], toolCalls: [{ name: 'add_tools_into_pool', arguments: '{"tools": ["circle_area"]}' }] } : { choices: [''], toolCalls: [{ name: 'Finish', arguments: '{}' }] };
    if (/fully solve the request\?/.test(req.prompt)) return { choices: ['Solvable'] };
    if (/Does this answer solve the request/.test(req.prompt)) return { choices: ['Solved: computed by the tool.'] };
    if (/^You are the solver/.test(all)) {
      const result = /Result 1 \(circle_area\): (\S+)/.exec(req.prompt)?.[1];
      return result ? { choices: [`FINAL ANSWER: ${result}`] } : { choices: [''], toolCalls: [{ name: 'circle_area', arguments: '{"expression": "round(pi * 2^2, 3)"}' }] };
    }
    if (/rate the importance/.test(req.prompt)) return { choices: ['4'] };
    if (/numbered plan/.test(req.prompt)) return { choices: ['1. [solver] Add the numbers.\n2. [critic] Check.'] };
    if (/final answer/.test(req.prompt)) return { choices: ['Answer: 5'] };
    return { choices: ['2 + 3 = 5'] };
  });
});
after(() => server.close());

const common = () => ['--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--api-key', 'k'];

describe('thoughtscope run: rag, anytool, team', () => {
  it('rag indexes the current directory, cites the file and keeps the index in the cache folder', async () => {
    const out = join(dir, 'rag.json');
    const r = await cli(['run', '-t', 'rag', ...common(), '-i', 'Which port does the admin console listen on?', '--out', out], workspace);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Answer: The admin console uses port 8443 \[1\]\.\n\nSources:\n\[1\] docs\/ports\.md:1-3/);
    assert.ok(readdirSync(cache).some((f) => /^rag-index-[0-9a-f]+\.json$/.test(f)), 'the index is stored');
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(trace.nodes.some((n: { kind: string; text: string }) => n.kind === 'chunk' && n.text.includes('docs/ports.md:1-3')));
  });

  it('rag takes --param root=<dir> and declares what the workspace does not answer', async () => {
    const r = await cli(['run', '-t', 'rag', ...common(), '--param', `root=${workspace}`, '-i', 'What colour is the zeppelin?']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Answer: The workspace does not answer this question/);
  });

  it('anytool runs a tool from the user\'s catalog file', async () => {
    const catalog = join(dir, 'tools.json');
    writeFileSync(catalog, JSON.stringify({ categories: [{ name: 'geometry', description: 'Shapes.', tools: [{ name: 'circle_area', description: 'Area of a circle of radius r.', parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] }, implementation: 'calculator' }] }] }));
    const r = await cli(['run', '-t', 'anytool', ...common(), '--param', `catalogFile=${catalog}`, '-i', 'Area of a circle of radius 2?']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Answer: 12\.566\n/);
    const bad = await cli(['run', '-t', 'anytool', ...common(), '--param', 'catalogFile=missing.json', '-i', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^thoughtscope: technique "anytool" parameter "catalogFile" \(missing\.json\): cannot read .*no such file/);
  });

  it('team plans, acts and answers', async () => {
    const r = await cli(['run', '-t', 'team', ...common(), '-i', 'What is 2 + 3?']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Answer: 5\n/);
    assert.match(r.stdout, /Calls: \d+/);
  });
});
