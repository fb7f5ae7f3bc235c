// `thoughtscope diff`: two real traces (runs against the loopback server) compared per node kind:
// parameters, models, totals and prompts, the prompt changes as unified diffs from the `diff` package;
// prompts paired by the template that made them, and per template what changed in its text.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffLines } from 'diff';
import { runTechnique } from '../../src/core/engine';
import { pairRolePrompts, type SentPrompt } from '../../src/core/history/promptPairs';
import { diffTraces, traceDiffText } from '../../src/core/history/traceDiff';
import { game24Task } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { builtInTemplatesDir, TemplateLibrary, templateHash } from '../../src/core/templates/library';
import { constitutionalTechnique } from '../../src/core/techniques/constitutional';
import { totTechnique } from '../../src/core/techniques/tot';
import { toTrace, type Trace } from '../../src/core/trace';
import { closingServers } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';
import { BASE, handlerFor, INPUT } from '../support/totScript';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const server = closingServers();

async function traceOf(baseUrl: string, input: string, params: Record<string, unknown>, model: string): Promise<Trace> {
  const run = runAt(baseUrl, {}, { model });
  const report = await runTechnique({ technique: constitutionalTechnique, task: genericTask, input, params, run });
  return toTrace(report, run.graph);
}

/** ToT on Game of 24 (the scripted model), one call at a time so both runs build the same graph; `templates` overrides by name. */
async function totTrace(baseUrl: string, templates?: TemplateLibrary): Promise<Trace> {
  const run = runAt(baseUrl, { concurrency: 1 });
  const report = await runTechnique({ technique: totTechnique, task: game24Task, input: INPUT, params: { breadth: 2 }, run, host: templates && { templates } });
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  return toTrace(report, run.graph);
}

