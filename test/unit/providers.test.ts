// The models people run today, each behind a loopback server that behaves as its provider documents
// (test/support/providers/, one file per provider, each citing its documentation), reached through
// the real openai SDK: what is sent, what comes back, how it is counted, priced and recorded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { azureKeyHeaders } from '../../src/core/model/azure';
import { OpenAIChatModel, type OpenAIModelConfig } from '../../src/core/model/openaiModel';
import { Pricing, costAt } from '../../src/core/pricing';
import { RefusedParams } from '../../src/core/run/paramFit';
import { Run, type RunOptions } from '../../src/core/run/run';
import { game24Task } from '../../src/core/tasks/game24';
import { genericTask } from '../../src/core/tasks/generic';
import { cotTechnique } from '../../src/core/techniques/cot';
import { scTechnique } from '../../src/core/techniques/sc';
import { toTrace } from '../../src/core/trace';
import { anthropicHandler } from '../support/providers/anthropic';
import { azureHandler } from '../support/providers/azure';
import { deepSeekHandler } from '../support/providers/deepseek';
import { geminiHandler } from '../support/providers/gemini';
import { providerServers, tokens } from '../support/providers/harness';
import { ollamaHandler } from '../support/providers/ollama';
import { openAIReasoningHandler } from '../support/providers/openaiReasoning';
import { vllmHandler } from '../support/providers/vllm';

const start = providerServers();
const PUZZLE = '4 4 6 8';
const CORRECT = 'Answer: 4 * 6 * (8 - 4) / 4 = 24';
/** Reasoning that states a wrong answer: it must never be read as the answer. */
const DECOY = 'Maybe Answer: 4 + 4 + 6 + 8 = 24? No, that is 22.';

function model(baseUrl: string, name: string, extra: Partial<OpenAIModelConfig> = {}): OpenAIChatModel {
  return new OpenAIChatModel({ baseUrl, model: name, apiKey: 'k', ...extra });
}

/** A run with its own memory of refusals, so tests do not learn from each other. */
function runOn(m: OpenAIChatModel, options: Partial<RunOptions> = {}): Run {
  return new Run({ model: m, refusals: new RefusedParams(), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 }, ...options });
}

