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

function versionOrUndefined(): string | undefined {
  try {
    return packageVersion();
  } catch {
    return undefined;
  }
}
