import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitedModel } from '../../src/core/model/limitedModel';
import type { ChatModel, EmbeddingModel } from '../../src/core/model/types';
import { Limiter } from '../../src/core/run/limiter';

test('a shared-limit model keeps the embeddings endpoint of the model it wraps', async () => {
  const embedder = { model: 'text-embedding-3-small' } as EmbeddingModel;
  let inFlight = 0;
  let maxInFlight = 0;
  const inner: ChatModel = {
    provider: 'test',
    model: 'm',
    async complete() {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { choices: ['x'], usage: { promptTokens: 1, completionTokens: 1, estimated: false }, usageSource: 'reported', model: 'm', latencyMs: 5, requests: 1 };
    },
    embeddingModel: (name) => (name === embedder.model ? embedder : ({ model: name } as EmbeddingModel)),
  };
  const wrapped = limitedModel(inner, new Limiter(2));
  assert.equal(wrapped.embeddingModel?.('text-embedding-3-small'), embedder);
  await Promise.all(Array.from({ length: 6 }, () => wrapped.complete({ messages: [{ role: 'user', content: 'q' }] })));
  assert.equal(maxInFlight, 2);
  const plain = limitedModel({ ...inner, embeddingModel: undefined }, new Limiter(1));
  assert.equal(plain.embeddingModel, undefined);
});