describe('OpenAI reasoning models', () => {
  it('o4-mini: known up front, so nothing is refused; the dropped temperature is noted on the call, the trace and the run; reasoning and cached tokens are counted and priced', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => CORRECT, reasoningTokens: 200 }));
    const run = runOn(model(`${server.origin}/v1`, 'o4-mini'));
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, params: { temperature: 0.7 }, run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(report.summary.answer, '4 * 6 * (8 - 4) / 4');
    assert.equal(server.requests.length, 1, 'no 400 and no retry');
    assert.equal(server.requests[0].body.temperature, undefined);
    const note = "temperature not supported by o4-mini: sampled at the model's default";
    assert.deepEqual(report.summary.notes, [note]);
    const trace = toTrace(report, run.graph);
    const call = trace.nodes.flatMap((n) => n.calls)[0];
    assert.deepEqual(call.droppedParams, [{ param: 'temperature', value: 0.7, note }]);
    assert.equal(trace.totals.reasoningTokens, 200);
    const node = trace.nodes.find((n) => n.calls.length)!;
    assert.equal(node.usage.reasoningTokens, 200);
    // Priced by the catalog, reasoning as output: o4-mini is $1.10 in and $4.40 out per million.
    const prompt = tokens(server.requests[0].body.messages[0].content);
    const completion = tokens(CORRECT) + 200;
    assert.equal(trace.totals.promptTokens, prompt);
    assert.equal(trace.totals.completionTokens, completion);
    assert.ok(Math.abs(trace.totals.costUsd! - (prompt * 1.1 + completion * 4.4) / 1e6) < 1e-12, `cost ${trace.totals.costUsd}`);
  });

  it('an unknown model name learns from each 400 once: retried without the parameter, remembered for later calls, stop applied to the text after it arrives', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => 'first line\nSTOP here' }));
    const refusals = new RefusedParams();
    const m = model(`${server.origin}/v1`, 'acme-reasoner');
    const ask = async () => {
      const run = new Run({ model: m, refusals, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
      const node = run.graph.addNode({ kind: 'question', text: 'q' });
      const response = await run.call(node.id, 'ask', { messages: [{ role: 'user', content: 'Say it.' }], temperature: 0.2, topP: 0.9, stop: ['STOP'], maxTokens: 300 });
      return { response, run };
    };
    const first = await ask();
    // max_tokens, temperature, top_p and stop each refused once: five requests, the last one answered.
    assert.equal(server.requests.length, 5);
    const last = server.requests[4].body;
    assert.equal(last.max_completion_tokens, 300);
    assert.deepEqual([last.max_tokens, last.temperature, last.top_p, last.stop], [undefined, undefined, undefined, undefined]);
    assert.deepEqual(first.response.choices, ['first line\n'], 'cut at the stop sequence here');
    assert.deepEqual(first.run.notes().sort(), [
      "temperature not supported by acme-reasoner: sampled at the model's default",
      'stop not supported by acme-reasoner: the text is cut at the stop sequences after it arrives',
      "top_p not supported by acme-reasoner: sampled at the model's default",
    ].sort());
    // A later run against the same server and model sends it right the first time.
    await ask();
    assert.equal(server.requests.length, 6);
    assert.equal(server.requests[5].body.max_completion_tokens, 300);
  });

  it('a reasoning effort the model does not take is dropped after its 400 and said on the run; one it takes is sent and recorded', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => CORRECT }));
    const minimal = runOn(model(`${server.origin}/v1`, 'o4-mini'), { reasoningEffort: 'minimal' });
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run: minimal });
    assert.equal(report.summary.outcome, 'done');
    assert.deepEqual(server.requests.map((r) => r.body.reasoning_effort), ['minimal', undefined]);
    assert.ok(report.summary.notes?.includes("reasoning_effort not supported by o4-mini: the model's own default effort applies"));
    const high = runOn(model(`${server.origin}/v1`, 'o4-mini'), { reasoningEffort: 'high' });
    const done = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run: high });
    assert.equal(server.requests.at(-1)!.body.reasoning_effort, 'high');
    assert.equal(toTrace(done, high.graph).nodes.flatMap((n) => n.calls)[0].reasoningEffort, 'high');
  });

  it('self-consistency says its samples lost their temperature', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => CORRECT }));
    const run = runOn(model(`${server.origin}/v1`, 'o3'));
    const report = await runTechnique({ technique: scTechnique, task: game24Task, input: PUZZLE, params: { samples: 3, temperature: 0.7 }, run });
    assert.equal(report.summary.outcome, 'done');
    assert.ok(report.summary.notes?.some((n) => /^sc: temperature 0\.7 was not sent .* 3 samples is the model's default/.test(n)), JSON.stringify(report.summary.notes));
    const sampler = run.graph.nodes().find((n) => n.meta?.diversity);
    assert.match(sampler!.text, /default temperature \(0\.7 not taken\)/);
  });

  it('a repeated long prefix comes back as cached tokens and is priced at the cached rate', async () => {
    const server = await start(openAIReasoningHandler({ answer: () => 'ok', reasoningTokens: 0 }));
    const run = runOn(model(`${server.origin}/v1`, 'gpt-5-mini'));
    const node = run.graph.addNode({ kind: 'question', text: 'q' });
    const instructions = 'Rules of the game, repeated in every prompt. '.repeat(120);
    await run.call(node.id, 'a', { messages: [{ role: 'user', content: `${instructions}Question one?` }] });
    const second = await run.call(node.id, 'b', { messages: [{ role: 'user', content: `${instructions}Question two?` }] });
    const cached = second.usage.cachedPromptTokens!;
    assert.ok(cached >= 1024 && cached % 128 === 0, `cached ${cached}`);
    // gpt-5-mini in the catalog: $0.25 in, $0.025 cached in, $2 out per million.
    const calls = run.graph.get(node.id).calls;
    assert.ok(Math.abs(calls[1].costUsd! - costAt({ input: 0.25, output: 2, cachedInput: 0.025 }, second.usage.promptTokens, second.usage.completionTokens, cached)) < 1e-12);
    assert.ok(calls[1].costUsd! < calls[0].costUsd!, 'the cached prompt costs less');
    assert.equal(run.totals().cachedPromptTokens, cached);
  });
});

