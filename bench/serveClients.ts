// The serve benchmark's clients, in a process of their own so the server's process counts only its
// own CPU: `clients` loops at once, each sending `perClient` chat requests one after another through
// the real openai SDK (no retries: a dropped request shows as a failure). Reads its job as JSON from
// argv[2], prints the outcome of every request as JSON on stdout.
import OpenAI from 'openai';

interface Job {
  baseUrl: string;
  token: string;
  model: string;
  clients: number;
  perClient: number;
  inputs: string[];
}

export interface ClientResult {
  input: string;
  /** The answer, or undefined when the request failed. */
  answer?: string;
  error?: string;
  latencyMs: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  const client = new OpenAI({ baseURL: job.baseUrl, apiKey: job.token, maxRetries: 0, timeout: 600_000 });
  const results: ClientResult[] = [];
  const loop = async (c: number) => {
    for (let i = 0; i < job.perClient; i++) {
      const input = job.inputs[(c * job.perClient + i) % job.inputs.length];
      const started = performance.now();
      try {
        const completion = await client.chat.completions.create({ model: job.model, messages: [{ role: 'user', content: input }] });
        results.push({ input, answer: completion.choices[0]?.message.content ?? '', latencyMs: performance.now() - started });
      } catch (err) {
        results.push({ input, error: (err as Error).message, latencyMs: performance.now() - started });
      }
    }
  };
  await Promise.all(Array.from({ length: job.clients }, (_, c) => loop(c)));
  process.stdout.write(JSON.stringify(results));
}

void main();
