// A promptfoo provider (https://www.promptfoo.dev/docs/providers/custom-api/) that answers with a
// Thoughtscope technique, so promptfoo configs can evaluate ToT, CoT-SC, ... like any model:
//
//   providers:
//     - id: file://node_modules/thoughtscope/integrations/promptfoo/provider.mjs
//       config: { technique: tot, model: gpt-4o-mini, task: game24, params: { breadth: 3 } }
//
// Two ways to run, chosen by the config:
//   serveUrl set  → POST <serveUrl>/chat/completions of a running `thoughtscope serve` (its token
//                   from $THOUGHTSCOPE_SERVE_TOKEN, or the variable named by config.tokenEnv);
//   otherwise     → the engine directly: `thoughtscope run --json` (the CLI of this package) per
//                   prompt, with the upstream from config (baseUrl, model, profiles + profile, pricing) or the
//                   environment (OPENAI_BASE_URL, OPENAI_API_KEY or config.apiKeyEnv, THOUGHTSCOPE_MODEL).
// Keys are only ever read from environment variables, never from the config.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export default class ThoughtscopeProvider {
  constructor(options = {}) {
    this.config = options.config ?? {};
    if (!this.config.technique) throw new Error('thoughtscope provider: config.technique is required (e.g. tot, cot-sc; see `thoughtscope techniques`)');
    this.providerId = options.id && !options.id.startsWith('file://') ? options.id : `thoughtscope:${this.config.technique}:${this.config.model ?? 'default'}`;
  }

  id() {
    return this.providerId;
  }

  async callApi(prompt) {
    try {
      return this.config.serveUrl ? await this.viaServe(prompt) : await this.viaEngine(prompt);
    } catch (err) {
      return { error: `thoughtscope: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** One chat completion from `thoughtscope serve`; usage and cost are summed over the run's calls. */
  async viaServe(prompt) {
    const c = this.config;
    const token = process.env[c.tokenEnv ?? 'THOUGHTSCOPE_SERVE_TOKEN'];
    const response = await fetch(`${c.serveUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({
        model: c.model ? `${c.technique}:${c.model}` : c.technique,
        messages: [{ role: 'user', content: prompt }],
        thoughtscope: { ...(c.params ?? {}), ...(c.task ? { task: c.task } : {}), ...(c.maxUsd ? { maxUsd: c.maxUsd } : {}), ...(c.maxCalls ? { maxCalls: c.maxCalls } : {}) },
      }),
    });
    const body = await response.json().catch(() => undefined);
    const ext = body?.thoughtscope;
    if (!response.ok) return { error: `thoughtscope: HTTP ${response.status}: ${body?.error?.message ?? 'no error message'}`, ...(ext ? { cost: ext.cost_usd ?? undefined, metadata: metadataOf(ext) } : {}) };
    const usage = body.usage ?? {};
    return {
      output: body.choices?.[0]?.message?.content ?? '',
      tokenUsage: { total: usage.total_tokens, prompt: usage.prompt_tokens, completion: usage.completion_tokens, numRequests: ext?.calls },
      ...(typeof ext?.cost_usd === 'number' ? { cost: ext.cost_usd } : {}),
      cached: false,
      metadata: metadataOf(ext),
    };
  }

  /** `thoughtscope run --json` with the prompt in a temporary file (not on the command line). */
  async viaEngine(prompt) {
    const c = this.config;
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-promptfoo-'));
    const input = join(dir, 'input.txt');
    writeFileSync(input, prompt);
    const args = [c.cli ?? DEFAULT_CLI, 'run', '--technique', c.technique, '--input-file', input, '--json', '--quiet', '--task', c.task ?? 'auto'];
    for (const [name, value] of Object.entries(c.params ?? {})) args.push('--param', `${name}=${value}`);
    const flags = { baseUrl: '--base-url', pricing: '--pricing', profiles: '--profiles', concurrency: '--concurrency', maxCalls: '--max-calls', maxUsd: '--max-usd', timeout: '--timeout' };
    for (const [key, flag] of Object.entries(flags)) if (c[key] !== undefined) args.push(flag, String(c[key]));
    if (c.model) args.push('--model', c.model);
    // A profile of config.profiles as the run's model (serve takes a profile name as config.model).
    if (c.profile) args.push('--profile', c.profile);
    const env = { ...process.env, ...(c.apiKeyEnv ? { OPENAI_API_KEY: process.env[c.apiKeyEnv] ?? '' } : {}) };
    try {
      const { code, stdout, stderr } = await run(process.execPath, args, env);
      let result;
      try {
        result = JSON.parse(stdout);
      } catch {
        return { error: stderr.trim().split('\n').pop() || `thoughtscope: the CLI exited with code ${code}` };
      }
      const t = result.totals ?? {};
      const common = {
        tokenUsage: { total: t.promptTokens + t.completionTokens, prompt: t.promptTokens, completion: t.completionTokens, numRequests: t.calls },
        ...(typeof t.costUsd === 'number' ? { cost: t.costUsd } : {}),
        metadata: { outcome: result.outcome, calls: t.calls, cachedCalls: t.cachedCalls, wallMs: t.wallMs, ...(result.confidence !== null ? { confidence: result.confidence } : {}), ...(result.candidates ? { candidates: result.candidates } : {}) },
      };
      if (result.outcome !== 'done') return { error: `thoughtscope: ${result.message ?? result.outcome}`, ...common };
      return { output: result.answer ?? '', cached: false, ...common };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function metadataOf(ext) {
  if (!ext) return {};
  return { runId: ext.run_id, outcome: ext.outcome, calls: ext.calls, cachedCalls: ext.cached_calls, wallMs: ext.wall_ms, ...(ext.confidence !== undefined ? { confidence: ext.confidence } : {}) };
}

function run(command, args, env) {
  return new Promise((resolve) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
