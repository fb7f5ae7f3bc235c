// One sandbox process, seen from the host: started, given at most one program, then killed. Whatever
// it sends is untrusted (a program may own its JavaScript): frames are size-capped and checked, output
// is counted here against the limit, and on Linux its resident memory is watched and capped.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { denoLaunch } from './denoCommand';
import { encodeFrame, FrameReader, type Frame, type GuestFrame, type HostFrame } from './protocol';

export interface SandboxFiles {
  deno: string;
  runner: string;
  /** The folder holding the runner and the interpreter files: the only place the process may read. */
  dir: string;
}

/** Why a process ended before answering, as far as the host can tell. */
export type Ending = { kind: 'exit'; code: number | null; stderr: string } | { kind: 'memory' } | { kind: 'protocol'; message: string };

const MAX_HEADER_BYTES = 1024 * 1024;
const MAX_STDERR_CHARS = 8192;
const MEMORY_POLL_MS = 100;

/** Scratch folders of processes still alive, removed (and the processes killed) if Node exits first. */
const live = new Map<string, ChildProcess>();
let exitHookInstalled = false;
function cleanUpOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [scratch, child] of live) {
      child.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

export class SandboxProcess {
  private readonly child: ChildProcess;
  private readonly scratch: string;
  private readonly reader: FrameReader<GuestFrame>;
  private readonly waiters: Array<(frame: Frame<GuestFrame>) => void> = [];
  private readonly frames: Array<Frame<GuestFrame>> = [];
  private stderr = '';
  private memoryTimer: NodeJS.Timeout | undefined;
  /** Set once the process is gone; every wait after that ends with it. */
  private ending: Ending | undefined;
  private readonly ended: Promise<Ending>;
  onFrame: ((frame: GuestFrame) => void) | undefined;

  constructor(files: SandboxFiles, heapMb: number, maxPayloadBytes: number) {
    this.scratch = mkdtempSync(join(tmpdir(), 'thoughtscope-sandbox-'));
    const launch = denoLaunch(files.deno, files.runner, [files.dir], this.scratch, heapMb);
    this.reader = new FrameReader<GuestFrame>(MAX_HEADER_BYTES, maxPayloadBytes);
    this.child = spawn(launch.command, launch.args, { cwd: this.scratch, env: launch.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.ended = new Promise<Ending>((resolve) => {
      const finish = (ending: Ending) => {
        if (this.ending) return;
        this.ending = ending;
        this.kill();
        resolve(ending);
      };
      this.child.on('error', (err) => finish({ kind: 'exit', code: null, stderr: err.message }));
      this.child.on('close', (code) => finish({ kind: 'exit', code, stderr: this.stderr }));
      this.child.stdout!.on('data', (chunk: Buffer) => {
        try {
          for (const frame of this.reader.push(chunk)) this.deliver(frame);
        } catch (err) {
          finish({ kind: 'protocol', message: err instanceof Error ? err.message : String(err) });
        }
      });
      this.child.stderr!.on('data', (chunk: Buffer) => {
        if (this.stderr.length < MAX_STDERR_CHARS) this.stderr += chunk.toString('utf8').slice(0, MAX_STDERR_CHARS - this.stderr.length);
      });
      this.stopBecause = finish;
    });
    live.set(this.scratch, this.child);
    cleanUpOnExit();
    const removeScratch = () => {
      live.delete(this.scratch);
      rmSync(this.scratch, { recursive: true, force: true });
    };
    this.child.on('close', removeScratch);
    this.child.on('error', removeScratch);
    // A write to a process that died is reported through 'close'; the stream error is not news.
    (this.child.stdin as Writable).on('error', () => undefined);
  }

  private stopBecause: (ending: Ending) => void = () => undefined;

  get pid(): number | undefined {
    return this.child.pid;
  }

  get done(): Promise<Ending> {
    return this.ended;
  }

  send(frame: HostFrame, payload?: Uint8Array): void {
    for (const part of encodeFrame(frame, payload)) (this.child.stdin as Writable).write(part);
  }

  /** The next frame, or the ending if the process is gone first. */
  next(): Promise<Frame<GuestFrame> | Ending> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ending) return Promise.resolve(this.ending);
    return Promise.race([new Promise<Frame<GuestFrame>>((resolve) => this.waiters.push(resolve)), this.ended]);
  }

  private deliver(frame: Frame<GuestFrame>): void {
    if (frame.header.type === 'output') {
      this.onFrame?.(frame.header);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(frame);
    else this.frames.push(frame);
  }

  /** Kill the process at `limitBytes` of resident memory (Linux: /proc; elsewhere Deno's heap flag and the interpreters' own caps hold). */
  watchMemory(limitBytes: number): void {
    if (process.platform !== 'linux' || this.memoryTimer) return;
    this.memoryTimer = setInterval(() => {
      const rss = residentBytes(this.child.pid);
      if (rss !== undefined && rss > limitBytes) this.stopBecause({ kind: 'memory' });
    }, MEMORY_POLL_MS);
  }

  residentBytes(): number | undefined {
    return residentBytes(this.child.pid);
  }

  /** Whether the process keeps Node's event loop alive (a spare waiting for work does not). */
  setKeepsAlive(alive: boolean): void {
    const handles = [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as Array<{ ref?(): void; unref?(): void } | null>;
    for (const handle of handles) (alive ? handle?.ref : handle?.unref)?.call(handle);
  }

  kill(): void {
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.memoryTimer = undefined;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    for (const stream of [this.child.stdout, this.child.stderr] as Readable[]) stream.destroy();
  }

  /** End the process from the host's side (time limit, cancel, output limit). */
  stop(): void {
    this.stopBecause({ kind: 'exit', code: null, stderr: '' });
  }
}

export function isEnding(value: Frame<GuestFrame> | Ending): value is Ending {
  return !('header' in value);
}

function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
