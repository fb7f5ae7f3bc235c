// The built CLI with several profiles: --profiles (keys from the env vars each profile names), eot,
// frugal and team by profile name, and `calibrate` saving a cascade profile. Two loopback servers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-profiles-'));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const cleanEnv = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off', ...env };
    execFile(process.execPath, [CLI, ...args], { env: cleanEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let cheap: FakeServer;
let big: FakeServer;
let profilesPath: string;
const keys = { CHEAP_KEY: 'sk-cheap-123', BIG_KEY: 'sk-big-456' };

before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first (npm test does)');
  // Cheap: sure of "10" for question 1, split on question 2. Big: always right.
  cheap = await startFakeServer((req) => ({
    choices: /question 2|q2/.test(req.prompt) ? ['Answer: 1', 'Answer: 2', 'Answer: 3'] : ['Answer: 10'],
    usage: { prompt_tokens: 100, completion_tokens: 10 },
  }));
  big = await startFakeServer((req) => ({ choices: [/question 2|q2/.test(req.prompt) ? 'Answer: 20' : 'Answer: 10'], usage: { prompt_tokens: 100, completion_tokens: 10 } }));
  profilesPath = join(dir, 'profiles.json');
  writeFileSync(
    profilesPath,
    JSON.stringify([
      { name: 'cheap', provider: 'openai-compatible', baseUrl: cheap.baseUrl, model: 'cheap-model', price: { input: 1, output: 1 }, apiKeyEnv: 'CHEAP_KEY' },
      { name: 'big', provider: 'openai-compatible', baseUrl: big.baseUrl, model: 'big-model', price: { input: 100, output: 100 }, apiKeyEnv: 'BIG_KEY', maxConcurrency: 2 },
    ]),
  );
});
after(() => Promise.all([cheap.close(), big.close()]));

