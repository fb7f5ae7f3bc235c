// OpenTelemetry export for the CLI's commands, from the standard OTEL_* environment variables
// (core/otel/config.ts); none set, no tracing. Export failures are one line on stderr.
import { tracingConfigFromEnv } from '../core/otel/config';
import { startTracing, type Tracing } from '../core/otel/tracing';
import { UsageError } from './args';
import { packageVersion } from './puzzlesPath';

export function tracingFromEnvironment(warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  let config;
  try {
    config = tracingConfigFromEnv(env, versionOrUndefined());
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return config ? startTracing(config, warn) : undefined;
}

let abandoned = false;

/** Ends tracing before the command exits, waiting a few seconds at most for a collector that does not answer. */
export async function stopTracing(tracing: Tracing | undefined, warn: (message: string) => void): Promise<void> {
  if (!tracing || (await tracing.shutdown(3000))) return;
  abandoned = true;
  warn('OpenTelemetry export did not finish within 3 s (is the collector up?); the rest of the trace is dropped');
}

/** True once a command gave up waiting for the exporter: the CLI then exits without waiting for its retries. */
export function tracingAbandoned(): boolean {
  return abandoned;
}

function versionOrUndefined(): string | undefined {
  try {
    return packageVersion();
  } catch {
    return undefined;
  }
}
