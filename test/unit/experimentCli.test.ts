// `thoughtscope eval -c thoughtscope.yaml` from the built CLI against the loopback server: the whole
// matrix, report.md and experiment.json, exit codes as a CI gate, a re-run answered from the response
// cache, a budget stop finished with --resume, a bad file as one line, and a task file of the test's own
// (its templates, examples, answer pattern, scorer and data file) applied as `eval --task` applies it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EvalResults } from '../../src/core/eval/types';
import { closingServers, type FakeServer } from '../support/fakeOpenAI';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const server = closingServers();

function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const full = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: '', THOUGHTSCOPE_CACHE_DIR: join(cwd, 'cache'), ...env };
    execFile(process.execPath, [CLI, ...args], { cwd, env: full, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Sums right, except 7+8 (answered 14): 3 of 4 items correct with any technique. */
async function adder(): Promise<FakeServer> {
  return server((req) => {
    const m = /What is (\d+)\+(\d+)\?/.exec(req.body.messages.map((x) => x.content).join('\n'));
    const sum = m ? Number(m[1]) + Number(m[2]) : 0;
    return { choices: [`Answer: ${m?.[1] === '7' ? sum - 1 : sum}`], usage: { prompt_tokens: 200, completion_tokens: 20 } };
  });
}

function workspace(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-expcli-'));
  const rows = [['2', '3'], ['7', '8'], ['10', '5'], ['1', '1']].map(([a, b]) => JSON.stringify({ input: `What is ${a}+${b}?`, expected: String(Number(a) + Number(b)) }));
  writeFileSync(join(dir, 'sums.jsonl'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'thoughtscope.yaml'), yaml);
  return dir;
}

const experiment = (baseUrl: string, extra = '') => `# a small experiment
name: sums
task: numeric
dataset: sums.jsonl
concurrency: 2
server:
  baseUrl: ${baseUrl}
models: [gpt-4o-mini]
techniques:
  - io
  - technique: cot
    params: { temperature: 0 }
${extra}`;

describe('thoughtscope eval -c', () => {
  it('runs every technique on every model, writes the report and passes its thresholds', async () => {
    const s = await adder();
    const dir = workspace(experiment(s.baseUrl, 'thresholds:\n  - "cot accuracy >= 0.7"\n  - "cost per item <= $0.01"\n'));
    const r = await cli(dir, ['eval', '-c', 'thoughtscope.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.requests.length, 8, 'two techniques × four items');
    assert.match(r.stdout, /^PASS  cot accuracy >= 0\.7  \(cot on gpt-4o-mini: accuracy 0\.75, needs >= 0\.7\)$/m);
    assert.match(r.stdout, /^PASS  cost per item <= \$0\.01  \(io on gpt-4o-mini: cost per item \$0\.000042, needs <= \$0\.0100\)$/m);
    assert.match(r.stdout, /Experiment sums: passed/);
    const out = join(dir, '.thoughtscope', 'experiments', 'sums');
    const results = JSON.parse(readFileSync(join(out, 'cot--gpt-4o-mini.json'), 'utf8')) as EvalResults;
    assert.equal(results.summary.correct, 3);
    assert.equal(results.meta.dataset, 'sums.jsonl');
    assert.ok(existsSync(join(out, 'io--gpt-4o-mini.checkpoint.jsonl')));
    assert.ok(existsSync(join(out, 'io--gpt-4o-mini.traces.jsonl')));
    const verdict = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8')) as { passed: boolean; runs: Array<{ label: string; results: string }>; checks: unknown[] };
    assert.equal(verdict.passed, true);
    assert.deepEqual(verdict.runs.map((run) => [run.label, run.results]), [['io', 'io--gpt-4o-mini.json'], ['cot', 'cot--gpt-4o-mini.json']]);
    assert.equal(verdict.checks.length, 3);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(report, /^# Experiment sums: passed/);
    assert.match(report, /\| pass \| cot accuracy >= 0\.7 \| cot on gpt-4o-mini \|/);
    assert.match(report, /## Report/);

    // The same experiment again: every answer from the response cache, the cost gate judged on first costs.
    const again = await cli(dir, ['eval', '-c', 'thoughtscope.yaml', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(s.requests.length, 8, 'nothing sent the second time');
    const json = JSON.parse(again.stdout) as { passed: boolean; checks: Array<{ threshold: string; actual: number }> };
    assert.equal(json.passed, true);
    const cost = json.checks.find((c) => c.threshold.startsWith('cost') && c.actual > 0);
    assert.ok(cost, 'cost per item counts the replayed answers at their first cost, not $0');
    const rerun = JSON.parse(readFileSync(join(out, 'cot--gpt-4o-mini.json'), 'utf8')) as EvalResults;
    assert.equal(rerun.summary.costUsd, 0);
    assert.equal(rerun.summary.replayed?.calls, 4);
  });

  it('exits 1 when a threshold fails, naming it', async () => {
    const s = await adder();
    const dir = workspace(experiment(s.baseUrl, 'thresholds:\n  - "io accuracy >= 90%"\n'));
    const r = await cli(dir, ['eval', '-c', 'thoughtscope.yaml', '--no-cache']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL  io accuracy >= 90%/m);
    assert.match(r.stderr, /^thoughtscope: "io accuracy >= 90%" failed: io on gpt-4o-mini: accuracy 0\.75, needs >= 0\.9$/m);
    assert.match(readFileSync(join(dir, '.thoughtscope', 'experiments', 'sums', 'report.md'), 'utf8'), /^# Experiment sums: FAILED/);
  });

  it('a budget stop leaves runs unfinished (exit 1); --resume finishes them without sending finished items again', async () => {
    const s = await adder();
    const yaml = (usd: string) => experiment(s.baseUrl, `budget:\n  maxUsd: ${usd}\n`).replace('concurrency: 2', 'concurrency: 1');
    // Room for a request or two at $0.15/$0.60 per million tokens (each holds its worst case while in flight).
    const dir = workspace(yaml('0.0001'));
    const first = await cli(dir, ['eval', '-c', 'thoughtscope.yaml', '--no-cache']);
    assert.equal(first.code, 1);
    const stopped = /io on gpt-4o-mini: (\d)\/4 items finished \(budget of \$0\.0001 reached/.exec(first.stderr);
    assert.ok(stopped && Number(stopped[1]) >= 1 && Number(stopped[1]) < 4, first.stderr);
    assert.match(first.stderr, /cot on gpt-4o-mini: 0\/\S+ items finished \((the experiment's budget of \$0\.0001 was spent|budget of \$[\d.e-]+ reached)/);
    assert.match(first.stderr, /add --resume/);
    assert.equal(s.requests.length, Number(stopped![1]), 'one request per finished item');
    writeFileSync(join(dir, 'thoughtscope.yaml'), yaml('1'));
    const resumed = await cli(dir, ['eval', '-c', 'thoughtscope.yaml', '--no-cache', '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(s.requests.length, 8, 'the finished item was not sent again');
    assert.match(resumed.stdout, new RegExp(`${stopped![1]} items from the checkpoint`));
  });

  it('a bad experiment file is one line naming file, line and field (exit 2), and -c takes no --task', async () => {
    const dir = workspace(experiment('http://127.0.0.1:9/v1').replace('temperature: 0', 'temperature: 7'));
    const r = await cli(dir, ['eval', '-c', 'thoughtscope.yaml']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'thoughtscope: thoughtscope.yaml:12: techniques[1].params.temperature: must be <= 2\n');
    const clash = await cli(dir, ['eval', '-c', 'thoughtscope.yaml', '--task', 'exact']);
    assert.equal(clash.code, 2);
    assert.equal(clash.stderr, 'thoughtscope: --task does not go with -c: the experiment file says it\n');
  });

  describe('a task file as the task', () => {
    /**
     * A task the built-in ones would score differently: its own prompt (from the experiment's templates
     * folder, with the file's examples), its answer on a "Result =" line, and a numeric scorer with a 10%
     * tolerance. Its data file sits beside it, so the experiment names none.
     */
    function taskWorkspace(baseUrl: string, taskFile = '', yaml = ''): string {
      const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-exptask-'));
      mkdirSync(join(dir, 'tasks'));
      mkdirSync(join(dir, 'prompts', 'sums'), { recursive: true });
      const rows = [['2', '3'], ['7', '8'], ['10', '5']].map(([a, b]) => JSON.stringify({ input: `What is ${a}+${b}?`, expected: String(Number(a) + Number(b)) }));
      writeFileSync(join(dir, 'tasks', 'sums.jsonl'), `${rows.join('\n')}\n`);
      writeFileSync(
        join(dir, 'tasks', 'sums.task.yaml'),
        taskFile ||
          [
            'id: sums',
            'description: Sums, answered on a Result line',
            'templates:',
            '  io: sums/ask',
            'answer:',
            "  pattern: '^Result\\s*=\\s*(.+)$'",
            'scorer:',
            '  type: numeric',
            '  tolerance: 0.1',
            'examples:',
            '  - { input: "What is 1+1?", answer: "2" }',
            'data:',
            '  file: sums.jsonl',
            '',
          ].join('\n'),
      );
      writeFileSync(join(dir, 'prompts', 'sums', 'ask.liquid'), 'SUMS-TEMPLATE{% for e in examples %} (e.g. {{ e.input }} gives {{ e.answer }}){% endfor %}\n{{ input }}\nReply "Result = <number>".');
      writeFileSync(
        join(dir, 'thoughtscope.yaml'),
        yaml || `name: own-task\ntask: tasks/sums.task.yaml\ntemplates: prompts\nconcurrency: 1\nserver:\n  baseUrl: ${baseUrl}\nmodels: [gpt-4o-mini]\ntechniques: [io]\nthresholds:\n  - "io accuracy >= 1"\n`,
      );
      return dir;
    }

    it('sends its template, reads its answers and scores them with its scorer, on its own data', async () => {
      // 7+8 is answered 15.5: right within the task's 10%, wrong for the built-in numeric scorer. An
      // "Answer:" line after the Result line is what the built-in answer reading would take instead.
      const s = await server((req) => {
        // The item's question is the last one in the prompt (the example's comes first).
        const m = [...req.prompt.matchAll(/What is (\d+)\+(\d+)\?/g)].pop();
        if (!req.prompt.startsWith('SUMS-TEMPLATE') || !m) return { choices: ['Answer: 0'] };
        const sum = Number(m[1]) + Number(m[2]);
        return { choices: [`Result = ${m[1] === '7' ? sum + 0.5 : sum}\nAnswer: 999`], usage: { prompt_tokens: 50, completion_tokens: 5 } };
      });
      const dir = taskWorkspace(s.baseUrl);
      const r = await cli(dir, ['eval', '-c', 'thoughtscope.yaml'], { THOUGHTSCOPE_CACHE: 'off' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(s.requests.length, 3, 'one request per row of the task file’s data');
      for (const req of s.requests) assert.match(req.prompt, /^SUMS-TEMPLATE \(e\.g\. What is 1\+1\? gives 2\)\nWhat is \d+\+\d+\?\nReply "Result = <number>"\.$/);
      const results = JSON.parse(readFileSync(join(dir, '.thoughtscope', 'experiments', 'own-task', 'io--gpt-4o-mini.json'), 'utf8')) as EvalResults;
      assert.equal(results.meta.task, 'sums');
      assert.equal(results.meta.dataset, 'sums.jsonl');
      assert.deepEqual(results.items.map((i) => [i.answer, i.correct]), [['5', true], ['15.5', true], ['15', true]]);
      assert.match(r.stdout, /^PASS  io accuracy >= 1 /m);
    });

    it('a task file that breaks its schema stops before any call, naming both files and lines (exit 2)', async () => {
      const s = await server(() => ({ choices: ['Result = 1'] }));
      const dir = taskWorkspace(s.baseUrl, 'id: sums\ndescription: d\nscorer:\n  type: numeric\n  tolerence: 0.1\n');
      const r = await cli(dir, ['eval', '-c', 'thoughtscope.yaml'], { THOUGHTSCOPE_CACHE: 'off' });
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'thoughtscope: thoughtscope.yaml:2: task: tasks/sums.task.yaml:5: scorer: unknown field "tolerence"\n');
      assert.equal(s.requests.length, 0);
    });
  });
});
