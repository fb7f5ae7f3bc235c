// Several models in one run: per-call model, per-profile prices, cache per model, one budget across
// models, per-profile concurrency under the run's limit; profiles validation. Two loopback servers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRunProfiles } from '../../src/core/model/profileModels';
import { Pricing } from '../../src/core/pricing';
import { validateProfiles } from '../../src/core/profiles';
import { Run } from '../../src/core/run/run';
import { closingServers } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

const server = closingServers();

const retry = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };

async function twoProfileRun(options: { cheapConcurrency?: number; concurrency?: number; budget?: { maxUsd?: number; maxCalls?: number }; delayMs?: number } = {}) {
  const usage = { prompt_tokens: 1000, completion_tokens: 100 };
  // Requests open across both servers at once (the delay is served inside the handler to count it).
  const both = { open: 0, maxOpen: 0 };
  const reply = (text: string) => async () => {
    both.maxOpen = Math.max(both.maxOpen, ++both.open);
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    both.open--;
    return { choices: [text], usage };
  };
  const cheap = await server(reply('cheap says 1'));
  const big = await server(reply('big says 2'));
  const profiles = validateProfiles(
    [
      { name: 'cheap', baseUrl: cheap.baseUrl, model: 'same-model', price: { input: 1, output: 2 }, maxConcurrency: options.cheapConcurrency },
      { name: 'big', baseUrl: big.baseUrl, model: 'same-model', price: { input: 10, output: 20 } },
    ].map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))),
    'test profiles',
  );
  const run = new Run({
    model: modelAt(cheap.baseUrl),
    profiles: buildRunProfiles(profiles, { apiKeyOf: () => 'k' }),
    pricing: new Pricing(),
    concurrency: options.concurrency ?? 4,
    budget: options.budget,
    retry,
  });
  return { run, cheap, big, both };
}

describe('a run with several models', () => {
  it('sends each call to its model and prices it with that profile’s own price', async () => {
    const { run, cheap, big } = await twoProfileRun();
    const node = run.graph.addNode({ kind: 'question', text: 'q' });
    const request = { messages: [{ role: 'user' as const, content: 'same question' }] };
    const a = await run.call(node.id, 'ask', request, { model: run.modelNamed('cheap') });
    const b = await run.call(node.id, 'ask', request, { model: run.modelNamed('big') });
    assert.equal(a.choices[0], 'cheap says 1');
    assert.equal(b.choices[0], 'big says 2', 'an identical request to another model is not answered from the cache');
    assert.equal(cheap.requests.length, 1);
    assert.equal(big.requests.length, 1);
    const [callA, callB] = run.graph.get(node.id).calls;
    // 1000 in + 100 out: cheap $1/$2 per M → 0.0012; big $10/$20 per M → 0.012.
    assert.ok(Math.abs((callA.costUsd ?? -1) - 0.0012) < 1e-12, String(callA.costUsd));
    assert.ok(Math.abs((callB.costUsd ?? -1) - 0.012) < 1e-12, String(callB.costUsd));
    assert.ok(Math.abs((run.totals().costUsd ?? -1) - 0.0132) < 1e-12);
    assert.equal(run.labelOf(run.modelNamed('big')), 'big');
    // The cache still works per model.
    await run.call(node.id, 'ask', request, { model: run.modelNamed('big') });
    assert.equal(big.requests.length, 1);
    assert.equal(run.totals().cachedCalls, 1);
  });

  it('unknown profile names fail with one line naming the known ones', async () => {
    const { run } = await twoProfileRun();
    assert.throws(() => run.modelNamed('nope'), /no model profile named "nope"; known profiles: cheap, big/);
    assert.equal(run.modelNamed('default'), run.model);
  });

  it('one budget covers every model', async () => {
    // Each call costs $0.0012 (cheap) or $0.012 (big); the budget of $0.02 stops the run during the second big call.
    const { run, cheap, big } = await twoProfileRun({ concurrency: 1, budget: { maxUsd: 0.02 } });
    const node = run.graph.addNode({ kind: 'question', text: 'q' });
    const ask = (profile: string, i: number) => run.call(node.id, 'ask', { messages: [{ role: 'user', content: `q${i}` }] }, { model: run.modelNamed(profile) });
    await ask('cheap', 1);
    await ask('big', 2);
    await ask('cheap', 3);
    await ask('big', 4); // total now 0.0264 >= 0.02
    await assert.rejects(ask('cheap', 5), /budget of \$0.02 reached/);
    assert.equal(cheap.requests.length + big.requests.length, 4);
  });

  it('a profile’s maxConcurrency caps its requests while others use the rest of the run’s limit', async () => {
    const { run, cheap, big, both } = await twoProfileRun({ cheapConcurrency: 1, concurrency: 3, delayMs: 20 });
    const node = run.graph.addNode({ kind: 'question', text: 'q' });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        run.call(node.id, 'ask', { messages: [{ role: 'user', content: `q${i}` }] }, { model: run.modelNamed(i % 2 === 0 ? 'cheap' : 'big') }),
      ),
    );
    assert.equal(cheap.maxOpen, 1, 'cheap never had more than its own limit in flight');
    assert.ok(big.maxOpen >= 2, `big used more than cheap's limit (${big.maxOpen})`);
    assert.equal(both.maxOpen, 3, 'never more than the run limit across both models');
    assert.equal(cheap.requests.length, 3);
    assert.equal(big.requests.length, 3);
  });
});

describe('profiles validation', () => {
  const bad = (raw: unknown, pattern: RegExp) =>
    assert.throws(() => validateProfiles(raw, 'thoughtscope.profiles'), (err: Error) => {
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'));
      return true;
    });

  it('accepts openai-compatible, vscode-lm and cascade profiles', () => {
    const profiles = validateProfiles(
      [
        { name: 'mini', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeyEnv: 'OPENAI_API_KEY' },
        { name: 'copilot', provider: 'vscode-lm', vendor: 'copilot', model: 'gpt-4o' },
        { name: 'c', provider: 'cascade', stages: ['mini', 'copilot'], thresholds: [0.6] },
      ],
      'p',
    );
    assert.deepEqual(profiles.map((p) => p.provider), ['openai-compatible', 'vscode-lm', 'cascade']);
  });

  it('names the problem in one line', () => {
    bad({}, /must be a list of profiles/);
    bad([{ name: 'a b', baseUrl: 'http://x/v1', model: 'm' }], /entry 1: "name" must be/);
    bad([{ name: 'a', model: 'm' }], /profile "a": "baseUrl" is required/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm', apiKey: 'sk-123' }], /profile "a": "apiKey" is not allowed; keys belong in secret storage/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm', price: { input: -1, output: 1 } }], /"price" must be/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm', price: { input: 1, output: 1, cachedInput: -0.1 } }], /profile "a": "price" must be .*cachedInput/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm', rpm: 0 }], /profile "a": "rpm" must be a whole number >= 1 \(requests per minute\), got 0/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm', tpm: 'lots' }], /profile "a": "tpm" must be a whole number >= 1 \(tokens per minute\)/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm' }, { name: 'a', baseUrl: 'http://x/v1', model: 'm' }], /two profiles are named "a"/);
    bad([{ name: 'c', provider: 'cascade', stages: ['x', 'y'], thresholds: [0.5] }], /stage "x" is not a profile/);
    bad([{ name: 'a', baseUrl: 'http://x/v1', model: 'm' }, { name: 'c', provider: 'cascade', stages: ['a', 'a'], thresholds: [] }], /2 stages need 1 thresholds/);
  });
});
