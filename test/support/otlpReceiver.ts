// A loopback OTLP/HTTP trace receiver for tests, as the OTLP specification describes one
// (https://opentelemetry.io/docs/specs/otlp/#otlphttp): POST /v1/traces with an
// ExportTraceServiceRequest, binary protobuf (application/x-protobuf) or JSON (application/json,
// ids as hex strings, 64-bit integers as strings), answered 200 with an empty
// ExportTraceServiceResponse in the request's encoding. The protobuf is read by a small wire-format
// reader for the fields of opentelemetry-proto's trace.proto / common.proto / resource.proto that
// the tests look at. Either way the spans come out in one shape.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** SpanKind as in the proto: 1 internal, 2 server, 3 client. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  links: Array<{ spanId: string; attributes: Record<string, unknown> }>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** Base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter appends /v1/traces). */
  endpoint: string;
  spans: ReceivedSpan[];
  contentTypes: string[];
  /** Headers of each export request. */
  headers: Array<Record<string, string | string[] | undefined>>;
  /** Wait until at least `count` spans have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const state: Omit<OtlpReceiver, 'endpoint' | 'close' | 'waitFor'> = { spans: [], contentTypes: [], headers: [] };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    state.contentTypes.push(type);
    state.headers.push(req.headers);
    const body = Buffer.concat(chunks);
    try {
      if (type === 'application/json') {
        state.spans.push(...fromJson(JSON.parse(body.toString('utf8'))));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (type === 'application/x-protobuf') {
        state.spans.push(...fromProtobuf(body));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } else {
        res.writeHead(415).end();
      }
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: (err as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...state,
    endpoint: `http://127.0.0.1:${port}`,
    async waitFor(count, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (state.spans.length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return state.spans;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  } as OtlpReceiver;
}

// ---- OTLP/JSON ----

type JsonValue = { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number; arrayValue?: { values?: JsonValue[] } };
type JsonKv = { key: string; value: JsonValue };

function jsonValue(v: JsonValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

const jsonAttributes = (list: JsonKv[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

function fromJson(body: { resourceSpans?: Array<{ resource?: { attributes?: JsonKv[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> }): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: String(s.traceId),
        spanId: String(s.spanId),
        parentSpanId: String(s.parentSpanId ?? ''),
        name: String(s.name),
        kind: Number(s.kind),
        startNs: BigInt(s.startTimeUnixNano as string),
        endNs: BigInt(s.endTimeUnixNano as string),
        attributes: jsonAttributes(s.attributes as JsonKv[]),
        links: ((s.links as Array<{ spanId: string; attributes?: JsonKv[] }>) ?? []).map((l) => ({ spanId: l.spanId, attributes: jsonAttributes(l.attributes) })),
        status: { code: Number((s.status as { code?: number })?.code ?? 0), message: String((s.status as { message?: string })?.message ?? '') },
        resource: jsonAttributes(rs.resource?.attributes),
      })),
    ),
  );
}

// ---- protobuf wire format ----

/** The fields of one message: field number → values (varints as bigint, length-delimited as Buffer). */
type Fields = Map<number, Array<bigint | Buffer>>;

function readFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 1) value = (pos += 8, buf.subarray(pos - 8, pos));
    else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 5) value = (pos += 4, buf.subarray(pos - 4, pos));
    else throw new Error(`unsupported wire type ${wire}`);
    if (!fields.has(field)) fields.set(field, []);
    fields.get(field)!.push(value);
  }
  return fields;
}

const all = (f: Fields, n: number) => (f.get(n) ?? []) as Buffer[];
const one = (f: Fields, n: number) => f.get(n)?.[0];
const text = (f: Fields, n: number) => (one(f, n) as Buffer | undefined)?.toString('utf8') ?? '';
const hex = (f: Fields, n: number) => (one(f, n) as Buffer | undefined)?.toString('hex') ?? '';
const fixed64 = (f: Fields, n: number) => (one(f, n) as Buffer).readBigUInt64LE(0);

/** AnyValue: 1 string, 2 bool, 3 int, 4 double, 5 array. */
function anyValue(buf: Buffer): unknown {
  const f = readFields(buf);
  if (f.has(1)) return text(f, 1);
  if (f.has(2)) return one(f, 2) === 1n;
  if (f.has(3)) return Number(BigInt.asIntN(64, one(f, 3) as bigint));
  if (f.has(4)) return (one(f, 4) as Buffer).readDoubleLE(0);
  if (f.has(5)) return all(readFields(one(f, 5) as Buffer), 1).map(anyValue);
  return undefined;
}

/** repeated KeyValue (1 key, 2 value). */
const protoAttributes = (list: Buffer[]) => Object.fromEntries(list.map((b) => readFields(b)).map((kv) => [text(kv, 1), one(kv, 2) ? anyValue(one(kv, 2) as Buffer) : undefined]));

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  // ExportTraceServiceRequest 1: ResourceSpans (1 resource, 2 scope_spans); ScopeSpans 2: spans.
  return all(readFields(body), 1).flatMap((rsBuf) => {
    const rs = readFields(rsBuf);
    const resource = one(rs, 1) ? protoAttributes(all(readFields(one(rs, 1) as Buffer), 1)) : {};
    return all(rs, 2).flatMap((ssBuf) =>
      all(readFields(ssBuf), 2).map((spanBuf) => {
        // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7/8 times, 9 attributes, 13 links, 15 status.
        const s = readFields(spanBuf);
        const status = one(s, 15) ? readFields(one(s, 15) as Buffer) : new Map();
        return {
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: text(s, 5),
          kind: Number(one(s, 6) ?? 0n),
          startNs: fixed64(s, 7),
          endNs: fixed64(s, 8),
          attributes: protoAttributes(all(s, 9)),
          links: all(s, 13).map((l) => readFields(l)).map((l) => ({ spanId: hex(l, 2), attributes: protoAttributes(all(l, 4)) })),
          status: { code: Number(one(status, 3) ?? 0n), message: text(status, 2) },
          resource,
        };
      }),
    );
  });
}
