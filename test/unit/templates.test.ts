// Prompt templates: the engine's walls (no code, no prototype, no files), overrides by name, what a call
// records, and one-line errors naming the file, line and variable. Runs go to the loopback server
// through the real openai SDK.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { game24Task } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { cotTechnique } from '../../src/core/techniques/cot';
import { totTechnique } from '../../src/core/techniques/tot';
import { TemplateError } from '../../src/core/templates/errors';
import { TemplateLibrary, builtInTemplatesDir, readTemplateDir, templateHash } from '../../src/core/templates/library';
import { toTrace } from '../../src/core/trace';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-templates-'));

/** A folder of templates: { "game24/value": "text" } → <folder>/game24/value.liquid. */
function templateDir(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [template, text] of Object.entries(files)) {
    mkdirSync(join(root, template, '..'), { recursive: true });
    writeFileSync(join(root, `${template}.liquid`), text);
  }
  return root;
}

function library(files: Record<string, string>, name = `lib-${Math.random().toString(36).slice(2)}`): TemplateLibrary {
  return TemplateLibrary.builtIn().withDir(templateDir(name, files), 'workspace');
}

describe('the template engine', () => {
  it('prints variables as data: a model reply holding template syntax is not rendered again', () => {
    const lib = library({ 'x/echo': 'got: {{ text }}' });
    assert.equal(lib.render('x/echo', { text: '{{ 7 | plus: 1 }} {% raw %}' }).text, 'got: {{ 7 | plus: 1 }} {% raw %}');
  });

  it('reaches no prototype and runs no code: constructor lookups are unknown variables', () => {
    const lib = library({ 'x/proto': '{{ text.constructor }}', 'x/code': '{{ text.constructor.constructor }}' });
    for (const name of ['x/proto', 'x/code']) {
      assert.throws(() => lib.render(name, { text: 'hi' }), (err: Error) => err instanceof TemplateError && /undefined variable: text\.constructor/.test(err.message) && !err.message.includes('\n'));
    }
  });

  it('reads no files: include and render fail with a one-line error naming the template file and line', () => {
    const lib = library({ 'x/include': 'one\n{% include "/etc/passwd" %}' });
    assert.throws(
      () => lib.render('x/include', {}),
      (err: Error) => err instanceof TemplateError && err.message.includes('x/include.liquid:2:') && /include|lookup|cannot read files/i.test(err.message),
    );
  });

  it('an unknown variable names the file, the line and the variables the template is given, before anything renders', () => {
    const lib = library({ 'game24/value': 'Numbers: {{ numbers }}\nSteps: {{ stepz }}\n' });
    assert.throws(
      () => game24Task.withTemplates(lib).valuePrompt('4 9 10 13', ''),
      (err: Error) =>
        err instanceof TemplateError &&
        /game24\/value\.liquid:2: unknown variable "stepz" \(game24\/value gets: examples, input, numbers\)$/.test(err.message),
    );
  });

  it('a template with a syntax error fails when its folder is read, naming the file and line', () => {
    const folder = templateDir('broken', { 'generic/cot': 'ok\n{% if fewShot %}never closed' });
    assert.throws(() => TemplateLibrary.builtIn().withDir(folder, 'workspace'), (err: Error) => err instanceof TemplateError && /generic\/cot\.liquid:2: .*not closed/.test(err.message));
  });

  it('lists every built-in template with its hash; each is the file shipped under templates/', () => {
    const entries = TemplateLibrary.builtIn().list();
    for (const name of ['game24/propose', 'game24/value', 'game24/value-last', 'generic/cot', 'constitutional/critique', 'aot/game24', 'crosswords/propose', 'creative-writing/score']) {
      const e = entries.find((x) => x.name === name);
      assert.ok(e, name);
      assert.equal(e.source, 'built-in');
      assert.equal(e.text, readFileSync(join(builtInTemplatesDir(), `${name}.liquid`), 'utf8'));
      assert.equal(e.hash, templateHash(e.text));
      assert.match(e.hash, /^[0-9a-f]{16}$/);
    }
    assert.equal(readTemplateDir(join(dir, 'does-not-exist'), 'user').length, 0);
  });

  it('the built-in texts render to the prompts the tasks sent before templates (golden lines)', () => {
    // The line that decides each prompt's shape, written out; the full texts are compared by the technique tests.
    assert.match(game24Task.proposePrompt('4 9 10 13', '').text, /\nInput: 4 9 10 13\nPossible next steps:\n$/);
    assert.match(game24Task.valuePrompt('4 9 10 13', 'x (left: 24)\nAnswer: (13 - 9) * (10 - 4) = 24\n').text, /\nInput: 4 9 10 13\nAnswer: \(13 - 9\) \* \(10 - 4\) = 24\nJudge:$/);
    assert.equal(genericTask.ioPrompt('  Why?  ').text, 'Why?\n\nReply with the answer only, on a line of the form "Answer: <final answer>".');
    assert.equal(genericTask.votePrompt('Q', [' a ', 'b']).text, 'Problem: Q\nSeveral partial solutions follow. Analyse each briefly, then conclude with "The best choice is <number>".\n\nChoice 1:\na\n\nChoice 2:\nb');
  });
});

