// Long CLI commands (eval, eval -c): Ctrl+C aborts their signal (work finished so far is kept), the
// engine's input errors become one-line usage errors, and the live status line is cleared at the end.
import { DatasetError } from '../core/eval/dataset';
import { UnpricedBudgetError } from '../core/run/budget';
import { ParamError } from '../core/techniques/params';
import { UsageError } from './args';

export async function interruptible<T>(onCancel: string, live: boolean, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write(`\n${onCancel}\n`);
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (err instanceof ParamError || err instanceof DatasetError || err instanceof RangeError || err instanceof UnpricedBudgetError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (live) process.stderr.write('\r\x1b[K');
  }
}