describe('Azure OpenAI', () => {
  it('a deployment URL with api-version and the api-key header reaches the deployment; a reasoning deployment behind any name is learned from its 400s', async () => {
    const server = await start(azureHandler({ key: 'azure-key', deployments: { 'prod-reasoner': { reasoning: true } }, answer: () => CORRECT }));
    const m = model(`${server.origin}/openai/deployments/prod-reasoner?api-version=2024-10-21`, 'prod-reasoner', { headers: { 'api-key': 'azure-key' } });
    const run = runOn(m);
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, params: { temperature: 0.7 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, '4 * 6 * (8 - 4) / 4');
    assert.deepEqual(server.requests.map((r) => [r.path, r.query.get('api-version'), r.headers['api-key']]), [
      ['/openai/deployments/prod-reasoner/chat/completions', '2024-10-21', 'azure-key'],
      ['/openai/deployments/prod-reasoner/chat/completions', '2024-10-21', 'azure-key'],
    ]);
    assert.deepEqual([server.requests[0].body.temperature, server.requests[1].body.temperature], [0.7, undefined]);
    assert.deepEqual(report.summary.notes, ["temperature not supported by prod-reasoner: sampled at the model's default"]);
  });

  it("the key goes in the api-key header for Azure's hosts only", () => {
    assert.deepEqual(azureKeyHeaders('https://res.openai.azure.com/openai/deployments/d?api-version=2024-10-21', 'k'), { 'api-key': 'k' });
    assert.deepEqual(azureKeyHeaders('https://res.services.ai.azure.com/openai/v1', 'k'), { 'api-key': 'k' });
    assert.equal(azureKeyHeaders('https://api.openai.com/v1', 'k'), undefined);
    assert.equal(azureKeyHeaders('https://res.openai.azure.com/openai/v1', undefined), undefined);
  });

  it('a wrong key and an unknown deployment fail with one line naming the problem', async () => {
    const server = await start(azureHandler({ key: 'azure-key', deployments: {}, answer: () => 'x' }));
    const wrongKey = runOn(model(`${server.origin}/openai/deployments/d?api-version=2024-10-21`, 'd', { headers: { 'api-key': 'nope' } }));
    const denied = await runTechnique({ technique: cotTechnique, task: genericTask, input: 'hi', run: wrongKey });
    assert.equal(denied.summary.outcome, 'failed');
    assert.match(denied.summary.message!, /rejected the API key \(HTTP 401\).*Access denied/);
    const missing = runOn(model(`${server.origin}/openai/deployments/none?api-version=2024-10-21`, 'none', { headers: { 'api-key': 'azure-key' } }));
    const notFound = await runTechnique({ technique: cotTechnique, task: genericTask, input: 'hi', run: missing });
    assert.match(notFound.summary.message!, /not found.*HTTP 404.*deployment for this resource does not exist/);
  });
});