/** A workspace folder holding these templates, over the built-in ones. */
function workspaceLibrary(files: Record<string, string>): TemplateLibrary {
  const root = mkdtempSync(join(tmpdir(), 'thoughtscope-diff-templates-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, `${name}.liquid`), text);
  }
  return TemplateLibrary.builtIn().withDir(root, 'workspace');
}

const builtIn = (name: string) => readFileSync(join(builtInTemplatesDir(), `${name}.liquid`), 'utf8');
/** game24/value and game24/value-last with their few-shot texts swapped; each keeps its own last lines, so the scripted model still reads the numbers and the answer. */
function swappedValueTemplates(): Record<string, string> {
  const examplesOf = (text: string) => text.slice(0, text.indexOf('Input: {{ numbers }}'));
  return {
    'game24/value': `${examplesOf(builtIn('game24/value-last'))}Verdict: sure, likely or impossible.\nInput: {{ numbers }}\n`,
    'game24/value-last': `${examplesOf(builtIn('game24/value'))}Input: {{ numbers }}\nAnswer: {{ answer }} = 24\nJudge:`,
  };
}
const linesInCommon = (x: string, y: string) => diffLines(x, y).reduce((n, part) => n + (part.added || part.removed ? 0 : (part.count ?? 0)), 0);

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
    // The same built-in templates in both: the prompts changed through a variable, which each template names.
    assert.ok(d.templates.every((t) => !t.textChanged && t.versions.a[0].source === 'built-in' && t.versions.b[0].source === 'built-in'), JSON.stringify(d.templates));
    assert.deepEqual(['critique', 'draft', 'revision'].map((n) => d.templates.find((t) => t.name === `constitutional/${n}`)?.prompts.changed), [1, 1, 1]);
    const draft = d.templates.find((t) => t.name === 'constitutional/draft')!;
    assert.deepEqual(draft.example?.variables, [{ name: 'input', a: 'What is 17*23?\nShow your work.', b: 'What is 17*23?\nBe brief.' }]);
    const text = traceDiffText(d);
    assert.match(text, new RegExp(`^ {2}constitutional/draft: the same text \\(built-in ${draft.versions.a[0].hash.slice(0, 8)}\\); prompts: 0 the same, 1 changed\n {4}variables that differ \\(e\\.g\\. thought/draft, a n1 / b n1\\):\n {6}input: "What is 17\\*23\\? Show your work\\." → "What is 17\\*23\\? Be brief\\."$`, 'm'));
    assert.match(text, /^Parameters:\n {2}temperature: 0 → 0.5$/m);
    assert.match(text, /^Models called: - gpt-4o-mini, \+ gpt-4o$/m);
    assert.match(text, new RegExp(`^ {2}calls sent: ${a.totals.calls}$`, 'm'));
    assert.match(text, /^ {2}cost \(USD\): \$[\d.]+ → \$[\d.]+ \(\+[\d.e-]+, \+\d+%\)$/m, 'gpt-4o costs more than gpt-4o-mini');
    assert.match(text, /^ {8}-Show your work\.$/m);
  });

  it('pairs prompts by template name, not likeness: game24/value and game24/value-last with their texts swapped', async () => {
    // Both value templates sit in node kind "thought", role "value"; run b swaps their texts.
    const value = builtIn('game24/value');
    const swapped = swappedValueTemplates();
    const [newValue, newValueLast] = [swapped['game24/value'], swapped['game24/value-last']];
    const s = await server((req) => handlerFor(BASE)(req));
    const a = await totTrace(s.baseUrl);
    const b = await totTrace(s.baseUrl, workspaceLibrary(swapped));

    // The premise: by likeness each value prompt of a looks most like the other template's prompt in b.
    const calls = (t: Trace, name: string) => t.nodes.flatMap((n) => n.calls.filter((c) => c.templates?.[0].name === name).map((c) => ({ node: n.id, prompt: c.prompt })));
    const [aValue, bValue, aLast, bLast] = [calls(a, 'game24/value')[0], calls(b, 'game24/value')[0], calls(a, 'game24/value-last')[0], calls(b, 'game24/value-last')[0]];
    assert.ok(linesInCommon(aValue.prompt, bLast.prompt) > linesInCommon(aValue.prompt, bValue.prompt));
    assert.ok(linesInCommon(aLast.prompt, bValue.prompt) > linesInCommon(aLast.prompt, bLast.prompt));

    const d = diffTraces(a, b);
    const role = d.kinds.find((k) => k.kind === 'thought')!.roles.find((r) => r.role === 'value')!;
    const distinct = (name: string) => new Set(calls(a, name).map((c) => c.prompt)).size;
    assert.deepEqual([role.same, role.onlyA, role.onlyB, role.changed.length], [0, 0, 0, distinct('game24/value') + distinct('game24/value-last')]);
    assert.ok(distinct('game24/value') > 1 && distinct('game24/value-last') > 1);
    // Every pair is one template's prompt for the same state in both runs.
    for (const change of role.changed) {
      assert.ok(change.template === 'game24/value' || change.template === 'game24/value-last', String(change.template));
      assert.equal(change.nodeA, change.nodeB, `${change.template}: ${change.patch.join('\n')}`);
    }
    assert.equal(role.changed.find((c) => c.template === 'game24/value-last')?.nodeA, aLast.node);

    const t = new Map(d.templates.map((x) => [x.name, x]));
    assert.deepEqual(t.get('game24/value')!.versions, { a: [{ source: 'built-in', hash: templateHash(value) }], b: [{ source: 'workspace', hash: templateHash(newValue) }] });
    assert.deepEqual(t.get('game24/value-last')!.versions.b, [{ source: 'workspace', hash: templateHash(newValueLast) }]);
    assert.deepEqual([t.get('game24/value')!.textChanged, t.get('game24/value-last')!.textChanged], [true, true]);
    assert.deepEqual(t.get('game24/value')!.prompts, { same: 0, changed: distinct('game24/value'), onlyA: 0, onlyB: 0 });
    const example = t.get('game24/value')!.example!;
    assert.deepEqual([example.kind, example.role, example.nodeA, example.variables], ['thought', 'value', aValue.node, []]);
    assert.ok(example.patch.includes('+Verdict: sure, likely or impossible.'), example.patch.join('\n'));
    // The templates the edit did not touch: the same hash, the same prompts.
    const propose = t.get('game24/propose')!;
    assert.deepEqual([propose.textChanged, propose.prompts.changed, propose.prompts.same > 0, propose.versions.a], [false, 0, true, propose.versions.b]);

    const text = traceDiffText(d, { lines: 5, prompts: 20 });
    const short = (x: string) => templateHash(x).slice(0, 8);
    assert.match(text, new RegExp(`^ {2}game24/value: text changed \\(built-in ${short(value)} → workspace ${short(newValue)}\\); prompts: 0 the same, ${distinct('game24/value')} changed$`, 'm'));
    assert.match(text, new RegExp(`^ {4}e\\.g\\. thought/value, a ${aValue.node} / b ${aValue.node}:\n {6}@@ `, 'm'));
    assert.match(text, /^ {2}unchanged: .*game24\/propose/m);
    assert.match(text, new RegExp(`^ {6}a ${aLast.node} / b ${aLast.node} \\(game24/value-last\\):$`, 'm'));
  });

  it('traces without templates (written before they were recorded) pair most alike first', async () => {
    const s = await server((req) => handlerFor(BASE)(req));
    const a = await totTrace(s.baseUrl);
    const b = await totTrace(s.baseUrl, workspaceLibrary(swappedValueTemplates()));
    const old = (t: Trace): Trace => ({ ...t, nodes: t.nodes.map((n) => ({ ...n, calls: n.calls.map(({ templates: _, ...call }) => call) })) });
    const valueRole = (d: ReturnType<typeof diffTraces>) => d.kinds.find((k) => k.kind === 'thought')!.roles.find((r) => r.role === 'value')!;
    const named = valueRole(diffTraces(a, b));
    assert.ok(named.changed.every((c) => c.template?.startsWith('game24/value') && c.nodeA === c.nodeB));
    const byLikeness = diffTraces(old(a), old(b));
    const role = valueRole(byLikeness);
    assert.equal(role.changed.length, named.changed.length);
    assert.ok(role.changed.every((c) => c.template === null));
    assert.ok(role.changed.some((c) => c.nodeA !== c.nodeB), 'likeness pairs a value-last prompt with a value prompt');
    assert.deepEqual(byLikeness.templates, []);
    assert.match(traceDiffText(byLikeness), /^Templates: none recorded \(traces written before prompts recorded their templates\)$/m);
    // An old trace against a new one: b's prompts have templates, a's none; they still pair, by likeness.
    const mixed = diffTraces(old(a), b);
    assert.deepEqual([valueRole(mixed).changed.length, valueRole(mixed).onlyA, valueRole(mixed).onlyB], [named.changed.length, 0, 0]);
    assert.ok(mixed.templates.every((t) => t.versions.a.length === 0 && t.versions.b.length === 1));
  });

  it('past 2500 candidate pairs, the prompts name pairing left pair in order, never two of different templates', () => {
    const sent = (prompt: string, template?: string): SentPrompt => ({ node: prompt, prompt, model: 'm', cached: false, templates: template ? [{ name: template, source: 'built-in', hash: '0', variables: {} }] : [] });
    const a = Array.from({ length: 60 }, (_, i) => sent(`a${i}`, i === 0 ? 'x/one' : undefined));
    const b = Array.from({ length: 60 }, (_, i) => sent(`b${i}`, i < 2 ? 'x/two' : undefined));
    const paired = pairRolePrompts(a, b);
    assert.deepEqual(paired.pairs.slice(0, 4).map((p) => [p.x.prompt, p.y.prompt, p.template]), [['a0', 'b2', null], ['a1', 'b0', null], ['a2', 'b1', null], ['a3', 'b3', null]]);
    assert.deepEqual([paired.pairs.length, paired.onlyA.length, paired.onlyB.length], [60, 0, 0]);
  });

  it('identical runs differ in nothing but time', async () => {
    const s = await server(() => ({ choices: ['Answer: 4'] }));
    const a = await traceOf(s.baseUrl, '2+2?', {}, 'gpt-4o-mini');
    const b = await traceOf(s.baseUrl, '2+2?', {}, 'gpt-4o-mini');
    const d = diffTraces(a, b);
    assert.deepEqual(d.run, []);
    assert.deepEqual(d.params, []);
    for (const k of d.kinds) for (const r of k.roles) assert.deepEqual([r.changed.length, r.onlyA, r.onlyB, r.same > 0], [0, 0, 0, true]);
    assert.ok(d.templates.length > 0 && d.templates.every((t) => !t.textChanged && t.prompts.changed === 0 && t.prompts.same > 0), JSON.stringify(d.templates));
    assert.match(traceDiffText(d), new RegExp(`^ {2}unchanged: ${d.templates.map((t) => t.name).join(', ')}$`, 'm'));
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
    const parsed = JSON.parse(json.stdout) as { run: unknown[]; templates: Array<{ name: string; prompts: { changed: number } }> };
    assert.equal(parsed.run.length, 1);
    assert.ok(parsed.templates.some((t) => t.name === 'constitutional/draft' && t.prompts.changed === 1), json.stdout);
    const bad = await run(['a.json', 'bad.json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'thoughtscope: bad.json is not a run trace (thoughtscope run --out, or Export trace in VS Code)\n');
    const one = await run(['a.json']);
    assert.equal(one.stderr, 'thoughtscope: diff takes two trace files, got 1\n');
  });
});
