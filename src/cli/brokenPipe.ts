// `thoughtscope … | head`: once the reader of stdout has gone, the rest of the output is unwanted, so the
// CLI ends at once with exit code 0 (as a tool killed by SIGPIPE would, without Node's EPIPE stack trace).
// Losing stderr's reader ends the CLI too when stderr is the same pipe as stdout (`2>&1 | head`); when
// it is another one, progress and messages are dropped and the command carries on, so its answer on
// stdout and its exit code still count.
import { fstatSync } from 'node:fs';

type StreamError = Error & { code?: string };

const gone = (err: StreamError) => err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';

export function endQuietlyOnBrokenPipe(): void {
  process.stdout.on('error', (err: StreamError) => {
    if (!gone(err)) throw err;
    process.exit(0);
  });
  process.stderr.on('error', (err: StreamError) => {
    if (!gone(err)) throw err;
    if (samePipe(1, 2)) process.exit(0);
  });
}

function samePipe(a: number, b: number): boolean {
  try {
    const [x, y] = [fstatSync(a), fstatSync(b)];
    return x.dev === y.dev && x.ino === y.ino; // one pipe or socket behind both (EPIPE rules out files and terminals)
  } catch {
    return false;
  }
}
