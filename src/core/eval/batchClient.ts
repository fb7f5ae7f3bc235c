// The Batch API through the official `openai` SDK: upload the input file (/v1/files, purpose
// "batch"), create the batch (/v1/batches, /v1/chat/completions, a 24 h window), read it back, and
// download its output and error files. Failures become one-line errors naming the server.
import OpenAI, { APIConnectionError, APIError, toFile } from 'openai';
import { NO_KEY_PLACEHOLDER, validateBaseUrl } from '../model/openaiModel';
import { ModelError } from '../model/types';
import { redactedUrl } from '../model/redactUrl';
import { BATCH_ENDPOINT } from './batchRequests';

/** The part of the Batch object Thoughtscope reads (the SDK's `Batch`). */
export interface BatchState {
  id: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id?: string | null;
  error_file_id?: string | null;
  request_counts?: { total: number; completed: number; failed: number } | null;
  errors?: { data?: Array<{ code?: string; message?: string; line?: number | null; param?: string | null }> } | null;
}

export interface BatchClient {
  /** Uploads the JSONL input file; returns its file id. */
  upload(jsonl: string, filename: string): Promise<string>;
  create(inputFileId: string, metadata: Record<string, string>): Promise<BatchState>;
  retrieve(batchId: string): Promise<BatchState>;
  /** The text of an output or error file. */
  download(fileId: string): Promise<string>;
}

export const TERMINAL_STATUSES: ReadonlySet<BatchState['status']> = new Set(['failed', 'completed', 'expired', 'cancelled']);

export class OpenAIBatchClient implements BatchClient {
  private readonly client: OpenAI;

  constructor(private readonly config: { baseUrl: string; apiKey?: string; timeoutMs?: number }) {
    validateBaseUrl(config.baseUrl);
    // The SDK retries 429/5xx here: these are a few small requests, not model calls counted by a run.
    this.client = new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey || NO_KEY_PLACEHOLDER, timeout: config.timeoutMs ?? 120_000, maxRetries: 3 });
  }

  upload(jsonl: string, filename: string): Promise<string> {
    return this.call('upload the batch input file', async () => (await this.client.files.create({ file: await toFile(Buffer.from(jsonl, 'utf8'), filename, { type: 'application/jsonl' }), purpose: 'batch' })).id);
  }

  create(inputFileId: string, metadata: Record<string, string>): Promise<BatchState> {
    return this.call('create the batch', () => this.client.batches.create({ input_file_id: inputFileId, endpoint: BATCH_ENDPOINT, completion_window: '24h', metadata }));
  }

  retrieve(batchId: string): Promise<BatchState> {
    return this.call(`read batch ${batchId}`, () => this.client.batches.retrieve(batchId));
  }

  download(fileId: string): Promise<string> {
    return this.call(`download file ${fileId}`, async () => (await this.client.files.content(fileId)).text());
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      const where = `the server at ${redactedUrl(this.config.baseUrl)}`;
      if (err instanceof APIConnectionError) throw new ModelError('unreachable', `Cannot ${what}: cannot reach ${where}`);
      if (err instanceof APIError) {
        const message = (err.error as { message?: unknown } | undefined)?.message;
        const detail = typeof message === 'string' ? ` — ${message.slice(0, 300)}` : '';
        const hint = err.status === 404 && what.startsWith('upload') ? ' (does this server have the Batch API, /v1/files and /v1/batches?)' : '';
        throw new ModelError(err.status === 401 || err.status === 403 ? 'auth' : 'bad-request', `Cannot ${what}: ${where} answered HTTP ${err.status}${detail}${hint}`, err.status);
      }
      throw err;
    }
  }
}