describe('Ollama', () => {
  const models = {
    qwen3: { thinking: 'field' as const, reasoning: `Let me think. ${DECOY}`, answer: CORRECT },
    'deepseek-r1': { thinking: 'tags' as const, reasoning: `Hmm. ${DECOY}`, answer: CORRECT },
    'llama3.2': { thinking: 'none' as const, reasoning: '', answer: CORRECT },
  };

  it('a thinking model streams its `reasoning` apart: the answer is read from the content only, the node shows text as it streams, the reasoning is kept on the call', async () => {
    const server = await start(ollamaHandler(models));
    const run = runOn(model(`${server.origin}/v1`, 'qwen3', { stream: true }), { reasoningEffort: 'low' });
    const live: string[] = [];
    run.graph.on((e) => {
      if (e.type === 'nodeUpdated' && e.node.live) live.push(e.node.live);
    });
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run });
    assert.equal(report.summary.answer, '4 * 6 * (8 - 4) / 4');
    assert.equal(server.requests[0].body.reasoning_effort, 'low');
    assert.ok(live.length > 0, 'streamed text reached the node');
    const call = run.graph.nodes().flatMap((n) => n.calls)[0];
    assert.equal(call.reasoning?.[0], models.qwen3.reasoning);
    assert.ok(!call.responses[0].includes('Let me think'), 'the answer holds no reasoning');
    assert.equal(run.graph.nodes().find((n) => n.calls.length)!.live, undefined, 'cleared when the call ended');
  });

  it('<think> tags in the content are split off before the answer is read', async () => {
    const server = await start(ollamaHandler(models));
    const run = runOn(model(`${server.origin}/v1`, 'deepseek-r1'));
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run });
    assert.equal(report.summary.answer, '4 * 6 * (8 - 4) / 4');
    const call = toTrace(report, run.graph).nodes.flatMap((n) => n.calls)[0];
    assert.equal(call.reasoning?.[0], models['deepseek-r1'].reasoning);
    assert.equal(call.responses[0], CORRECT);
  });

  it('a model without thinking refuses a reasoning effort: the run drops it after the 400 and says so', async () => {
    const server = await start(ollamaHandler(models));
    const run = runOn(model(`${server.origin}/v1`, 'llama3.2'), { reasoningEffort: 'high' });
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run });
    assert.equal(report.summary.outcome, 'done');
    assert.deepEqual(server.requests.map((r) => r.body.reasoning_effort), ['high', undefined]);
    assert.deepEqual(report.summary.notes, ["reasoning_effort not supported by llama3.2: the model's own default effort applies"]);
  });
});

describe('vLLM', () => {
  it('reasoning_content is kept apart from every choice: votes count only the answers', async () => {
    const answers = [CORRECT, CORRECT, 'Answer: 8 * 4 - 4 - 6 = 22'];
    const server = await start(vllmHandler({ write: (_req, i) => ({ reasoning: `Path ${i}. ${DECOY}`, answer: answers[i] }) }));
    const run = runOn(model(`${server.origin}/v1`, 'Qwen/QwQ-32B'));
    const report = await runTechnique({ technique: scTechnique, task: game24Task, input: PUZZLE, params: { samples: 3 }, run });
    assert.equal(server.requests.length, 1, 'one request with n = 3');
    assert.equal(report.summary.answer, '4 * 6 * (8 - 4) / 4');
    assert.deepEqual(report.candidates, ['4 * 6 * (8 - 4) / 4', '4 * 6 * (8 - 4) / 4', '8 * 4 - 4 - 6 = 22']);
    assert.deepEqual(run.graph.nodes().flatMap((n) => n.calls)[0].reasoning, [0, 1, 2].map((i) => `Path ${i}. ${DECOY}`));
  });

  it('a run with a seed is repeated call for call on a server that honours seeds, and the seed is in the trace', async () => {
    const server = await start(vllmHandler({ write: (req) => ({ reasoning: '', answer: `Answer: seed ${req.body.seed}` }) }));
    const once = async (seed: number) => {
      const run = runOn(model(`${server.origin}/v1`, 'llama-3.1-8b'), { seed });
      const report = await runTechnique({ technique: scTechnique, task: genericTask, input: 'Pick one.', params: { samples: 2 }, run });
      return toTrace(report, run.graph).nodes.flatMap((n) => n.calls).map((c) => [c.seed, c.responses]);
    };
    const a = await once(7);
    assert.deepEqual(await once(7), a, 'same seed, same calls, same texts');
    assert.equal(a[0][0], 7);
    assert.notDeepEqual(await once(8), a);
  });
});

