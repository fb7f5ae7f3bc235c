// Function calling through the real SDK: tools go out in the request, tool calls come back parsed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startFakeServer, type FakeServer } from '../support/fakeOpenAI';
import { modelAt } from '../support/runHelpers';

describe('chat model tools', () => {
  const servers: FakeServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('sends tools as OpenAI functions and returns the first choice\'s tool calls', async () => {
    const server = await startFakeServer((req) => (req.body.tools ? { choices: [''], toolCalls: [{ name: 'calculator', arguments: '{"expression":"2+3"}' }] } : { choices: ['plain'] }));
    servers.push(server);
    const model = modelAt(server.baseUrl, { stream: true });
    const tools = [{ name: 'calculator', description: 'Evaluates arithmetic.', parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] } }];
    const withTools = await model.complete({ messages: [{ role: 'user', content: 'add' }], tools });
    assert.deepEqual(server.requests[0].body.tools, [{ type: 'function', function: tools[0] }]);
    assert.equal(server.requests[0].body.stream, undefined, 'requests with tools are not streamed');
    assert.equal(withTools.toolCalls?.length, 1);
    assert.equal(withTools.toolCalls?.[0].name, 'calculator');
    assert.equal(withTools.toolCalls?.[0].arguments, '{"expression":"2+3"}');
    const plain = await model.complete({ messages: [{ role: 'user', content: 'add' }] });
    assert.equal(plain.toolCalls, undefined);
    assert.equal(plain.choices[0], 'plain');
    assert.equal(server.requests[1].body.tools, undefined);
  });
});
