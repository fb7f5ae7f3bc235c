// `thoughtscope diff`: two real traces (runs against the loopback server) compared per node kind:
// parameters, models, totals and prompts, the prompt changes as unified diffs from the `diff` package.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { diffTraces, traceDiffText } from '../../src/core/history/traceDiff';
import { genericTask } from '../../src/core/tasks/generic';
import { constitutionalTechnique } from '../../src/core/techniques/constitutional';
import { toTrace, type Trace } from '../../src/core/trace';
import { closingServers } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const server = closingServers();

async function traceOf(baseUrl: string, input: string, params: Record<string, unknown>, model: string): Promise<Trace> {
  const run = runAt(baseUrl, {}, { model });
  const report = await runTechnique({ technique: constitutionalTechnique, task: genericTask, input, params, run });
  return toTrace(report, run.graph);
}

describe('thoughtscope diff', () => {
  it('says per node kind what changed in parameters, models, totals and prompts', async () => {
    const s = await server((req) => ({ choices: [`Critique: fine.\nAnswer: ${req.body.model === 'gpt-4o' ? 391 : 390}`] }));
    const a = await traceOf(s.baseUrl, 'What is 17*23?\nShow your work.', { temperature: 0 }, 'gpt-4o-mini');
    const b = await traceOf(s.baseUrl, 'What is 17*23?\nBe brief.', { temperature: 0.5 }, 'gpt-4o');
    const d = diffTraces(a, b);
    assert.deepEqual(d.run.map((c) => c.field), ['model', 'input', 'answer']);
    assert.deepEqual(d.params.map((p) => [p.name, p.a, p.b]), [['temperature', 0, 0.5]]);
    assert.deepEqual(d.models, { added: ['gpt-4o'], removed: ['gpt-4o-mini'] });
    const calls = d.totals.find((t) => t.name === 'calls sent')!;
    assert.equal(calls.a, a.totals.calls);
    assert.equal(calls.b, b.totals.calls);
    const kinds = new Map(d.kinds.map((k) => [k.kind, k]));
    assert.deepEqual([...kinds.keys()].sort(), [...new Set([...a.nodes, ...b.nodes].map((n) => n.kind))].sort());
    // Every prompt carries the question, so every prompt changed, in the line that holds it.
    for (const k of d.kinds) {
      for (const r of k.roles) {
        assert.equal(r.same, 0, `${k.kind}/${r.role}`);
        for (const change of r.changed) {
          assert.ok(change.patch.some((l) => l === '-Show your work.'), change.patch.join('\n'));
          assert.ok(change.patch.some((l) => l === '+Be brief.'));
          assert.ok(change.patch[0].startsWith('@@ -'));
        }
      }
    }
    const text = traceDiffText(d);
    assert.match(text, /^Parameters:\n {2}temperature: 0 → 0.5$/m);
    assert.match(text, /^Models called: - gpt-4o-mini, \+ gpt-4o$/m);
    assert.match(text, new RegExp(`^ {2}calls sent: ${a.totals.calls}$`, 'm'));
    assert.match(text, /^ {2}cost \(USD\): \$[\d.]+ → \$[\d.]+ \(\+[\d.e-]+, \+\d+%\)$/m, 'gpt-4o costs more than gpt-4o-mini');
    assert.match(text, /^ {8}-Show your work\.$/m);
  });

  it('identical runs differ in nothing but time', async () => {
    const s = await server(() => ({ choices: ['Answer: 4'] }));
    const a = await traceOf(s.baseUrl, '2+2?', {}, 'gpt-4o-mini');
    const b = await traceOf(s.baseUrl, '2+2?', {}, 'gpt-4o-mini');
    const d = diffTraces(a, b);
    assert.deepEqual(d.run, []);
    assert.deepEqual(d.params, []);
    for (const k of d.kinds) for (const r of k.roles) assert.deepEqual([r.changed.length, r.onlyA, r.onlyB, r.same > 0], [0, 0, 0, true]);
  });

  it('the command reads traces (and traces-file lines) and refuses anything else in one line', async () => {
    const s = await server(() => ({ choices: ['Answer: 4'] }));
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-diff-'));
    const a = await traceOf(s.baseUrl, 'What is 2+2?', {}, 'gpt-4o-mini');
    const b = await traceOf(s.baseUrl, 'What is 2+3?', {}, 'gpt-4o-mini');
    writeFileSync(join(dir, 'a.json'), JSON.stringify(a));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ index: 3, trace: b }));
    writeFileSync(join(dir, 'bad.json'), '{"technique": 1}');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [CLI, 'diff', ...args], { cwd: dir, timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })),
      );
    const ok = await run(['a.json', 'b.json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^a: a\.json\nb: b\.json\nRun:\n {2}input: "What is 2\+2\?" → "What is 2\+3\?"/);
    assert.match(ok.stdout, /^ {8}-What is 2\+2\?$/m);
    const json = await run(['a.json', 'b.json', '--json']);
    assert.equal((JSON.parse(json.stdout) as { run: unknown[] }).run.length, 1);
    const bad = await run(['a.json', 'bad.json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'thoughtscope: bad.json is not a run trace (thoughtscope run --out, or Export trace in VS Code)\n');
    const one = await run(['a.json']);
    assert.equal(one.stderr, 'thoughtscope: diff takes two trace files, got 1\n');
  });
});
