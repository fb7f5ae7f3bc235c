// Section `serve`: the OpenAI-compatible server under load. 64 clients at once (a child process,
// serveClients.ts), each sending requests one after another, against the server in this process,
// whose upstream is the scripted Game of 24 model in another child process with 20 ms per call.
// This process's CPU time is then the server's: HTTP in and out, the technique, the run and its
// accounting, the upstream calls through the openai SDK, and each run saved to the history as
// `thoughtscope serve` saves it. Measured: requests that failed or came back wrong (goal: none),
// CPU per request (goal < 2 ms for io, one upstream call per request), latency over the upstream's.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { EvalItem } from '../src/core/eval/types';
import { RunStore } from '../src/core/history/runStore';
import { Pricing } from '../src/core/pricing';
import { startServer } from '../src/core/serve/server';
import { judgeGame24 } from '../src/core/tasks/game24';
import { toTrace } from '../src/core/trace';
import { modelAt } from '../test/support/runHelpers';
import { median, round, startServerProcess } from './models';
import type { ClientResult } from './serveClients';
import { TOT_PARAMS } from './scheduling';

const TOKEN = 'bench-serve-token';

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function runClients(job: { baseUrl: string; model: string; clients: number; perClient: number; inputs: string[] }): Promise<ClientResult[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', join(__dirname, 'serveClients.ts'), JSON.stringify({ ...job, token: TOKEN })], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout) as ClientResult[]);
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface ServeLoadRow {
  technique: string;
  clients: number;
  requests: number;
  failed: number;
  wrong: number;
  upstreamCallsPerRequest: number;
  cpuMsPerRequest: number;
  cpuMsPerRequestRuns: number[];
  cpuMsPerUpstreamCall: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  wallMs: number;
  requestsPerSecond: number;
}

/**
 * For scale: a bare pass-through proxy in this process (HTTP in, the openai SDK to the same upstream,
 * the completion back), measured like the server: what any Node proxy on the SDK costs per request.
 */
async function bareProxyCpu(upstream: string, job: { clients: number; perClient: number; inputs: string[] }, repeats: number): Promise<number[]> {
  const client = new OpenAI({ baseURL: upstream, apiKey: 'bench', maxRetries: 0 });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: OpenAI.ChatCompletionMessageParam[] };
    const text = JSON.stringify(await client.chat.completions.create({ model: 'bench-model', messages: body.messages }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const run = { ...job, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'bare' };
  try {
    for (let w = 0; w < 2; w++) await runClients(run);
    const cpu: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const before = cpuMs();
      const results = await runClients(run);
      cpu.push((cpuMs() - before) / results.length);
    }
    return cpu;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function benchServe(options: { items: EvalItem[]; clients: number; perClient: number; delayMs: number; repeats: number; techniques?: readonly string[]; log: (line: string) => void }) {
  const { items, clients, delayMs, repeats, log } = options;
  const upstream = await startServerProcess(delayMs);
  const runsDir = mkdtempSync(join(tmpdir(), 'thoughtscope-bench-serve-'));
  const store = new RunStore(runsDir);
  const model = modelAt(upstream.baseUrl, { model: 'bench-model' });
  let done = 0;
  let calls = 0;
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    defaults: { task: 'game24', params: { tot: TOT_PARAMS }, budget: { maxCalls: 1000 } },
    targets: () => ['bench-model'],
    resolve: () => model,
    concurrency: 64,
    runOptions: { pricing: new Pricing({ 'bench-model': { input: 1, output: 2 } }), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } },
    save: (report, run) => store.save(toTrace(report, run.graph)).id,
    onRunEnd: (_served, report) => {
      if (report.summary.outcome === 'done') done++;
      calls += report.summary.totals.calls;
    },
  });
  const rows: ServeLoadRow[] = [];
  try {
    for (const [technique, perClient] of ([['io', options.perClient], ['tot', 1]] as const).filter(([t]) => (options.techniques ?? ['io', 'tot']).includes(t))) {
      const job = { baseUrl: `${server.url}/v1`, model: `${technique}:bench-model`, clients, perClient, inputs: items.map((i) => i.input) };
      // Warm-up, two rounds: connections, the reply memo, and V8's optimizing compiler, whose threads
      // count in this process's CPU time until the hot paths are compiled (a long-running server's
      // steady state is what is measured).
      for (let w = 0; w < 2; w++) await runClients(job);
      const cpuRuns: number[] = [];
      let last: { results: ClientResult[]; wall: number; calls: number; done: number } | undefined;
      for (let r = 0; r < repeats; r++) {
        done = 0;
        calls = 0;
        const cpuBefore = cpuMs();
        const started = performance.now();
        const results = await runClients(job);
        const wall = performance.now() - started;
        cpuRuns.push((cpuMs() - cpuBefore) / results.length);
        last = { results, wall, calls, done };
        log(`  ${technique}: ${results.length} requests from ${clients} clients in ${Math.round(wall)} ms, ${round(cpuRuns[r], 3)} ms CPU per request`);
      }
      const { results, wall } = last!;
      const failed = results.filter((r) => r.answer === undefined);
      // The scripted model answers io right every time, so a wrong io answer is a mixed-up response;
      // ToT may miss puzzles (its search prunes), so for it this counts the unsolved.
      const wrong = results.filter((r) => r.answer !== undefined && !judgeGame24(r.input, r.answer));
      if (failed.length) log(`  ${failed.length} failed, e.g. ${failed[0].error}`);
      if (last!.done !== results.length) log(`  only ${last!.done} of ${results.length} runs ended with an answer`);
      const latencies = results.map((r) => r.latencyMs);
      const cpu = median(cpuRuns);
      rows.push({
        technique,
        clients,
        requests: results.length,
        failed: failed.length,
        wrong: wrong.length,
        upstreamCallsPerRequest: round(last!.calls / results.length, 1),
        cpuMsPerRequest: round(cpu, 3),
        cpuMsPerRequestRuns: cpuRuns.map((v) => round(v, 3)),
        cpuMsPerUpstreamCall: round(cpu / (last!.calls / results.length), 3),
        latencyP50Ms: Math.round(percentile(latencies, 50)),
        latencyP99Ms: Math.round(percentile(latencies, 99)),
        wallMs: Math.round(wall),
        requestsPerSecond: round((results.length / wall) * 1000, 0),
      });
    }
    const bare = await bareProxyCpu(upstream.baseUrl, { clients, perClient: options.perClient, inputs: items.map((i) => i.input) }, repeats);
    log(`  bare pass-through proxy: ${bare.map((v) => round(v, 3)).join(', ')} ms CPU per request`);
    return { delayMs, rows, bareProxyCpuMsPerRequest: round(median(bare), 3), bareProxyCpuMsPerRequestRuns: bare.map((v) => round(v, 3)) };
  } finally {
    await server.close();
    await upstream.stop();
    rmSync(runsDir, { recursive: true, force: true });
  }
}
