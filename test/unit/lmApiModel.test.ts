// The VS Code Language Model provider through a fake of the API surface it uses: selection (and an
// empty list), LanguageModelError codes, counted tokens, cancellation, n as parallel requests, the
// model-change event, and a whole run through the engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { ModelError } from '../../src/core/model/types';
import { Run } from '../../src/core/run/run';
import { genericTask } from '../../src/core/tasks/generic';
import { ioTechnique } from '../../src/core/techniques/io';
import { LM_JUSTIFICATION, LmApiChatModel, LmModelCache, selectLmChat, type LmApi, type LmChat } from '../../src/models/lmApiModel';

class FakeLmError extends Error {
  constructor(readonly code: string) {
    super(`fake ${code}`);
  }
}

interface FakeToken {
  isCancellationRequested: boolean;
  onCancellationRequested: (l: () => void) => { dispose(): void };
}

type Reply = string[] | { error: string } | 'hang';

function fakeChat(script: (call: number) => Reply, family = 'gpt-4o') {
  const sent: Array<{ messages: Array<{ role: string; content: string }>; options: unknown; token: FakeToken }> = [];
  const chat: LmChat = {
    id: `copilot-${family}`,
    name: `Copilot ${family}`,
    vendor: 'copilot',
    family,
    // One token per word: easy to check.
    countTokens: async (text: string) => text.split(/\s+/).filter(Boolean).length,
    sendRequest: async (messages, options, token) => {
      const t = token as unknown as FakeToken;
      sent.push({ messages: messages as Array<{ role: string; content: string }>, options, token: t });
      const reply = script(sent.length - 1);
      if (reply !== 'hang' && !Array.isArray(reply)) throw new FakeLmError(reply.error);
      return {
        text: (async function* () {
          if (reply === 'hang') {
            // Like VS Code's stream: it ends once the token is cancelled.
            if (!t.isCancellationRequested) await new Promise<void>((resolve) => t.onCancellationRequested(resolve));
            return;
          }
          for (const chunk of reply) yield chunk;
        })(),
      };
    },
  };
  return { chat, sent };
}

