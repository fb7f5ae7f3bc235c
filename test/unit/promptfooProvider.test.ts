// The promptfoo provider (integrations/promptfoo/provider.mjs) as promptfoo calls it: constructed
// with the config of a providers entry, then callApi(prompt) per test case. Through a running
// server (core/serve) and through the engine directly (the built CLI), against a loopback upstream:
// the output, token usage summed over the run's calls, cost, and errors as ProviderResponse.error.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Pricing } from '../../src/core/pricing';
import { startServer, type RunningServer } from '../../src/core/serve/server';
import { closingServers } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

interface ProviderResponse {
  output?: string;
  error?: string;
  tokenUsage?: { total: number; prompt: number; completion: number; numRequests?: number };
  cost?: number;
  metadata?: Record<string, unknown>;
}
type Provider = { id(): string; callApi(prompt: string): Promise<ProviderResponse> };

const upstreamServer = closingServers();
const PROVIDER = pathToFileURL(join(__dirname, '..', '..', 'integrations', 'promptfoo', 'provider.mjs')).href;
const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function provider(config: Record<string, unknown>): Promise<Provider> {
  const { default: ThoughtscopeProvider } = (await import(PROVIDER)) as { default: new (options: unknown) => Provider };
  return new ThoughtscopeProvider({ id: 'file://integrations/promptfoo/provider.mjs', config });
}

describe('promptfoo provider', () => {
  it('through thoughtscope serve: the answer, usage over every upstream call, cost and the run', async () => {
    const upstream = await upstreamServer(() => ({ choices: ['Counting. Answer: 4'], ignoreN: true }));
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: 'promptfoo-test-token',
      defaults: { task: 'auto', params: {}, budget: {} },
      targets: () => ['gpt-4o-mini'],
      resolve: (t) => (t === '' || t === 'gpt-4o-mini' ? modelAt(upstream.baseUrl) : undefined),
      runOptions: { pricing: new Pricing(), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } },
    });
    servers.push(server);
    process.env.TS_TEST_SERVE_TOKEN = 'promptfoo-test-token';
    const p = await provider({ technique: 'sc', model: 'gpt-4o-mini', params: { samples: 3 }, serveUrl: `${server.url}/v1`, tokenEnv: 'TS_TEST_SERVE_TOKEN' });
    assert.equal(p.id(), 'thoughtscope:sc:gpt-4o-mini');
    const r = await p.callApi('How many legs does a cat have? 4?');
    assert.equal(r.error, undefined);
    assert.equal(r.output, '4');
    assert.equal(upstream.requests.length, 3, 'three samples from a server that ignores n');
    assert.deepEqual(r.tokenUsage, {
      total: upstream.reported.promptTokens + upstream.reported.completionTokens,
      prompt: upstream.reported.promptTokens,
      completion: upstream.reported.completionTokens,
      numRequests: 3,
    });
    assert.ok(Math.abs(r.cost! - new Pricing().cost('gpt-4o-mini', upstream.reported.promptTokens, upstream.reported.completionTokens)!) < 1e-12);
    assert.match(String(r.metadata?.runId), /^run-/);
    assert.equal(r.metadata?.confidence, 1);

    const refused = await (await provider({ technique: 'sc', serveUrl: `${server.url}/v1`, tokenEnv: 'NO_SUCH_VARIABLE' })).callApi('q');
    assert.match(refused.error ?? '', /^thoughtscope: HTTP 401: /);
    const bad = await (await provider({ technique: 'tot', params: { breadth: 999 }, serveUrl: `${server.url}/v1`, tokenEnv: 'TS_TEST_SERVE_TOKEN' })).callApi('q');
    assert.match(bad.error ?? '', /HTTP 400: .*breadth.*between/);
  });

  it('through the engine directly (the CLI), with the upstream from the config', async () => {
    const upstream = await upstreamServer(() => ({ choices: ['Step by step. Answer: 12'] }));
    const p = await provider({ technique: 'cot', model: 'gpt-4o-mini', baseUrl: upstream.baseUrl, params: { samples: 2 } });
    const r = await p.callApi('What is 3 * 4?');
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.output, '12');
    assert.equal(upstream.requests[0].body.n, 2);
    assert.ok(upstream.requests[0].prompt.includes('What is 3 * 4?'));
    assert.equal(r.tokenUsage?.prompt, upstream.reported.promptTokens);
    assert.equal(r.tokenUsage?.completion, upstream.reported.completionTokens);
    assert.equal(r.metadata?.outcome, 'done');
    assert.ok(typeof r.cost === 'number' && r.cost > 0);

    const down = await (await provider({ technique: 'cot', model: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:9/v1' })).callApi('q');
    assert.match(down.error ?? '', /Cannot reach the server at http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it('wants a technique in its config', async () => {
    await assert.rejects(provider({ model: 'gpt-4o-mini' }), /config\.technique is required/);
  });
});