describe('thoughtscope with --profiles', () => {
  it('frugal: a confident cheap stage answers; each server got its own key from its env var', async () => {
    const out = join(dir, 'frugal.json');
    const before = { cheap: cheap.requests.length, big: big.requests.length };
    const r = await cli(['run', '--technique', 'frugal', '--profiles', profilesPath, '--profile', 'cheap', '--param', 'stages=cheap,big', '--input', 'question 1', '--out', out], keys);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: 10$/m);
    assert.equal(cheap.requests.length - before.cheap, 1);
    assert.equal(big.requests.length - before.big, 0);
    assert.equal(cheap.requests[cheap.requests.length - 1].headers.authorization, 'Bearer sk-cheap-123');
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(trace.nodes.some((n: { text: string }) => /Stage 1 of 2 \(cheap\) answered/.test(n.text)));
    // One request for the 3 samples, reported as 100 prompt + 10 completion tokens, at cheap's $1/M.
    assert.ok(Math.abs(trace.totals.costUsd - 110 / 1e6) < 1e-12, String(trace.totals.costUsd));
  });

  it('eot: participants by profile name, each asked with its own key', async () => {
    const r = await cli(['run', '--technique', 'eot', '--profiles', profilesPath, '--param', 'participants=cheap,big', '--param', 'rounds=2', '--input', 'question 1', '--json'], keys);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).answer, '10');
    assert.equal(big.requests[big.requests.length - 1].headers.authorization, 'Bearer sk-big-456');
  });

  it('an unknown profile name is a bad argument: exit code 2, one line, nothing sent', async () => {
    const before = cheap.requests.length + big.requests.length;
    const r = await cli(['run', '--technique', 'frugal', '--profiles', profilesPath, '--param', 'stages=cheap,giant', '--input', 'q'], keys);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /parameter "stages": no model profile named "giant"; known profiles: /);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(cheap.requests.length + big.requests.length, before);
  });

  it('team: the solver on its own profile, the other roles and the importance ratings on the run\'s', async () => {
    const out = join(dir, 'team.json');
    const before = { cheap: cheap.requests.length, big: big.requests.length };
    const r = await cli(['run', '-t', 'team', '--profiles', profilesPath, '--profile', 'big', '-p', 'solverProfile=cheap', '-i', 'question 1', '--out', out], keys);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Answer: 10$/m);
    const persona = (req: { body: { messages: Array<{ content: string }> } }) => /^You are the (\w+)/.exec(req.body.messages[0].content)?.[1] ?? 'rater';
    const toCheap = cheap.requests.slice(before.cheap);
    const toBig = big.requests.slice(before.big);
    assert.ok(toCheap.length >= 1, 'the solver was asked');
    assert.deepEqual([...new Set(toCheap.map(persona))], ['solver']);
    assert.deepEqual([...new Set(toBig.map(persona))].sort(), ['critic', 'planner', 'rater']);
    assert.ok(toCheap.every((q) => q.body.model === 'cheap-model' && q.headers.authorization === 'Bearer sk-cheap-123'));
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    // The solver's messages name its profile; their calls: the solver's on cheap, the rating on big.
    const solverNodes = trace.nodes.filter((n: { text: string }) => /^solver \(cheap\): /.test(n.text));
    assert.ok(solverNodes.length >= 1);
    for (const n of solverNodes) {
      assert.deepEqual(n.calls.map((c: { role: string; model: string }) => `${c.role} ${c.model}`), ['solver cheap-model', 'importance big-model']);
    }
    // 110 tokens per request at cheap's $1/M and big's $100/M.
    const expected = (toCheap.length * 110 * 1 + toBig.length * 110 * 100) / 1e6;
    assert.ok(Math.abs(trace.totals.costUsd - expected) < 1e-12, `${trace.totals.costUsd} vs ${expected}`);
  });

  it('team: an unknown role profile exits 2 naming the parameter, nothing sent', async () => {
    const before = cheap.requests.length + big.requests.length;
    const r = await cli(['run', '-t', 'team', '--profiles', profilesPath, '--profile', 'big', '-p', 'criticProfile=giant', '-i', 'q'], keys);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /technique "team" parameter "criticProfile": no model profile named "giant"; known profiles: cheap, big/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(cheap.requests.length + big.requests.length, before);
  });

  it('a key in the profiles file is refused with exit code 2', async () => {
    const leaky = join(dir, 'leaky.json');
    writeFileSync(leaky, JSON.stringify([{ name: 'x', baseUrl: cheap.baseUrl, model: 'm', apiKey: 'sk-no' }]));
    const r = await cli(['run', '--technique', 'io', '--profiles', leaky, '--input', 'q']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"apiKey" is not allowed; keys belong in secret storage/);
  });

  it('calibrate picks thresholds on a labelled file and saves the cascade as a profile', async () => {
    const data = join(dir, 'labelled.jsonl');
    writeFileSync(data, `${JSON.stringify({ input: 'q1', expected: '10' })}\n${JSON.stringify({ input: 'q2', expected: '20' })}\n`);
    const r = await cli(['calibrate', '--profiles', profilesPath, '--stages', 'big,cheap', '--data', data, '--tolerance', '0', '--test-share', '0', '--save-profile', 'tuned', '--json'], keys);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    // The order search puts cheap first, though the candidates were given big first.
    assert.deepEqual(result.cascade, ['cheap', 'big']);
    result.singles.reverse();
    assert.deepEqual(result.singles.map((s: { accuracy: number }) => s.accuracy), [0.5, 1]);
    // Cheap is unanimous (1.0) and right on q1, split (1/3) on q2: accept only full agreement.
    assert.deepEqual(result.best.thresholds, [1]);
    assert.equal(result.best.accuracy, 1);
    const saved = JSON.parse(readFileSync(profilesPath, 'utf8')).find((p: { name: string }) => p.name === 'tuned');
    assert.deepEqual(saved, { name: 'tuned', provider: 'cascade', stages: ['cheap', 'big'], thresholds: [1], scorer: 'agreement', samples: 3 });
    // The saved cascade runs by name.
    const run = await cli(['run', '--technique', 'frugal', '--profiles', profilesPath, '--param', 'stages=tuned', '--input', 'question 2'], keys);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Answer: 20$/m);
  });

  it('calibrate: the judge scorer needs a named judge; the report is on held-out items by default', async () => {
    const data = join(dir, 'split.jsonl');
    writeFileSync(data, ['q1', 'q2', 'q1 again', 'q2 again'].map((q) => JSON.stringify({ input: q, expected: q.startsWith('q1') ? '10' : '20' })).join('\n'));
    const refused = await cli(['calibrate', '--profiles', profilesPath, '--stages', 'cheap,big', '--data', data, '--scorer', 'judge'], keys);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--scorer judge needs --judge <profile>, a cheap one/);
    const r = await cli(['calibrate', '--profiles', profilesPath, '--stages', 'cheap,big', '--data', data, '--tolerance', '0'], keys);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Fitted on 2 training items/m);
    assert.match(r.stdout, /^On 2 held-out test items:$/m);
    assert.match(r.stdout, /of it scoring \$/);
  });

  it('calibrate sends the prompts of --templates and of a task file; a missing or broken template is a one-line error before any call', async () => {
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    const data = join(dir, 'templated.jsonl');
    writeFileSync(data, `${JSON.stringify({ input: 'q1', expected: '10' })}\n${JSON.stringify({ input: 'q2', expected: '20' })}\n`);
    write('mine/generic/cot.liquid', 'Calibrate override for {{ input }}\n');
    // The prompts both servers received since `mark()`.
    let marks = [0, 0];
    const mark = () => (marks = [cheap.requests.length, big.requests.length]);
    const sent = () => [...cheap.requests.slice(marks[0]), ...big.requests.slice(marks[1])].map((r) => r.prompt);
    const calibrate = (...extra: string[]) => cli(['calibrate', '--profiles', profilesPath, '--stages', 'cheap,big', '--data', data, '--test-share', '0', '--json', ...extra], keys);

    mark();
    const r = await calibrate('--task', 'generic', '--templates', join(dir, 'mine'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sent().sort(), ['Calibrate override for q1\n', 'Calibrate override for q1\n', 'Calibrate override for q2\n', 'Calibrate override for q2\n']);
    assert.deepEqual(JSON.parse(r.stdout).singles.map((x: { accuracy: number }) => x.accuracy), [0.5, 1], 'answers are still read and scored');

    // A task file naming its own template, which --templates supplies.
    write('mine/paper/cot.liquid', 'Paper CoT: {{ input }}');
    write('paper.task.yaml', 'id: paper\ndescription: Answers on an Answer line\ntemplates:\n  cot: paper/cot\n');
    mark();
    const t = await calibrate('--task', join(dir, 'paper.task.yaml'), '--templates', join(dir, 'mine'));
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(sent().sort(), ['Paper CoT: q1', 'Paper CoT: q1', 'Paper CoT: q2', 'Paper CoT: q2']);

    write('broken/generic/cot.liquid', '{% for x in y %}');
    write('stray/generic/cot.liquid', 'CoT for {{ question }}');
    write('judged/frugal/judge.liquid', 'Rate {{ answer }} against {{ gold }}');
    mark();
    const missing = await calibrate('--templates', 'nowhere');
    assert.deepEqual([missing.code, missing.stderr], [2, 'thoughtscope: --templates nowhere: no <name>.liquid templates there\n']);
    const broken = await calibrate('--templates', join(dir, 'broken'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^thoughtscope: .*broken\/generic\/cot\.liquid:1: .*not closed.* \(template generic\/cot\)\n$/);
    const stray = await calibrate('--templates', join(dir, 'stray'));
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /^thoughtscope: .*stray\/generic\/cot\.liquid:1: unknown variable "question" \(generic\/cot gets: [^\n]*\)\n$/);
    // The judge's template renders only after answers, so it is rendered once up front too.
    const judged = await calibrate('--scorer', 'judge', '--judge', 'cheap', '--templates', join(dir, 'judged'));
    assert.equal(judged.code, 2);
    assert.match(judged.stderr, /^thoughtscope: .*judged\/frugal\/judge\.liquid:1: unknown variable "gold" \(frugal\/judge gets: [^\n]*\)\n$/);
    assert.deepEqual(sent(), [], 'nothing was sent');
  });
});
