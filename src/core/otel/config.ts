// Tracing configured by the standard OpenTelemetry environment variables
// (https://opentelemetry.io/docs/specs/otel/protocol/exporter/ and .../configuration/sdk-environment-variables/):
// on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set, off with
// OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none; OTEL_SERVICE_NAME and OTEL_BSP_SCHEDULE_DELAY
// are honoured. The exporter itself reads the endpoint,
// OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, _TIMEOUT, _COMPRESSION and the certificates. Content
// (prompts, responses) is recorded only with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true,
// the switch OpenTelemetry's GenAI instrumentations use.
import type { OtlpProtocol, TracingConfig } from './tracing';

export type Env = Record<string, string | undefined>;

export const CAPTURE_CONTENT_VARIABLE = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** The tracing the environment asks for, undefined for none; a variable set wrongly is an Error naming it. */
export function tracingConfigFromEnv(env: Env, serviceVersion?: string): TracingConfig | undefined {
  const value = (name: string) => env[name]?.trim() || undefined;
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = value('OTEL_TRACES_EXPORTER');
  if (exporters && !exporters.split(',').map((e) => e.trim()).includes('otlp')) return undefined;
  if (!value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') && !value('OTEL_EXPORTER_OTLP_ENDPOINT')) return undefined;
  const protocolVariable = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  return {
    protocol: otlpProtocol(value(protocolVariable), protocolVariable),
    captureContent: captureContent(value(CAPTURE_CONTENT_VARIABLE), CAPTURE_CONTENT_VARIABLE),
    serviceName: value('OTEL_SERVICE_NAME') ?? 'thoughtscope',
    serviceVersion,
    scheduledDelayMs: milliseconds(value('OTEL_BSP_SCHEDULE_DELAY'), 'OTEL_BSP_SCHEDULE_DELAY'),
  };
}

function milliseconds(raw: string | undefined, where: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`${where} must be a whole number of milliseconds, got "${raw}"`);
  return ms;
}

export function otlpProtocol(raw: string | undefined, where: string): OtlpProtocol {
  if (raw === undefined || raw === 'http/protobuf') return 'http/protobuf';
  if (raw === 'http/json') return 'http/json';
  throw new Error(`${where}=${raw} is not supported: Thoughtscope exports OTLP over HTTP, "http/protobuf" (the default) or "http/json"`);
}

function captureContent(raw: string | undefined, where: string): boolean {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`${where} must be true or false, got "${raw}"`);
}

/** The traces URL for a base endpoint given in a setting: …/v1/traces is appended as for OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`"${endpoint}" is not a URL; expected the collector's OTLP/HTTP endpoint, e.g. http://localhost:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${endpoint}" must start with http:// or https://`);
  if (/\/v1\/traces\/?$/.test(url.pathname)) return url.toString();
  return `${url.toString().replace(/\/$/, '')}/v1/traces`;
}

/** `name=value,name2=value2`, the format of OTEL_EXPORTER_OTLP_HEADERS (values may be URL-encoded). */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`"${pair.split('=')[0]}" is not a header name; write name=value pairs separated by commas`);
    headers[name] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return headers;
}
