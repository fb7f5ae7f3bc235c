// OpenTelemetry export (core/otel) against a loopback OTLP/HTTP receiver the test starts: the span
// tree (run → node → model call), the GenAI semantic-convention attributes, content only on opt-in,
// protobuf and JSON, the standard OTEL_* variables in the CLI, and a collector that is down.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { startTracing, type TracingConfig } from '../../src/core/otel/tracing';
import { tracingConfigFromEnv } from '../../src/core/otel/config';
import { Pricing } from '../../src/core/pricing';
import { genericTask } from '../../src/core/tasks/generic';
import { closingServers, type FakeReply } from '../support/fakeOpenAI';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver';
import { fanOutTechnique, runAt } from '../support/runHelpers';

const upstreamServer = closingServers();
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver.close());

/** Runs fan-out (width 3, rounds 2: a question and 6 thoughts, one call each) with tracing on. */
async function tracedRun(config: Partial<TracingConfig>, handler: (i: number) => FakeReply = (i) => ({ choices: [`reply ${i}`] })) {
  const upstream = await upstreamServer((req) => handler(req.index));
  const tracing = startTracing({ url: `${receiver.endpoint}/v1/traces`, protocol: 'http/json', captureContent: false, serviceName: 'thoughtscope-test', scheduledDelayMs: 10, ...config });
  const run = runAt(upstream.baseUrl, { pricing: new Pricing(), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
  tracing.watch(run, { technique: fanOutTechnique, params: { width: 3, rounds: 2 }, input: 'the question', task: 'generic', baseUrl: upstream.baseUrl });
  const before = receiver.spans.length;
  const report = await runTechnique({ technique: fanOutTechnique, task: genericTask, input: 'the question', params: { width: 3, rounds: 2 }, run });
  await tracing.shutdown();
  const spans = receiver.spans.slice(before);
  return { spans, report, run, upstream };
}

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);

describe('OpenTelemetry: spans of a run', () => {
  it('a root span per run, a span per node under it, a span per model call under its node', async () => {
    const { spans, run, upstream, report } = await tracedRun({});
    const nodes = run.graph.nodes();
    const calls = nodes.flatMap((n) => n.calls);
    assert.equal(spans.length, 1 + nodes.length + calls.length);
    assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace');

    const [root] = spans.filter((s) => s.parentSpanId === '');
    assert.equal(root.name, 'invoke_workflow fan-out');
    assert.equal(root.kind, 1, 'INTERNAL');
    assert.equal(root.attributes['gen_ai.operation.name'], 'invoke_workflow');
    assert.equal(root.attributes['gen_ai.workflow.name'], 'fan-out');
    assert.equal(root.attributes['thoughtscope.param.width'], 3);
    assert.equal(root.attributes['thoughtscope.param.rounds'], 2);
    assert.equal(root.attributes['thoughtscope.outcome'], 'done');
    assert.equal(root.attributes['thoughtscope.calls'], 6);
    assert.equal(root.attributes['thoughtscope.usage.input_tokens'], upstream.reported.promptTokens);
    assert.equal(root.attributes['thoughtscope.usage.output_tokens'], upstream.reported.completionTokens);
    assert.ok(Math.abs((root.attributes['thoughtscope.cost_usd'] as number) - report.summary.totals.costUsd!) < 1e-12);
    assert.equal(root.resource['service.name'], 'thoughtscope-test');

    const nodeSpans = spans.filter((s) => s.name.startsWith('thoughtscope.'));
    assert.equal(nodeSpans.length, nodes.length);
    const spanOfNode = new Map(nodeSpans.map((s) => [s.attributes['thoughtscope.node.id'] as string, s]));
    for (const node of nodes) {
      const span = spanOfNode.get(node.id)!;
      assert.equal(span.parentSpanId, root.spanId);
      assert.equal(span.name, `thoughtscope.${node.kind}`);
      assert.equal(span.attributes['thoughtscope.node.kind'], node.kind);
      assert.deepEqual(span.attributes['thoughtscope.node.parents'], run.graph.parentsOf(node.id));
      // The graph's edges are links to the parent nodes' spans.
      assert.deepEqual(span.links.map((l) => l.spanId), run.graph.parentsOf(node.id).map((p) => spanOfNode.get(p)!.spanId));
      const callSpans = spans.filter((s) => s.parentSpanId === span.spanId);
      assert.equal(callSpans.length, node.calls.length);
      for (const [i, c] of callSpans.entries()) {
        const call = node.calls[i];
        assert.equal(c.name, 'chat gpt-4o-mini');
        assert.equal(c.kind, 3, 'CLIENT');
        assert.equal(c.attributes['gen_ai.operation.name'], 'chat');
        assert.equal(c.attributes['gen_ai.provider.name'], 'openai');
        assert.equal(c.attributes['gen_ai.request.model'], 'gpt-4o-mini');
        assert.equal(c.attributes['gen_ai.usage.input_tokens'], call.usage.promptTokens);
        assert.equal(c.attributes['gen_ai.usage.output_tokens'], call.usage.completionTokens);
        assert.equal(c.attributes['thoughtscope.cost_usd'], call.costUsd);
        assert.equal(c.attributes['thoughtscope.call.role'], 'ask');
        assert.equal(c.attributes['server.address'], '127.0.0.1');
        assert.equal(c.attributes['server.port'], Number(new URL(upstream.baseUrl).port));
        // A call lies within its node, a node within the run.
        assert.ok(c.startNs >= span.startNs && c.endNs <= span.endNs, 'call within its node');
      }
      assert.ok(span.startNs >= root.startNs && span.endNs <= root.endNs, 'node within the run');
    }
    // Tokens are on the model call spans only, so a backend summing gen_ai.usage counts each once.
    const counted = spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.input_tokens'] as number | undefined) ?? 0), 0);
    assert.equal(counted, upstream.reported.promptTokens);
    // No content unless asked for.
    for (const s of spans) {
      for (const key of Object.keys(s.attributes)) assert.ok(!/messages|node\.text/.test(key), `${s.name} has ${key}`);
      assert.ok(!JSON.stringify(s.attributes).includes('the question'), 'the input is content');
    }
  });

  it('records prompts, responses, the input and the answer when content capture is on', async () => {
    const { spans } = await tracedRun({ captureContent: true, protocol: 'http/protobuf' });
    const root = spans.find((s) => s.parentSpanId === '')!;
    assert.deepEqual(JSON.parse(root.attributes['gen_ai.input.messages'] as string), [{ role: 'user', parts: [{ type: 'text', content: 'the question' }] }]);
    assert.deepEqual(JSON.parse(root.attributes['gen_ai.output.messages'] as string)[0].parts[0], { type: 'text', content: 'reply 5' });
    const calls = byName(spans, 'chat gpt-4o-mini');
    assert.equal(calls.length, 6);
    const prompts = calls.map((c) => JSON.parse(c.attributes['gen_ai.input.messages'] as string)[0].parts[0].content).sort();
    assert.deepEqual(prompts, ['the question round 0 call 0', 'the question round 0 call 1', 'the question round 0 call 2', 'the question round 1 call 0', 'the question round 1 call 1', 'the question round 1 call 2']);
    const replies = calls.map((c) => JSON.parse(c.attributes['gen_ai.output.messages'] as string)[0]);
    assert.ok(replies.every((r) => r.role === 'assistant' && /^reply \d$/.test(r.parts[0].content) && r.finish_reason === 'stop'));
    assert.equal(byName(spans, 'thoughtscope.question')[0].attributes['thoughtscope.node.text'], 'the question');
    assert.ok(receiver.contentTypes.includes('application/x-protobuf'));
  });

  it('marks a failed run and its failed node as errors', async () => {
    const { spans } = await tracedRun({}, (i) => (i === 1 ? { status: 400 } : { choices: ['fine'] }));
    const root = spans.find((s) => s.parentSpanId === '')!;
    assert.equal(root.status.code, 2);
    assert.equal(root.attributes['error.type'], 'run_failed');
    assert.equal(root.attributes['thoughtscope.outcome'], 'failed');
    // The node whose call was refused, and any still running when the run failed.
    const failed = spans.filter((s) => s.attributes['thoughtscope.node.status'] === 'failed');
    assert.ok(failed.length >= 1 && failed.every((s) => s.status.code === 2));
    assert.equal(failed.filter((s) => /HTTP 400/.test(s.status.message)).length, 1);
    assert.ok(spans.filter((s) => s.attributes['thoughtscope.node.status'] === 'done').every((s) => s.status.code === 0));
  });
});

describe('OpenTelemetry: configuration', () => {
  it('follows the standard variables', () => {
    assert.equal(tracingConfigFromEnv({}), undefined, 'off without an endpoint');
    assert.equal(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
    assert.equal(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
    const on = tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:4318/v1/traces', OTEL_SERVICE_NAME: 'svc' }, '1.2.3')!;
    assert.deepEqual([on.protocol, on.captureContent, on.serviceName, on.serviceVersion], ['http/protobuf', false, 'svc', '1.2.3']);
    assert.equal(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })!.captureContent, true);
    assert.throws(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }), /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc is not supported/);
    assert.throws(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes' }), /must be true or false/);
  });
});

