// Ollama detection against a loopback server that answers /api/tags like Ollama, and one that does not.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { listOllamaModels, ollamaOpenAIUrl, ollamaUrl } from '../../src/core/model/ollama';

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

test('OLLAMA_HOST as the ollama CLI reads it: host, host:port or a URL; port 11434 when only a host is given', () => {
  assert.equal(ollamaUrl(undefined), 'http://localhost:11434');
  assert.equal(ollamaUrl('  '), 'http://localhost:11434');
  assert.equal(ollamaUrl('127.0.0.1'), 'http://127.0.0.1:11434');
  assert.equal(ollamaUrl('127.0.0.1:9999'), 'http://127.0.0.1:9999');
  assert.equal(ollamaUrl('http://10.0.0.2:11434/'), 'http://10.0.0.2:11434');
  assert.equal(ollamaUrl('https://ollama.example.com'), 'https://ollama.example.com');
  assert.equal(ollamaUrl('[::1]:5000'), 'http://[::1]:5000');
  assert.equal(ollamaUrl('0.0.0.0'), 'http://localhost:11434', 'a bind-everywhere address means this machine');
  assert.equal(ollamaUrl('0.0.0.0:8080'), 'http://localhost:8080');
  assert.equal(ollamaUrl('ftp://x'), 'http://localhost:11434', 'not http: ignored');
  assert.equal(ollamaUrl('http://a b'), 'http://localhost:11434', 'not a URL: ignored');
  assert.equal(ollamaOpenAIUrl(ollamaUrl('127.0.0.1:9999')), 'http://127.0.0.1:9999/v1');
});
