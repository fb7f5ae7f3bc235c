// `npm run bench`: the performance measurements (issue 9; serve: issue 21), a table on stdout and every number
// in bench/results.json. Not part of `npm test`: timings on a shared machine are noisy, so each
// section reports ratios measured side by side in one run and medians of --repeat runs.
//   --puzzles N      Game of 24 puzzles from row 900 on (default 100: rows 900-999)
//   --repeat N       repeats of each timed measurement (default 3)
//   --only a,b       sections: scheduling, overhead, serve, render, footprint, sandbox, hostile, ratelimit, prefix (default all)
//   --layouts a,b    Mermaid layouts to compare in render: dagre, elk (default both; none: only --webview)
//   --webview n=path[,n=path]  more panel bundles to measure in render beside the shipped one, e.g.
//                    before=/tmp/webview-before.js (built from an earlier commit)
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { defaultPuzzlesPath } from '../src/cli/puzzlesPath';
import { loadGame24Range } from '../src/core/eval/dataset';
import { benchFootprint, unpackVsix } from './footprint';
import { benchHostile } from './hostile';
import { benchOverhead } from './overhead';
import { benchPromptPrefix } from './promptPrefix';
import { benchRateLimits } from './rateLimits';
import { benchRender } from './render';
import { benchSandbox } from './sandbox';
import { benchScheduling } from './scheduling';
import { benchServe } from './serveLoad';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const puzzles = Number(flag('puzzles', '100'));
const repeats = Number(flag('repeat', '3'));
const only = flag('only', 'scheduling,overhead,serve,render,footprint,sandbox,hostile,ratelimit,prefix').split(',');
const layouts = flag('layouts', 'dagre,elk').split(',').filter((l) => l !== 'none');
const webviews: Record<string, string> = Object.fromEntries(flag('webview', '').split(',').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const log = (line: string) => console.error(line);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  if (!Number.isInteger(puzzles) || puzzles < 1 || puzzles > 100) throw new Error('--puzzles must be 1..100');
  const items = loadGame24Range(defaultPuzzlesPath(), 900, 900 + puzzles - 1);
  const results: Record<string, unknown> = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    command: process.argv.slice(2).join(' '),
  };
  const rows: Array<[string, string, string]> = [];
  const extensionDir = ['render', 'footprint', 'sandbox'].some((s) => only.includes(s)) ? unpackVsix() : '';
  if (only.includes('scheduling')) {
    log(`scheduling: ToT on ${puzzles} puzzles, 20 ms per call`);
    const s = await benchScheduling({ items, delayMs: 20, concurrency: 64, repeats, log });
    results.scheduling = s;
    rows.push(
      ['wall, concurrency 64 (median)', `${s.wallMs} ms`, `${s.speedupVsSerial}x faster than serial (goal > 20x)`],
      ['wall, one call at a time', `${s.serialMs} ms`, `${s.requests} requests`],
      ['critical path (longest chain)', `${s.criticalPathMs} ms`, `median puzzle ${s.medianPuzzleCriticalPathMs} ms; wall/CP ${s.wallOverCriticalPath}`],
      ['work bound (call time / 64)', `${s.workBoundMs} ms`, `wall / max(CP, work bound) ${s.wallOverLowerBound} (goal 1.5)`],
      ['one puzzle alone: wall / its CP', `${s.perPuzzleWallOverCriticalPath.median}`, `median over puzzles, max ${s.perPuzzleWallOverCriticalPath.max}`],
      ['calls saved by the value cache', `${s.valueCacheSaved}`, `+ ${s.requestCacheSaved} by the request cache; solved ${s.solved}/${s.puzzles}`],
    );
  }
  if (only.includes('overhead')) {
    log('overhead: the same run at 0 ms');
    const o = await benchOverhead({ items, concurrency: 64, repeats, log });
    results.overhead = o;
    rows.push(
      ['engine CPU per call (median)', `${o.engineCpuMsPerCall} ms`, 'graph, events, accounting, Mermaid text (goal < 1 ms)'],
      ['engine + openai SDK + HTTP', `${o.withHttpCpuMsPerCall} ms`, 'server in a child process'],
    );
  }
  if (only.includes('serve')) {
    log('serve: 64 clients at once against the OpenAI-compatible server, 20 ms per upstream call');
    const s = await benchServe({ items, clients: 64, perClient: 10, delayMs: 20, repeats, log });
    results.serve = s;
    for (const r of s.rows) {
      rows.push([
        `serve ${r.technique}: CPU per request (median)`,
        `${r.cpuMsPerRequest} ms`,
        `${r.requests} requests from ${r.clients} clients, ${r.failed} failed, ${r.wrong} ${r.technique === 'io' ? 'wrong' : 'unsolved'}; ${r.upstreamCallsPerRequest} upstream calls each${r.technique === 'io' ? ' (goal < 2 ms, none dropped)' : `, ${r.cpuMsPerUpstreamCall} ms per call`}`,
      ]);
      rows.push([`serve ${r.technique}: latency p50 / p99`, `${r.latencyP50Ms} / ${r.latencyP99Ms} ms`, `${r.requestsPerSecond} requests/s, wall ${r.wallMs} ms`]);
    }
    rows.push(['serve: bare proxy CPU per request', `${s.bareProxyCpuMsPerRequest} ms`, 'HTTP in, the openai SDK out, nothing else (for scale)']);
  }
  if (only.includes('render')) {
    log('render: headless Chromium');
    const r = await benchRender({ extensionDir, sizes: [100, 500, 1000, 2000], repeats, layouts, webviews, log });
    results.render = r;
    for (const [layout, l] of Object.entries(r.layouts)) {
      for (const s of l.sizes) rows.push([`${layout}: ${s.nodes} nodes`, `${s.firstRenderMs} ms`, `one more node ${s.oneMoreNodeMs} ms; ${s.drawnNodes} drawn`]);
      rows.push([`${layout}: live 200 nodes`, `${l.live.maxLongTaskMs} ms`, `longest task; frame gap ${l.live.maxFrameGapMs} ms; ${l.live.renders} renders for ${l.live.batches} batches`]);
    }
  }
  if (only.includes('footprint')) {
    log('footprint');
    const f = await benchFootprint({ extensionDir, repeats: Math.max(5, repeats), log });
    results.footprint = f;
    rows.push(
      ['activation: load bundle', `${f.activation.loadMs} ms`, `activate() ${f.activation.activateMs} ms`],
      ...Object.entries(f.bundleBytes).map(([file, bytes]): [string, string, string] => [`bundle dist/${file}`, kib(bytes), '']),
      ['.vsix', mib(f.vsixBytes), ''],
      [`peak memory, ${f.memory.nodes}-node run`, `RSS ${mib(f.memory.peakRssBytes)}`, `heap ${mib(f.memory.peakHeapBytes)} (at start: RSS ${mib(f.memory.baselineRssBytes)}, heap ${mib(f.memory.baselineHeapBytes)})`],
    );
  }
  if (only.includes('sandbox')) {
    log('sandbox: a Deno process per program');
    const s = await benchSandbox({ extensionDir, repeats, log });
    results.sandbox = s;
    rows.push(
      ['sandbox: first Python program', `${s.coldPythonMs} ms`, "Pyodide's snapshot made, then restored in a new process"],
      ['sandbox: each further Python program', `${s.pythonPerProgramMs} ms`, 'median; a fresh process restored from the snapshot'],
      ['sandbox: each JavaScript program', `${s.javascriptPerProgramMs} ms`, `median (first ${s.coldJavaScriptMs} ms)`],
      ['sandbox: 20 Python programs at once', `${s.twentyPythonProgramsMs} ms`, 'as PoT-SC sends them (2 processes at a time)'],
      ['sandbox: Deno binary', mib(s.denoBinaryBytes), `interpreters and runner ${mib(s.interpreterBytes)}`],
    );
  }
  if (only.includes('hostile')) {
    log('hostile servers: the CLI as built, in child processes');
    const h = await benchHostile({ log });
    results.hostile = h;
    rows.push(
      ['Ctrl+C in a GoT blow-up: run stopped', `${h.ctrlC.runStoppedMs} ms`, `after the signal (goal < 1000 ms); exit ${h.ctrlC.exitedMs} ms with a ${h.ctrlC.nodesAtStop}-node trace; peak RSS ${h.ctrlC.peakRssMiB} MiB`],
      ['GoT blow-up, default limits', `${h.nodeCap.wallMs} ms`, `${h.nodeCap.message}; peak RSS ${h.nodeCap.peakRssMiB} MiB`],
      ['300 MB completion', `${h.huge.wallMs} ms`, `exit ${h.huge.exitCode}; peak RSS ${h.huge.peakRssMiB} MiB; answer ${h.huge.answerChars} chars kept${h.huge.marked ? ', marked as cut' : ''}`],
      ['stream chunk with index 1e8', `${h.streamIndex.wallMs} ms`, `exit ${h.streamIndex.exitCode}; peak RSS ${h.streamIndex.peakRssMiB} MiB`],
      ['stream stalls, --timeout 3 --retries 1', `${h.stall.wallMs} ms`, `exit ${h.stall.exitCode}: ${h.stall.message}`],
    );
  }
  if (only.includes('ratelimit')) {
    log(`ratelimit: ToT on ${puzzles} puzzles against a token bucket of 200 requests/s`);
    const r = await benchRateLimits({ items, perSecond: 200, burst: 20, delayMs: 20, concurrency: 64, log });
    results.rateLimits = r;
    rows.push(['rate gate alone (timers, no HTTP)', `${r.gateAlone.achievedPerSecond} req/s`, `${Math.round(r.gateAlone.shareOfAllowed * 100)}% of ${r.allowedPerSecond} allowed`]);
    for (const [label, v] of [['with x-ratelimit headers', r.withHeaders], ['Retry-After only', r.retryAfterOnly]] as const) {
      rows.push([`rate limit, ${label}`, `${v.achievedPerSecond} req/s`, `${Math.round(v.shareOfAllowed * 100)}% of ${r.allowedPerSecond} allowed${label.startsWith('with') ? ' (goal >= 90%)' : ''}, ${Math.round(v.first95PercentShare * 100)}% up to 95% of the answers; ${v.refused} refused of ${v.answered + v.refused}; ${v.itemsUnfinished} items unfinished`]);
    }
  }
  if (only.includes('prefix')) {
    const n = Math.min(puzzles, 20);
    log(`prefix: repeated prompt prefixes in ToT on ${n} puzzles`);
    const p = await benchPromptPrefix({ items: items.slice(0, n), log });
    results.promptPrefix = p;
    rows.push(['ToT prompt tokens repeating a prefix', `${Math.round(p.repeatedPrefixShare * 100)}%`, `of ${p.promptTokens} in ${p.requests} prompts (longest ${p.longestPromptTokens}); billable as cached: OpenAI ${Math.round(p.openAICacheableShare * 100)}%, DeepSeek ${Math.round(p.deepSeekCacheableShare * 100)}%`]);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  const width2 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(width)}  ${b.padStart(width2)}  ${c}`);
  const out = join(__dirname, 'results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
