// Constitutional critique-and-revise against the loopback server, through the real engine.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { game24Task } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { citedPrinciple, constitutionalTechnique } from '../../src/core/techniques/constitutional';
import { ParamError } from '../../src/core/techniques/params';
import { parsePrinciples } from '../../src/core/techniques/principles';
import { TemplateLibrary } from '../../src/core/templates/library';

/** The built-in principles: the constitutional/principles template, one per line. */
const DEFAULT_PRINCIPLES = parsePrinciples(TemplateLibrary.builtIn().render('constitutional/principles', {}).text);
import { startFakeServer, type FakeRequest, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-constitutional-'));

function roleOf(prompt: string): 'critique' | 'revise' | 'draft' {
  if (prompt.includes('Critique the response')) return 'critique';
  if (prompt.includes('Rewrite the response')) return 'revise';
  return 'draft';
}

/** Draft "v0"; each revision appends a version; each critique names principle 3 (or "none" after v2). */
function scripted(req: FakeRequest) {
  const { prompt } = req;
  const role = roleOf(prompt);
  if (role === 'draft') return { choices: ['Dear team, v0'] };
  const versions = [...prompt.matchAll(/\bv(\d)\b/g)].map((m) => Number(m[1]));
  const current = Math.max(...versions);
  if (role === 'critique') return { choices: [current >= 2 ? 'Principle: none\nAll good.' : `Principle: 3\nVersion v${current} guesses a date.`] };
  return { choices: [`Revised response: Dear team, v${current + 1}`] };
}

let server: FakeServer;
before(async () => {
  server = await startFakeServer(scripted);
});
after(() => server.close());

function requestsSince(index: number) {
  return server.requests.slice(index);
}

describe('constitutional', () => {
  it('has one critique and one revision per round, chained, each critique citing its principle', async () => {
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'Write a note to the team.', params: { rounds: 3, principleChoice: 'all' }, run });
    assert.equal(report.summary.outcome, 'done');
    const sent = requestsSince(start);
    assert.deepEqual(sent.map((r) => roleOf(r.prompt)), ['draft', 'critique', 'revise', 'critique', 'revise', 'critique', 'revise']);
    assert.equal(sent[0].prompt, 'Write a note to the team.');

    const nodes = run.graph.nodes();
    const critiques = nodes.filter((n) => n.kind === 'critique');
    const revisions = nodes.filter((n) => n.meta?.stage === 'revision');
    assert.equal(critiques.length, 3);
    assert.equal(revisions.length, 3);
    assert.deepEqual(critiques.map((n) => n.calls.length), [1, 1, 1]);
    assert.deepEqual(revisions.map((n) => n.calls.map((c) => c.role)), [['revise'], ['revise'], ['revise']]);
    // The chain: question → draft → critique 1 → revision 1 → critique 2 → … → answer.
    const chain = [nodes.find((n) => n.kind === 'question')!, nodes.find((n) => n.meta?.stage === 'draft')!];
    for (let i = 0; i < 3; i++) chain.push(critiques[i], revisions[i]);
    chain.push(nodes.find((n) => n.kind === 'answer')!);
    for (let i = 1; i < chain.length; i++) assert.deepEqual(run.graph.parentsOf(chain[i].id), [chain[i - 1].id], `link ${i}`);
    assert.equal(nodes.length, chain.length);

    assert.deepEqual(critiques.map((n) => n.meta?.principle), [`3. ${DEFAULT_PRINCIPLES[2]}`, `3. ${DEFAULT_PRINCIPLES[2]}`, 'none (meets every principle)']);
    assert.match(critiques[0].text, /^Principle 3\. Be honest/);
    assert.deepEqual(run.graph.edges().filter((e) => e.kind === 'refine').map((e) => e.label), ['principle 3', 'principle 3', undefined]);
    // Each critique sees the latest version and all principles; each revision sees its critique.
    const critiquePrompts = sent.filter((r) => roleOf(r.prompt) === 'critique').map((r) => r.prompt);
    critiquePrompts.forEach((p, i) => {
      assert.match(p, new RegExp(`Response:\\nDear team, v${i}\\n`));
      for (const [j, principle] of DEFAULT_PRINCIPLES.entries()) assert.ok(p.includes(`${j + 1}. ${principle}`));
    });
    assert.match(sent[2].prompt, /Critique \(principle: Be honest[^)]*\):\nPrinciple: 3\nVersion v0 guesses a date\./);
    assert.equal(revisions[2].text, 'Dear team, v3');
    // No "Answer:" line: the whole revised text is the answer.
    assert.equal(report.summary.answer, 'Dear team, v3');
  });

  it('by default draws one principle at random per round (seeded), with worked examples before the critique and the revision', async () => {
    const principles = ['Be brief.', 'Use British spelling.', 'Name a deadline.', 'Thank the reader.', 'Avoid jargon.', 'Sign with a name.'];
    const drawn = async (input: string, seed: number) => {
      const start = server.requests.length;
      const run = runAt(server.baseUrl);
      await runTechnique({ technique: constitutionalTechnique, task: genericTask, input, params: { rounds: 4, seed, principles: principles.join('\n') }, run });
      const sent = requestsSince(start);
      for (const r of sent.filter((x) => roleOf(x.prompt) !== 'draft')) {
        assert.match(r.prompt, /^Worked examples:\n\nExample 1\n/);
        assert.ok(r.prompt.includes('15% of $80 is 0.15 × 80 = $12'), 'the worked critique');
      }
      assert.match(sent.find((x) => roleOf(x.prompt) === 'revise')!.prompt, /Revised response:\n15% of \$80 is 0\.15 × 80 = \$12, so you pay/);
      const critiques = sent.filter((r) => roleOf(r.prompt) === 'critique').map((r) => r.prompt);
      assert.equal(critiques.length, 4);
      for (const c of critiques) assert.ok(!c.includes('Principles:'), 'one principle per critique');
      return critiques.map((c) => Number(/^Principle (\d): /m.exec(c)![1]));
    };
    const draws: string[] = [];
    for (const q of ['Write a note.', 'Write a memo.', 'Write a reminder.']) draws.push((await drawn(q, 0)).join());
    const all = draws.join().split(',').map(Number);
    assert.ok(all.every((n) => n >= 1 && n <= 6));
    assert.ok(new Set(all).size >= 3, `draws spread over the principles: ${draws.join(' / ')}`);
    assert.ok(!draws.every((d) => d === '1,2,3,4'), 'not the list in turn');
    assert.equal((await drawn('Write a note.', 0)).join(), draws[0], 'the same seed and question draw the same');

    const start = server.requests.length;
    await runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'Write a note.', params: { rounds: 1, fewShot: false }, run: runAt(server.baseUrl) });
    for (const r of requestsSince(start)) assert.ok(!r.prompt.includes('Worked examples'), 'fewShot=false: instructions only');
  });

  it('cycles through principles from a workspace file, one per round', async () => {
    writeFileSync(join(dir, 'principles.md'), '# House rules\n\n- Be brief.\n- Use British spelling.\n');
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    await runTechnique({
      technique: constitutionalTechnique,
      task: genericTask,
      input: 'Write a note.',
      params: { rounds: 3, principleChoice: 'cycle', principlesFile: 'principles.md' },
      host: { baseDir: dir },
      run,
    });
    const critiques = requestsSince(start).filter((r) => roleOf(r.prompt) === 'critique').map((r) => r.prompt);
    assert.equal(critiques.length, 3);
    assert.match(critiques[0], /Principle 1: Be brief\./);
    assert.match(critiques[1], /Principle 2: Use British spelling\./);
    assert.match(critiques[2], /Principle 1: Be brief\./);
    for (const p of critiques) assert.ok(!p.includes('Principles:'), 'cycle shows one principle');
    assert.deepEqual(run.graph.nodes().filter((n) => n.kind === 'critique').map((n) => n.meta?.principle), ['1. Be brief.', '2. Use British spelling.', '1. Be brief.']);
  });

  it('takes its built-in principles and worked examples from templates a workspace can override, recorded with the calls', async () => {
    const templatesDir = mkdtempSync(join(tmpdir(), 'thoughtscope-constitutional-templates-'));
    mkdirSync(join(templatesDir, 'constitutional'));
    writeFileSync(join(templatesDir, 'constitutional', 'principles.liquid'), '- Cite the contract.\n- Offer a meeting.\n');
    writeFileSync(join(templatesDir, 'constitutional', 'worked-examples.liquid'), 'OUR EXAMPLE{% if revision %} (revised){% endif %}');
    const templates = TemplateLibrary.builtIn().withDir(templatesDir, 'workspace');
    const start = server.requests.length;
    const run = runAt(server.baseUrl);
    await runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'Write a note.', params: { rounds: 2, principleChoice: 'cycle' }, host: { templates }, run });
    const sent = requestsSince(start);
    const critiques = sent.filter((r) => roleOf(r.prompt) === 'critique').map((r) => r.prompt);
    assert.match(critiques[0], /^OUR EXAMPLE\n\n---\n\nNow your turn\.\n[\s\S]*Principle 1: Cite the contract\./);
    assert.match(critiques[1], /Principle 2: Offer a meeting\./);
    assert.match(sent.find((r) => roleOf(r.prompt) === 'revise')!.prompt, /^OUR EXAMPLE \(revised\)\n/);
    const critiqueCall = run.graph.nodes().find((n) => n.kind === 'critique')!.calls[0];
    assert.deepEqual(critiqueCall.templates?.map((t) => `${t.name}:${t.source}`), ['constitutional/critique:built-in', 'constitutional/worked-examples:workspace', 'constitutional/principles:workspace']);
    // An override with no principle in it is a parameter error before any call.
    writeFileSync(join(templatesDir, 'constitutional', 'principles.liquid'), '# nothing yet\n');
    const empty = TemplateLibrary.builtIn().withDir(templatesDir, 'workspace');
    const before = server.requests.length;
    await assert.rejects(
      runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'Write a note.', host: { templates: empty }, run: runAt(server.baseUrl) }),
      /template constitutional\/principles \(\S*principles\.liquid\) has no principles: write one per line/,
    );
    assert.equal(server.requests.length, before);
  });

  it('shows only the revised answer when asked, keeping the draft in its call', async () => {
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'Write a memo.', params: { rounds: 2, showOnlyRevised: true }, run });
    const nodes = run.graph.nodes();
    const draft = nodes.find((n) => n.meta?.stage === 'draft')!;
    const revisions = nodes.filter((n) => n.meta?.stage === 'revision');
    assert.equal(draft.text, 'Draft (held back until the review is done)');
    assert.equal(revisions[0].text, 'Revision 1 (held back until the review is done)');
    assert.equal(revisions[1].text, 'Dear team, v2');
    assert.equal(draft.calls[0].responses[0], 'Dear team, v0');
    assert.equal(report.summary.answer, 'Dear team, v2');
    assert.deepEqual(nodes.filter((n) => /Dear team, v[01]\b/.test(n.text)).map((n) => n.id), [], 'no node shows the draft or revision 1');
  });

  it('answers with the Answer line for tasks with a checker', async () => {
    const s = await startFakeServer((req) => {
      const role = roleOf(req.prompt);
      if (role === 'draft') return { choices: ['Answer: (13 - 9) + (10 - 4) = 24'] };
      if (role === 'critique') return { choices: ['Principle: 1\n4 + 6 is 10, not 24.'] };
      return { choices: ['(13 - 9) * (10 - 4) = 24\nAnswer: (13 - 9) * (10 - 4) = 24'] };
    });
    try {
      const run = runAt(s.baseUrl);
      const report = await runTechnique({ technique: constitutionalTechnique, task: game24Task, input: '4 9 10 13', run });
      assert.equal(s.requests[0].prompt, game24Task.ioPrompt('4 9 10 13').text);
      assert.equal(report.summary.answer, '(13 - 9) * (10 - 4)');
      assert.equal(run.graph.get(report.summary.answerNodeId!).meta?.correct, true);
    } finally {
      await s.close();
    }
  });

  it('keeps the chain so far when cancelled during a critique', async () => {
    const s = await startFakeServer((req) => (roleOf(req.prompt) === 'draft' ? { choices: ['first try'] } : { hang: true }));
    try {
      const run = runAt(s.baseUrl);
      const pending = runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'q', run });
      while (s.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
      run.cancel();
      const report = await pending;
      assert.equal(report.summary.outcome, 'cancelled');
      assert.deepEqual(run.graph.nodes().map((n) => [n.kind, n.status, n.text]), [
        ['question', 'done', 'q'],
        ['thought', 'done', 'first try'],
        ['critique', 'cancelled', 'Critique 1…'],
      ]);
    } finally {
      await s.close();
    }
  });

  it('rejects bad parameters before any call', async () => {
    writeFileSync(join(dir, 'empty.md'), '# Only a heading\n\n');
    const start = server.requests.length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ rounds: 0 }, /parameter "rounds" must be between 1 and 10, got 0/],
      [{ principleChoice: 'sometimes' }, /parameter "principleChoice" must be one of random, all, cycle/],
      [{ principlesFile: 'missing.md' }, /parameter "principlesFile": cannot read .*missing\.md \(no such file\)/],
      [{ principlesFile: 'empty.md' }, /parameter "principlesFile" \(empty\.md\) has no principles/],
      [{ principles: Array.from({ length: 51 }, (_, i) => `rule ${i}`).join('\n') }, /parameter "principles" must have between 1 and 50 principles, got 51/],
    ];
    for (const [params, pattern] of cases) {
      await assert.rejects(
        runTechnique({ technique: constitutionalTechnique, task: genericTask, input: 'q', params, host: { baseDir: dir }, run: runAt(server.baseUrl) }),
        (err: Error) => err instanceof ParamError && pattern.test(err.message),
        JSON.stringify(params),
      );
    }
    assert.equal(server.requests.length, start);
  });
});

describe('principles and citations', () => {
  it('parses one principle per line or " | "-separated, dropping bullets and headings', () => {
    assert.deepEqual(parsePrinciples('# Rules\n1. Be kind.\n- Be brief\n\n* Cite sources'), ['Be kind.', 'Be brief', 'Cite sources']);
    assert.deepEqual(parsePrinciples('Be kind | Be brief'), ['Be kind', 'Be brief']);
  });

  it('reads the cited principle, ignoring numbers out of range', () => {
    assert.equal(citedPrinciple('Principle: 2\nbecause', 5), 2);
    assert.equal(citedPrinciple('**Principle 4**: the answer', 5), 4);
    assert.equal(citedPrinciple('Principle: none', 5), 'none');
    assert.equal(citedPrinciple('Principle: 9', 5), undefined);
    assert.equal(citedPrinciple('It is fine.', 5), undefined);
  });
});
