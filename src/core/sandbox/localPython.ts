// The optional local python3 (setting `thoughtscope.pot.localPython`, off by default). NOT a
// sandbox: the program runs as the user, with the user's files and network. Only the wall time
// and the output size are limited; memory is not. Isolated mode (-I) ignores PYTHON* variables and
// the user's site-packages, the working directory is a fresh temporary folder, and the environment
// is reduced to PATH so API keys in environment variables are not handed to the program.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abortError } from '../run/limiter';
import { limitMessage } from './sandbox';
import { DEFAULT_LIMITS, type ExecutionRequest, type ExecutionResult, type ProgramExecutor } from './types';

// Prints the program's answer variable (`result`, `answer` or `ans`) after it ran, in the same form as the sandbox reports it.
const WRAPPER = [
  'import runpy, sys',
  'scope = runpy.run_path(sys.argv[1], run_name="__main__")',
  'value = next((scope[k] for k in ("result", "answer", "ans") if scope.get(k) is not None), None)',
  'if value is not None: sys.stderr.write("\\n\\x00thoughtscope-result\\x00" + str(value))',
].join('\n');
const RESULT_MARK = '\n\x00thoughtscope-result\x00';

export class LocalPythonExecutor implements ProgramExecutor {
  constructor(private readonly command = 'python3') {}

  async execute(request: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult> {
    if (request.language !== 'python') throw new Error('the local interpreter runs Python only');
    if (signal?.aborted) throw abortError();
    const limits = { ...DEFAULT_LIMITS, ...request.limits };
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-pot-'));
    writeFileSync(join(dir, 'program.py'), request.code);
    const started = performance.now();
    try {
      return await new Promise<ExecutionResult>((resolve, reject) => {
        const child = spawn(this.command, ['-I', '-c', WRAPPER, join(dir, 'program.py')], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let limit: 'time' | 'output' | undefined;
        const stop = (kind: 'time' | 'output') => {
          limit ??= kind;
          child.kill('SIGKILL');
        };
        const take = (chunk: Buffer, to: 'out' | 'err') => {
          if (to === 'out') stdout += chunk.toString('utf8');
          else stderr += chunk.toString('utf8');
          if (stdout.length + stderr.length > limits.outputBytes) stop('output');
        };
        child.stdout.on('data', (c: Buffer) => take(c, 'out'));
        child.stderr.on('data', (c: Buffer) => take(c, 'err'));
        const timer = setTimeout(() => stop('time'), limits.timeMs);
        const onAbort = () => {
          child.kill('SIGKILL');
          reject(abortError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        child.on('error', (err) => {
          clearTimeout(timer);
          resolve({ ok: false, stdout: '', stderr: '', error: `cannot start ${this.command}: ${err.message}`, timeMs: 0, engine: 'python3' });
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const mark = stderr.lastIndexOf(RESULT_MARK);
          const result = mark >= 0 ? stderr.slice(mark + RESULT_MARK.length) : undefined;
          if (mark >= 0) stderr = stderr.slice(0, mark);
          const timeMs = Math.round(performance.now() - started);
          const base = { stdout: stdout.slice(0, limits.outputBytes), stderr: stderr.slice(0, limits.outputBytes), timeMs, engine: 'python3' };
          if (limit) return resolve({ ...base, ok: false, limit, error: limitMessage(limit, limits) });
          if (code !== 0) {
            const lines = stderr.trim().split('\n');
            return resolve({ ...base, ok: false, error: lines[lines.length - 1] || `python3 exited with code ${code}` });
          }
          resolve({ ...base, ok: true, result });
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
