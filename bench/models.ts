// Chat models for the benchmarks: an in-memory one (no HTTP, for measuring the engine alone) and the
// loopback server wired to a reply function (through the real openai SDK, like a real run).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ChatModel, ChatRequest, ChatResponse } from '../src/core/model/types';
import { startFakeServer, type FakeServer } from '../test/support/fakeOpenAI';

function promptOf(request: ChatRequest): string {
  return request.messages[request.messages.length - 1]?.content ?? '';
}

/** Answers at once from `reply`; usage counted like the loopback server (a token per 4 characters). */
export function inMemoryModel(reply: (prompt: string) => string, model = 'bench-model'): ChatModel {
  return {
    provider: 'in-memory',
    model,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const text = reply(promptOf(request));
      const n = request.n ?? 1;
      const promptChars = request.messages.reduce((s, m) => s + m.content.length, 0);
      return {
        choices: Array.from({ length: n }, () => text),
        usage: { promptTokens: Math.ceil(promptChars / 4), completionTokens: n * Math.ceil(text.length / 4), estimated: false },
        usageSource: 'reported',
        model,
        latencyMs: 0,
        requests: 1,
      };
    },
  };
}

/** The loopback OpenAI-compatible server answering every request from `reply` after `delayMs`. */
export function replyServer(reply: (prompt: string) => string, delayMs: number): Promise<FakeServer> {
  return startFakeServer((req) => ({ choices: [reply(req.prompt)], ...(delayMs > 0 ? { delayMs } : {}) }));
}

/** The scripted Game of 24 server in a child process (serverProcess.ts), so its CPU is not this process's. */
export async function startServerProcess(delayMs = 0): Promise<{ child: ChildProcess; baseUrl: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'serverProcess.ts'), String(delayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (out += chunk));
  while (!out.includes('\n')) await once(child.stdout!, 'data');
  return {
    child,
    baseUrl: out.trim(),
    stop: async () => {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
