// Program of Thoughts through the real engine, a scripted model on the loopback server and the real
// WebAssembly sandbox: exact arithmetic, the repair loop, the vote over samples, refused execution.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { configureExecution, resetExecution } from '../../src/core/sandbox/execution';
import { DenoSandbox, disposeSharedSandbox, locateSandboxFiles } from '../../src/core/sandbox/sandbox';
import { join } from 'node:path';
import { genericTask } from '../../src/core/tasks/generic';
import { potTechnique } from '../../src/core/techniques/pot';
import { extractProgram, voteKey } from '../../src/core/techniques/potProgram';
import { startFakeServer, type FakeHandler, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';
import { answerChain, previewBlock } from '../../src/potPreview';
import { LocalPythonExecutor } from '../../src/core/sandbox/localPython';
import { spawnSync } from 'node:child_process';

let server: FakeServer;
let handler: FakeHandler = () => ({ choices: ['ok'] });

before(async () => {
  server = await startFakeServer((req) => handler(req));
});
after(async () => {
  disposeSharedSandbox();
  await server.close();
});
afterEach(() => resetExecution());

const py = (code: string) => `Here is the program:\n\`\`\`python\n${code}\n\`\`\`\n`;

async function pot(input: string, params: Record<string, unknown> = {}) {
  const run = runAt(server.baseUrl);
  const report = await runTechnique({ technique: potTechnique, task: genericTask, input, params, run });
  return { report, graph: run.graph };
}

test('large products and fractions come out exact (the program computes, not the model)', async () => {
  handler = (req) => {
    assert.match(req.prompt, /fractions\.Fraction/);
    if (/product/.test(req.prompt)) return { choices: [py('print(987654321987654321 * 123456789123456789)')] };
    return { choices: [py('from fractions import Fraction\nresult = Fraction(1, 3) + Fraction(2, 7) - Fraction(1, 21)')] };
  };
  const product = await pot('What is the product of 987654321987654321 and 123456789123456789?');
  assert.equal(product.report.summary.outcome, 'done', product.report.summary.message);
  assert.equal(product.report.summary.answer, (987654321987654321n * 123456789123456789n).toString());
  const fraction = await pot('What is 1/3 + 2/7 - 1/21?');
  assert.equal(fraction.report.summary.answer, '4/7');

  // The graph: question → program → execution → answer, with the code and the run's facts.
  const kinds = fraction.graph.nodes().map((n) => n.kind);
  assert.deepEqual(kinds, ['question', 'program', 'execution', 'answer']);
  const [, program, execution] = fraction.graph.nodes();
  assert.match(program.text, /^from fractions import Fraction/);
  assert.equal(program.meta?.language, 'python');
  assert.equal(program.calls.length, 1);
  assert.equal(execution.meta?.engine, 'pyodide');
  assert.equal(execution.meta?.ok, true);
  assert.equal(typeof execution.meta?.timeMs, 'number');
  assert.match(execution.text, /^result: 4\/7/);
});

test('a program that raises goes back to the model with its error; the repaired one answers', async () => {
  handler = (req) => {
    if (req.body.messages.length === 1) return { choices: [py('total = sum(range(1, 101))\nprint(totl)')] };
    assert.match(req.prompt, /NameError: name 'totl' is not defined/);
    assert.equal(req.body.messages[1].role, 'assistant');
    return { choices: [py('total = sum(range(1, 101))\nprint(total)')] };
  };
  const { report, graph } = await pot('Add the numbers from 1 to 100.');
  assert.equal(report.summary.outcome, 'done', report.summary.message);
  assert.equal(report.summary.answer, '5050');
  assert.deepEqual(graph.nodes().map((n) => `${n.kind}:${n.status}`), ['question:done', 'program:done', 'execution:failed', 'program:done', 'execution:selected', 'answer:selected']);
  const failed = graph.nodes()[2];
  assert.match(failed.error ?? '', /line 2: NameError/);
  assert.ok(graph.edges().some((e) => e.from === failed.id && e.kind === 'refine' && e.label === 'repair'));
  assert.equal(graph.nodes()[3].calls[0].role, 'repair');

  // The inline preview shows the repaired program, its output and the answer.
  const chain = answerChain(graph, report.summary.answerNodeId!);
  assert.equal(chain?.code, 'total = sum(range(1, 101))\nprint(total)');
  assert.equal(previewBlock(chain!.language, chain!.code, chain!.output, '5050'), '\n```python\ntotal = sum(range(1, 101))\nprint(total)\n```\n```text\n5050\n```\nResult: 5050\n');
});

test('repairs are bounded: with repairs=1 two failures end the run with the error, graph kept', async () => {
  handler = () => ({ choices: [py('raise RuntimeError("always broken")')] });
  const { report, graph } = await pot('Anything', { repairs: 1 });
  assert.equal(report.summary.outcome, 'failed');
  assert.match(report.summary.message ?? '', /no program produced an answer.*RuntimeError: always broken/);
  assert.equal(graph.nodes().filter((n) => n.kind === 'program').length, 2);
  assert.equal(server.requests.filter((r) => /always broken/.test(r.prompt)).length, 1);
});

test('self-consistency: the answer most programs agree on wins the vote', async () => {
  handler = () => ({ choices: [py('print(2 ** 10)'), py('print(1000 + 24)'), py('print(1000)')] });
  const { report, graph } = await pot('What is 2 to the 10th?', { samples: 3 });
  assert.equal(report.summary.answer, '1024');
  assert.deepEqual(report.candidates, ['1024', '1024', '1000']);
  const answer = graph.get(report.summary.answerNodeId!);
  assert.equal(answer.meta?.votes, 2);
  assert.equal(graph.edges().filter((e) => e.to === answer.id && e.kind === 'aggregate').length, 2);
});

test('JavaScript programs run in QuickJS', async () => {
  handler = () => ({ choices: ['```javascript\nconsole.log(String(2n ** 100n));\n```'] });
  const { report, graph } = await pot('2 to the 100th?', { language: 'javascript' });
  assert.equal(report.summary.answer, (2n ** 100n).toString());
  assert.equal(graph.nodes().find((n) => n.kind === 'execution')?.meta?.engine, 'quickjs');
});

test('when execution is refused, the program stays in the graph unrun and the run says why', async () => {
  configureExecution({ gate: async () => 'this workspace is not trusted' });
  handler = () => ({ choices: [py('print(1)')] });
  const { report, graph } = await pot('One?');
  assert.equal(report.summary.outcome, 'failed');
  assert.match(report.summary.message ?? '', /^Program not run: this workspace is not trusted/);
  const program = graph.nodes().find((n) => n.kind === 'program');
  assert.equal(program?.text, 'print(1)');
  const execution = graph.nodes().find((n) => n.kind === 'execution');
  assert.equal(execution?.text, 'Not run: this workspace is not trusted');
  assert.equal(execution?.meta?.ran, false);
});

test('bad parameters are refused before anything is sent', async () => {
  const before = server.requests.length;
  await assert.rejects(pot('x', { timeoutSeconds: 0 }), /parameter "timeoutSeconds" must be between 0.5 and 60, got 0/);
  await assert.rejects(pot('x', { language: 'ruby' }), /must be one of python, javascript/);
  assert.equal(server.requests.length, before);
});

test('program text and votes: fenced blocks, untagged blocks, exact whole numbers', () => {
  assert.equal(extractProgram('Sure.\n```py\nprint(1)\n```\nDone', 'python'), 'print(1)');
  assert.equal(extractProgram('```\nx = 2\n```', 'python'), 'x = 2');
  assert.equal(extractProgram('```js\nlet a\n```\n```python\nb = 1\n```', 'python'), 'b = 1');
  assert.equal(extractProgram('print(3)', 'python'), 'print(3)');
  assert.equal(voteKey('4.0'), voteKey('4'));
  assert.notEqual(voteKey('121932631112635269'), voteKey('121932631112635260'));
  assert.equal(voteKey(' 1,024 '), '1024');
});

const hasPython3 = spawnSync('python3', ['--version']).status === 0;

test('the optional local python3: result variable, errors, time limit, no API keys in its environment', { skip: !hasPython3 && 'python3 is not installed' }, async () => {
  const local = new LocalPythonExecutor();
  process.env.THOUGHTSCOPE_TEST_SECRET = 'sk-should-not-leak';
  try {
    const ok = await local.execute({ language: 'python', code: 'import os\nprint(os.environ.get("THOUGHTSCOPE_TEST_SECRET"))\nresult = 2 ** 70' });
    assert.equal(ok.ok, true, ok.error);
    assert.equal(ok.stdout.trim(), 'None');
    assert.equal(ok.result, String(2n ** 70n));
    assert.equal(ok.engine, 'python3');
  } finally {
    delete process.env.THOUGHTSCOPE_TEST_SECRET;
  }
  const failed = await local.execute({ language: 'python', code: 'raise ValueError("nope")' });
  assert.equal(failed.ok, false);
  assert.equal(failed.error, 'ValueError: nope');
  const slow = await local.execute({ language: 'python', code: 'while True: pass', limits: { timeMs: 500 } });
  assert.equal(slow.limit, 'time');
});

test('a sandbox that cannot start (no runnable Deno binary) stops the run with the reason on the execution node', async () => {
  handler = () => ({ choices: [py('print(6 * 7)')] });
  const real = locateSandboxFiles();
  const broken = new DenoSandbox(() => ({ ...real, deno: join(real.dir, 'no-such-deno') }));
  configureExecution({ executorFor: () => broken });
  try {
    const { report, graph } = await pot('What is 6 * 7?');
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message ?? '', /^Program not run: The python interpreter could not start: .*ENOENT/);
    const execution = graph.nodes().find((n) => n.kind === 'execution');
    assert.equal(execution?.status, 'failed', 'the execution node does not stay "Running…"');
    assert.match(execution?.text ?? '', /^Not run: The python interpreter could not start/);
  } finally {
    broken.dispose();
  }
});
