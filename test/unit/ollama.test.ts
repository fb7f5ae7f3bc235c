// Ollama detection against a loopback server that answers /api/tags like Ollama, and one that does not.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { listOllamaModels, ollamaOpenAIUrl } from '../../src/core/model/ollama';

async function serve(status: number, body: string) {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/api/tags' ? status : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/api/tags' ? body : '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('lists the pulled models of a server answering /api/tags', async () => {
  const s = await serve(200, JSON.stringify({ models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }, { name: 'qwen2.5:7b' }] }));
  assert.deepEqual(await listOllamaModels(s.url), ['llama3.2:latest', 'qwen2.5:7b']);
  assert.equal(ollamaOpenAIUrl(`${s.url}/`), `${s.url}/v1`);
  await s.close();
});

test('undefined when nothing answers, or something that is not Ollama does', async () => {
  const other = await serve(200, '{"hello": "world"}');
  assert.equal(await listOllamaModels(other.url), undefined);
  await other.close();
  assert.equal(await listOllamaModels(other.url, 300), undefined, 'closed port');
});