describe('OpenTelemetry: the CLI with OTEL_EXPORTER_OTLP_* variables', () => {
  const cli = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', THOUGHTSCOPE_MODEL: '', THOUGHTSCOPE_CACHE: 'off', OTEL_BSP_SCHEDULE_DELAY: '10', ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });

  it('thoughtscope run exports its trace as protobuf with the headers and service name of the environment', async () => {
    const upstream = await upstreamServer(() => ({ choices: ['Steps. Answer: 5'] }));
    const before = receiver.spans.length;
    const r = await cli(['run', '-t', 'cot', '--base-url', upstream.baseUrl, '-m', 'gpt-4o-mini', '-i', 'What is 2+3?'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer collector-secret',
      OTEL_SERVICE_NAME: 'my-evals',
    });
    assert.equal(r.code, 0, r.stderr);
    const spans = receiver.spans.slice(before);
    const root = spans.find((s) => s.parentSpanId === '');
    assert.equal(root?.name, 'invoke_workflow cot');
    assert.equal(root?.resource['service.name'], 'my-evals');
    assert.equal(root?.attributes['thoughtscope.param.samples'], 1);
    const call = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    assert.equal(call.attributes['gen_ai.usage.input_tokens'], upstream.reported.promptTokens);
    assert.equal(receiver.contentTypes.at(-1), 'application/x-protobuf');
    assert.equal(receiver.headers.at(-1)!.authorization, 'Bearer collector-secret');
  });

  it('thoughtscope eval -c exports every item\'s run, named by its experiment, run and item', async () => {
    const upstream = await upstreamServer((req) => ({ choices: [`Answer: ${/(\d+)\+(\d+)/.exec(req.prompt)!.slice(1).reduce((a, b) => a + Number(b), 0)}`] }));
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-otel-exp-'));
    writeFileSync(join(dir, 'sums.jsonl'), '{"input": "What is 2+3?", "expected": "5"}\n{"input": "What is 4+4?", "expected": "8"}\n');
    writeFileSync(join(dir, 'thoughtscope.yaml'), 'name: sums\ntask: numeric\ndataset: sums.jsonl\ntechniques:\n  - io\n  - cot\n');
    const before = receiver.spans.length;
    const r = await cli(['eval', '-c', join(dir, 'thoughtscope.yaml'), '--base-url', upstream.baseUrl, '-m', 'gpt-4o-mini', '--quiet'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    assert.equal(r.code, 0, r.stderr);
    const roots = receiver.spans.slice(before).filter((span) => span.parentSpanId === '');
    assert.deepEqual(roots.map((root) => `${root.attributes['thoughtscope.experiment.run']}:${root.attributes['thoughtscope.eval.item']}`).sort(), ['cot:0', 'cot:1', 'io:0', 'io:1']);
    assert.ok(roots.every((root) => root.attributes['thoughtscope.experiment'] === 'sums' && root.attributes['thoughtscope.outcome'] === 'done'));
  });

  it('says in one line when the collector cannot be reached, and still answers; refuses grpc', async () => {
    const upstream = await upstreamServer(() => ({ choices: ['Answer: 5'] }));
    const started = Date.now();
    const r = await cli(['run', '-t', 'io', '--base-url', upstream.baseUrl, '-m', 'gpt-4o-mini', '-i', 'q'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    const elapsed = Date.now() - started;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Answer: 5/);
    // The export's failure, or (its retries outlasting the wait) that it did not finish.
    assert.match(r.stderr, /^thoughtscope: OpenTelemetry export (failed: |did not finish within 3 s)[^\n]+\n$/m);
    assert.ok(elapsed < 8000, `exit took ${elapsed} ms`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const grpc = await cli(['run', '-t', 'io', '--base-url', upstream.baseUrl, '-m', 'gpt-4o-mini', '-i', 'q'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    assert.equal(grpc.code, 2);
    assert.match(grpc.stderr, /OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
  });
});