describe('DeepSeek', () => {
  it('deepseek-reasoner: reasoning_content apart, temperature not sent (it has no effect there), cache-hit tokens counted and priced at the cached rate', async () => {
    const server = await start(deepSeekHandler({ reasoning: `Think. ${DECOY}`, answer: CORRECT }));
    const m = model(`${server.origin}`, 'deepseek-reasoner');
    const pricing = new Pricing();
    const run = runOn(m, { pricing });
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, params: { temperature: 0.7 }, run });
    const second = runOn(m, { pricing });
    const again = await runTechnique({ technique: cotTechnique, task: game24Task, input: '1 2 3 4', params: { temperature: 0.7 }, run: second });
    assert.equal(report.summary.answer, '4 * 6 * (8 - 4) / 4');
    assert.equal(server.requests[0].body.temperature, undefined);
    assert.ok(report.summary.notes?.includes("temperature not supported by deepseek-reasoner: sampled at the model's default"));
    const totals = again.summary.totals;
    assert.ok(totals.cachedPromptTokens! > 0, 'the shared instructions were a cache hit');
    const price = pricing.priceOf('deepseek-reasoner')!;
    assert.ok(price.cachedInput !== undefined && price.cachedInput < price.input);
    assert.ok(Math.abs(totals.costUsd! - costAt(price, totals.promptTokens, totals.completionTokens, totals.cachedPromptTokens)) < 1e-12);
    assert.equal(toTrace(report, run.graph).nodes.flatMap((n) => n.calls)[0].reasoning?.[0], `Think. ${DECOY}`);
  });
});

describe("Gemini's OpenAI-compatible endpoint", () => {
  it('an effort it does not take is refused in a list-shaped error body; the run drops it and says so, learned once', async () => {
    const server = await start(geminiHandler({ key: 'g-key', answer: CORRECT }));
    const log: string[] = [];
    const run = runOn(model(`${server.origin}/v1beta/openai`, 'gemini-2.5-flash', { apiKey: 'g-key' }), { reasoningEffort: 'minimal', logger: { info: (m) => log.push(m), warn: (m) => log.push(m), error() {} } });
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run });
    assert.equal(report.summary.outcome, 'done');
    assert.deepEqual(server.requests.map((r) => r.body.reasoning_effort), ['minimal', undefined]);
    assert.deepEqual(report.summary.notes, ["reasoning_effort not supported by gemini-2.5-flash: the model's own default effort applies"]);
    assert.ok(log.includes('gemini-2.5-flash refused reasoning_effort; sending without it from now on'), log.join('\n'));
    const medium = runOn(model(`${server.origin}/v1beta/openai`, 'gemini-2.5-flash', { apiKey: 'g-key' }), { reasoningEffort: 'medium', refusals: new RefusedParams() });
    await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run: medium });
    assert.equal(server.requests.at(-1)!.body.reasoning_effort, 'medium');
  });

  it('a refusal that names no parameter of ours still shows the message from the list-shaped body', async () => {
    const server = await start(geminiHandler({ key: 'g-key', answer: CORRECT }));
    const run = runOn(model(`${server.origin}/v1beta/openai`, 'gemini-2.5-flash', { apiKey: 'wrong' }));
    const report = await runTechnique({ technique: cotTechnique, task: game24Task, input: PUZZLE, run });
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message!, /HTTP 400\) — API key not valid/);
  });
});

describe("Anthropic's OpenAI-compatible endpoint", () => {
  it('claude-*: n, seed and reasoning_effort are known not to be taken; samples go out one request each, and the run says what was ignored', async () => {
    const server = await start(anthropicHandler({ answer: () => CORRECT }));
    const run = runOn(model(`${server.origin}/v1`, 'claude-sonnet-4-5'), { seed: 3, reasoningEffort: 'high' });
    const report = await runTechnique({ technique: scTechnique, task: game24Task, input: PUZZLE, params: { samples: 3 }, run });
    assert.equal(report.summary.outcome, 'done');
    assert.equal(server.requests.length, 3);
    for (const r of server.requests) assert.deepEqual([r.body.n, r.body.seed, r.body.reasoning_effort], [undefined, undefined, undefined]);
    assert.deepEqual(report.summary.notes?.sort(), [
      'reasoning_effort not supported by claude-sonnet-4-5: the model\'s own default effort applies',
      'seed not supported by claude-sonnet-4-5: calls are not reproducible by seed',
    ]);
  });

  it('behind another name, its 400 for n is learned and the samples are topped up', async () => {
    const server = await start(anthropicHandler({ answer: () => CORRECT }));
    const run = runOn(model(`${server.origin}/v1`, 'company-assistant'));
    const report = await runTechnique({ technique: scTechnique, task: game24Task, input: PUZZLE, params: { samples: 3 }, run });
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.candidates?.length, 3);
    assert.deepEqual(server.requests.map((r) => r.body.n), [3, undefined, undefined, undefined]);
  });
});
