// Exporting runs as OpenTelemetry traces over OTLP/HTTP with the official OpenTelemetry JS SDK
// (a TracerProvider of our own, never registered globally, so other instrumentation in the same
// process, e.g. other VS Code extensions, is not touched). Protobuf is OTLP's default encoding;
// JSON is there for receivers that want it. Which spans a run makes: runSpans.ts.
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { Run } from '../run/run';
import { watchRun, type RunMeta } from './runSpans';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingConfig {
  /**
   * The traces endpoint (…/v1/traces). Undefined: the exporter reads the standard variables itself
   * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces).
   */
  url?: string;
  protocol: OtlpProtocol;
  /** Headers beside those of OTEL_EXPORTER_OTLP_HEADERS (e.g. an Authorization from a secret store), read per export. */
  headers?: Record<string, string> | (() => Promise<Record<string, string>>);
  /** Record prompts, responses, the input and the answer (off unless the user opts in). */
  captureContent: boolean;
  serviceName: string;
  serviceVersion?: string;
  /** Export batches this often at most (ms); the SDK's default is 5 s. */
  scheduledDelayMs?: number;
}

export interface Tracing {
  readonly config: TracingConfig;
  /** Watch a run from its start; its spans are exported when it finishes. */
  watch(run: Run, meta: RunMeta): void;
  /** Send what is batched now. */
  flush(): Promise<void>;
  /**
   * Send what is batched and stop, waiting at most `waitMs` (a collector that is down must not hold
   * a command's exit); false when that time ran out (the exporter may still be retrying).
   */
  shutdown(waitMs?: number): Promise<boolean>;
}

/** `onExportError` hears of a failed export once until an export succeeds again (no flood while a collector is down). */
export function startTracing(config: TracingConfig, onExportError?: (message: string) => void): Tracing {
  const options = { ...(config.url ? { url: config.url } : {}), ...(config.headers ? { headers: config.headers } : {}) };
  const exporter = reporting(config.protocol === 'http/json' ? new JsonExporter(options) : new ProtobufExporter(options), onExportError);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, ...(config.serviceVersion ? { 'service.version': config.serviceVersion } : {}) }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: config.scheduledDelayMs ?? 5000 })],
  });
  const tracer: Tracer = provider.getTracer('thoughtscope', config.serviceVersion);
  return {
    config,
    watch: (run, meta) => watchRun(run, meta, tracer, { captureContent: config.captureContent }),
    flush: () => provider.forceFlush(),
    shutdown: (waitMs = 5000) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), waitMs);
        const settled = () => (clearTimeout(timer), resolve(true));
        provider.shutdown().then(settled, settled);
      }),
  };
}

function reporting(exporter: SpanExporter, onError: ((message: string) => void) | undefined): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && !failing) onError?.(`OpenTelemetry export failed: ${result.error?.message ?? 'no reason given'}`);
        failing = result.code !== ExportResultCode.SUCCESS;
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
