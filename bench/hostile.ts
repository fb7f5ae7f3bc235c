// Section 5, hostile servers (issue 16): what the CLI as built (dist/cli.js) takes in time and memory
// when a server or a run misbehaves. Each case runs the CLI in a child process against the loopback
// server of this process; the child's resident memory is sampled from /proc every 20 ms (Linux).
//   ctrl-c:    a Graph of Thoughts file that multiplies cached calls, Ctrl+C 2 s into the storm:
//              time from the signal to the printed totals (the run stopped) and to the exit (trace written)
//   node cap:  the same file with the default limits: how long and how much memory until it stops itself
//   300 MB:    one completion of 300 MB: time, peak memory, and that the answer was kept (cut, marked)
//   index 1e8: one streamed chunk with choice index 100,000,000: time to the refusal, peak memory
//   stall:     headers then silence, --timeout 3 --retries 1: time to the exit
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeReply, type FakeRequest } from '../test/support/fakeOpenAI';
import { round } from './models';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const BOMB = join(ROOT, 'test', 'fixtures', 'hostile', 'got-bomb.json');

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ms from start to exit. */
  wallMs: number;
  peakRssBytes: number;
  /** ms from start to the first stdout line starting with `mark`, if any. */
  markMs?: number;
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Runs the CLI; `during` may act on the child (send a signal) while it runs. */
function runCli(args: string[], options: { mark?: string; during?: (signal: (name: NodeJS.Signals) => number) => void } = {}): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off' };
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    let markMs: number | undefined;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 20);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (options.mark && markMs === undefined && stdout.split('\n').some((l) => l.startsWith(options.mark!))) markMs = performance.now() - started;
    });
    child.stderr.on('data', (d) => (stderr += d));
    options.during?.((name) => {
      child.kill(name);
      return performance.now() - started;
    });
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakRssBytes: peak, markMs });
    });
  });
}

export async function benchHostile(options: { log: (line: string) => void }) {
  const { log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-bench-hostile-'));
  const replies = new Map<string, (req: FakeRequest) => FakeReply>([
    ['HUGE', () => ({ contentChars: 300 * 1024 * 1024 })],
    ['INDEX', () => ({ streamChunks: [{ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 100_000_000, delta: { content: 'x' }, finish_reason: null }] }] })],
    ['STALL', () => ({ stallStream: true })],
  ]);
  const server = await startFakeServer((req) => {
    const tag = [...replies.keys()].find((t) => req.prompt.includes(t));
    return tag ? replies.get(tag)!(req) : { choices: ['same text'] };
  });
  const common = ['--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--api-key', 'k'];
  const mib = (bytes: number) => round(bytes / 1024 / 1024, 0);
  try {
    log('hostile: Ctrl+C 2 s into a Graph of Thoughts blow-up (limits raised so only Ctrl+C stops it)');
    let signalAt = 0;
    const requestsBefore = server.requests.length;
    const ctrlC = await runCli(['run', '-t', 'got', '-p', `file=${BOMB}`, '-i', 'x', ...common, '--max-nodes', '10000000', '--max-memory-mb', '60000', '--out', join(dir, 'ctrl-c.json')], {
      mark: 'Calls:',
      during: (signal) => {
        const wait = () => (server.requests.length >= requestsBefore + 2 ? setTimeout(() => (signalAt = signal('SIGINT')), 2000) : setTimeout(wait, 10));
        wait();
      },
    });
    const trace = JSON.parse(readFileSync(join(dir, 'ctrl-c.json'), 'utf8')) as { outcome: string; nodes: unknown[] };

    log('hostile: the same file with the default limits');
    const capped = await runCli(['run', '-t', 'got', '-p', `file=${BOMB}`, '-i', 'x', ...common, '--out', join(dir, 'capped.json')]);

    log('hostile: a 300 MB completion');
    const huge = await runCli(['run', '-t', 'io', '-i', 'HUGE', ...common, '--json']);
    const hugeAnswer = huge.code === 0 ? (JSON.parse(huge.stdout) as { answer: string }).answer : '';

    log('hostile: a streamed choice index of 100,000,000');
    const index = await runCli(['run', '-t', 'io', '-i', 'INDEX', ...common, '--stream']);

    log('hostile: a stream that stalls after one chunk, --timeout 3 --retries 1');
    const stall = await runCli(['run', '-t', 'io', '-i', 'STALL', ...common, '--stream', '--timeout', '3', '--retries', '1']);

    return {
      ctrlC: {
        exitCode: ctrlC.code,
        outcome: trace.outcome,
        nodesAtStop: trace.nodes.length,
        signalAfterMs: round(signalAt, 0),
        runStoppedMs: round((ctrlC.markMs ?? NaN) - signalAt, 0),
        exitedMs: round(ctrlC.wallMs - signalAt, 0),
        peakRssMiB: mib(ctrlC.peakRssBytes),
      },
      nodeCap: { exitCode: capped.code, message: capped.stderr.trim().split('\n').pop(), wallMs: round(capped.wallMs, 0), peakRssMiB: mib(capped.peakRssBytes) },
      huge: { exitCode: huge.code, wallMs: round(huge.wallMs, 0), peakRssMiB: mib(huge.peakRssBytes), answerChars: hugeAnswer.length, marked: /truncated by Thoughtscope/.test(hugeAnswer) },
      streamIndex: { exitCode: index.code, wallMs: round(index.wallMs, 0), peakRssMiB: mib(index.peakRssBytes), message: index.stderr.trim().split('\n').pop() },
      stall: { exitCode: stall.code, wallMs: round(stall.wallMs, 0), message: stall.stderr.trim().split('\n').pop() },
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