function fakeApi(models: LmChat[] | { error: string }) {
  const listeners: Array<() => void> = [];
  const selections: unknown[] = [];
  const api: LmApi = {
    selectChatModels: async (selector) => {
      selections.push(selector);
      if (!Array.isArray(models)) throw new FakeLmError(models.error);
      return models.filter((m) => (!selector?.vendor || m.vendor === selector.vendor) && (!selector?.family || m.family === selector.family));
    },
    onDidChangeChatModels: (listener) => {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
    userMessage: (content) => ({ role: 'user', content }),
    assistantMessage: (content) => ({ role: 'assistant', content }),
    cancellationSource: () => {
      const waiting: Array<() => void> = [];
      const token: FakeToken = {
        isCancellationRequested: false,
        onCancellationRequested: (l) => {
          waiting.push(l);
          return { dispose() {} };
        },
      };
      return {
        token: token as never,
        cancel: () => {
          token.isCancellationRequested = true;
          waiting.forEach((l) => l());
        },
        dispose() {},
      };
    },
    errorCode: (err) => (err instanceof FakeLmError ? err.code : undefined),
  };
  return { api, selections, fireChange: () => listeners.forEach((l) => l()), listeners };
}

describe('VS Code Language Model provider', () => {
  it('sends the messages with a justification and counts tokens with countTokens, marked counted', async () => {
    const { chat, sent } = fakeChat(() => ['The answer ', 'is four.\nAnswer: 4']);
    const { api } = fakeApi([chat]);
    const model = new LmApiChatModel(api, chat);
    const r = await model.complete({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is two plus two?' }], temperature: 0.2 });
    assert.deepEqual(r.choices, ['The answer is four.\nAnswer: 4']);
    assert.deepEqual(sent[0].messages, [{ role: 'user', content: 'Be brief.' }, { role: 'user', content: 'What is two plus two?' }]);
    assert.deepEqual(sent[0].options, { justification: LM_JUSTIFICATION, modelOptions: { temperature: 0.2 } });
    assert.deepEqual(r.usage, { promptTokens: 2 + 5, completionTokens: 6, estimated: false });
    assert.equal(r.usageSource, 'counted');
    assert.equal(model.model, 'copilot:gpt-4o');
  });

  it('n > 1 is sent as n parallel requests; prompt tokens count once per request', async () => {
    const { chat, sent } = fakeChat((i) => [`Answer: ${i}`]);
    const model = new LmApiChatModel(fakeApi([chat]).api, chat);
    const r = await model.complete({ messages: [{ role: 'user', content: 'pick one' }], n: 3 });
    assert.equal(sent.length, 3);
    assert.deepEqual([...r.choices].sort(), ['Answer: 0', 'Answer: 1', 'Answer: 2']);
    assert.equal(r.requests, 3);
    assert.equal(r.usage.promptTokens, 6);
  });

  it('the run’s AbortSignal cancels the request through the cancellation token', async () => {
    const { chat, sent } = fakeChat(() => 'hang');
    const model = new LmApiChatModel(fakeApi([chat]).api, chat);
    const controller = new AbortController();
    const pending = model.complete({ messages: [{ role: 'user', content: 'q' }] }, { signal: controller.signal });
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    await assert.rejects(pending, (err: ModelError) => err.kind === 'cancelled');
    assert.equal(sent[0].token.isCancellationRequested, true);
  });

  it('maps LanguageModelError codes to clear one-line messages', async () => {
    const cases: Array<[string, ModelError['kind'], RegExp]> = [
      ['NoPermissions', 'auth', /did not let Thoughtscope use the language model "Copilot gpt-4o": allow it when VS Code asks/],
      ['NotFound', 'not-found', /is no longer available in VS Code/],
      ['Blocked', 'bad-request', /blocked, often because a quota is used up/],
      ['Weird', 'bad-response', /failed \(fake Weird\)/],
    ];
    for (const [code, kind, pattern] of cases) {
      const { chat } = fakeChat(() => ({ error: code }));
      const model = new LmApiChatModel(fakeApi([chat]).api, chat);
      await assert.rejects(model.complete({ messages: [{ role: 'user', content: 'q' }] }), (err: ModelError) => {
        assert.ok(err instanceof ModelError);
        assert.equal(err.kind, kind);
        assert.match(err.message, pattern);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    }
  });

  it('selection: the matching model, a clear error for an empty list or a refusal', async () => {
    const mini = fakeChat(() => ['x'], 'gpt-4o-mini').chat;
    const big = fakeChat(() => ['x'], 'gpt-4o').chat;
    const { api, selections } = fakeApi([mini, big]);
    assert.equal((await selectLmChat(api, { vendor: 'copilot', family: 'gpt-4o' })).family, 'gpt-4o');
    assert.deepEqual(selections[0], { vendor: 'copilot', family: 'gpt-4o' });
    await assert.rejects(selectLmChat(fakeApi([]).api, { vendor: 'copilot' }), /No VS Code language model matches vendor "copilot": install and sign in to GitHub Copilot/);
    await assert.rejects(selectLmChat(fakeApi({ error: 'NoPermissions' }).api, {}), (err: ModelError) => err.kind === 'auth');
  });

  it('follows onDidChangeChatModels: a selection is made again after the list changes', async () => {
    const { chat } = fakeChat(() => ['x']);
    const { api, selections, fireChange, listeners } = fakeApi([chat]);
    const cache = new LmModelCache(api);
    await cache.get({ vendor: 'copilot' });
    await cache.get({ vendor: 'copilot' });
    assert.equal(selections.length, 1);
    fireChange();
    await cache.get({ vendor: 'copilot' });
    assert.equal(selections.length, 2);
    assert.equal(cache.changes, 1);
    cache.dispose();
    assert.equal(listeners.length, 0);
  });

  it('runs a technique through the engine with counted usage and no key', async () => {
    const { chat } = fakeChat(() => ['Answer: 4']);
    const run = new Run({ model: new LmApiChatModel(fakeApi([chat]).api, chat), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const report = await runTechnique({ technique: ioTechnique, task: genericTask, input: 'two plus two', run });
    assert.equal(report.summary.answer, '4');
    assert.equal(report.summary.totals.estimated, false);
    assert.equal(report.summary.totals.costUsd, null, 'no price for Copilot models unless a profile sets one');
    const call = run.graph.nodes().flatMap((n) => n.calls)[0];
    assert.equal(call.usageSource, 'counted');
    assert.equal(call.usage.completionTokens, 2);
  });
});