describe('templates in a run', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer((req) => {
      if (req.prompt.startsWith('MY VALUE')) return { choices: ['sure', 'sure', 'sure'] };
      if (/Possible next steps:\n$/.test(req.prompt)) return { choices: ['4 + 9 = 13 (left: 10 13 13)\n13 - 9 = 4 (left: 4 4 10)'] };
      return { choices: ['Reasoning.\nAnswer: 7'] };
    });
  });
  after(() => server.close());

  it('a workspace override replaces one template by name; calls record name, source, hash and variables, and so does the trace', async () => {
    const text = 'MY VALUE for {{ numbers }} (from {{ input }})\n';
    const lib = library({ 'game24/value': text }, 'override-run');
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: totTechnique, task: game24Task, input: '4 9 10 13', params: { steps: 1, breadth: 1 }, run, host: { templates: lib } });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    const values = server.requests.filter((r) => r.prompt.startsWith('MY VALUE'));
    assert.deepEqual(values.map((r) => r.prompt).sort(), ['MY VALUE for 10 13 13 (from 4 9 10 13)\n', 'MY VALUE for 4 4 10 (from 4 9 10 13)\n']);
    const calls = run.graph.nodes().flatMap((n) => n.calls);
    const value = calls.find((c) => c.role === 'value')!;
    assert.deepEqual(value.templates?.map((t) => [t.name, t.source, t.hash]), [['game24/value', 'workspace', templateHash(text)]]);
    assert.match(value.templates![0].variables.numbers, /^(10 13 13|4 4 10)$/);
    const propose = calls.find((c) => c.role === 'propose')!;
    assert.deepEqual(propose.templates?.map((t) => [t.name, t.source]), [['game24/propose', 'built-in']]);
    const trace = toTrace(report, run.graph);
    const traced = trace.nodes.flatMap((n) => n.calls).find((c) => c.role === 'value')!;
    assert.equal(traced.templates?.[0].hash, templateHash(text));
  });

  it('a template that fails mid-run ends the run with its one-line message and keeps the graph built so far', async () => {
    // The value template reads a property a string does not have: it fails when it first renders, after the propose call.
    const lib = library({ 'game24/value': 'Value {{ numbers.first_number_left }}\n' }, 'fails-mid-run');
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: totTechnique, task: game24Task, input: '4 9 10 13', params: { steps: 2, breadth: 1 }, run, host: { templates: lib } });
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message!, /fails-mid-run\/game24\/value\.liquid:1: undefined variable: numbers\.first_number_left \(template game24\/value\)$/);
    assert.ok(!report.summary.message!.includes('\n'));
    assert.ok(report.error instanceof TemplateError);
    // The propose call's proposals are in the graph.
    assert.equal(run.graph.nodes().filter((n) => n.kind === 'thought').length, 2);
    assert.ok(run.graph.nodes().some((n) => n.calls.some((c) => c.role === 'propose')));
  });

  it('the task renders from the templates of the run host, so cot sends the override', async () => {
    const lib = library({ 'generic/cot': 'Q={{ input | strip }} fewShot={{ fewShot }}' }, 'cot-override');
    const run = runAt(server.baseUrl);
    const before = server.requests.length;
    const report = await runTechnique({ technique: cotTechnique, task: genericTask, input: ' 2+5? ', run, host: { templates: lib } });
    assert.equal(report.summary.answer, '7');
    assert.equal(server.requests[before].prompt, 'Q=2+5? fewShot=false');
  });
});

describe('workspace templates in VS Code', () => {
  it('are read only in a trusted workspace: an untrusted folder cannot change what is sent', async () => {
    const { workspaceTemplates } = await import('../../src/techniques/workspaceTemplates');
    const folder = join(dir, 'workspace-folder');
    mkdirSync(join(folder, '.thoughtscope', 'templates', 'generic'), { recursive: true });
    writeFileSync(join(folder, '.thoughtscope', 'templates', 'generic', 'io.liquid'), 'Workspace says: {{ input }}');
    assert.equal(genericTask.withTemplates(workspaceTemplates(folder, true)).ioPrompt('hi').text, 'Workspace says: hi');
    assert.equal(genericTask.withTemplates(workspaceTemplates(folder, false)).ioPrompt('hi').text, genericTask.ioPrompt('hi').text);
    assert.equal(workspaceTemplates(undefined, true).get('generic/io')?.source, 'built-in');
  });
});
