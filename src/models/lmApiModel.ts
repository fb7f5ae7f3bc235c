// A ChatModel on the VS Code Language Model API (`vscode.lm`): Copilot's models (and any other
// extension's) with no API key. Outside src/core because it needs vscode; it only *types* against it
// and receives the API surface it uses (`vscodeLmApi(vscode)` in the extension, a fake in tests).
// - Models are selected only from a user action (a run or a picker), never at activation.
// - Every request carries a justification for VS Code's consent dialog.
// - Token counts come from `model.countTokens` and are marked 'counted' (not reported by a server).
// - Cancellation: the run's AbortSignal cancels a CancellationTokenSource passed to sendRequest.
// - n > 1 is sent as n parallel requests (the API has no n).
import type * as vscode from 'vscode';
import { ModelError, type CallOptions, type ChatModel, type ChatRequest, type ChatResponse } from '../core/model/types';

export const LM_JUSTIFICATION = 'Thoughtscope sends your selected text through the reasoning technique you chose and draws the answers as a graph.';

export interface LmSelector {
  vendor?: string;
  family?: string;
  id?: string;
}

/** The part of a LanguageModelChat Thoughtscope uses. */
export interface LmChat {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly family: string;
  countTokens(text: string, token?: vscode.CancellationToken): Thenable<number>;
  sendRequest(messages: unknown[], options?: { justification?: string; modelOptions?: Record<string, unknown> }, token?: vscode.CancellationToken): Thenable<{ text: AsyncIterable<string> }>;
}

/** The part of the `vscode` namespace Thoughtscope uses. */
export interface LmApi {
  selectChatModels(selector?: LmSelector): Thenable<readonly LmChat[]>;
  onDidChangeChatModels(listener: () => void): { dispose(): void };
  userMessage(content: string): unknown;
  assistantMessage(content: string): unknown;
  cancellationSource(): { token: vscode.CancellationToken; cancel(): void; dispose(): void };
  /** LanguageModelError's code ("NoPermissions", "NotFound", "Blocked", …), or undefined for other errors. */
  errorCode(err: unknown): string | undefined;
}

export function vscodeLmApi(vs: typeof vscode): LmApi {
  return {
    selectChatModels: (selector) => vs.lm.selectChatModels(selector),
    onDidChangeChatModels: (listener) => vs.lm.onDidChangeChatModels(listener),
    userMessage: (content) => vs.LanguageModelChatMessage.User(content),
    assistantMessage: (content) => vs.LanguageModelChatMessage.Assistant(content),
    cancellationSource: () => new vs.CancellationTokenSource(),
    errorCode: (err) => (err instanceof vs.LanguageModelError ? err.code : undefined),
  };
}

function describeSelector(s: LmSelector): string {
  const parts = [s.vendor && `vendor "${s.vendor}"`, s.family && `family "${s.family}"`, s.id && `id "${s.id}"`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'any vendor';
}

/** A language model error (or any failure) as a ModelError a person can act on. */
export function lmError(api: LmApi, err: unknown, modelName: string, signal?: AbortSignal): ModelError {
  if (err instanceof ModelError) return err;
  if (signal?.aborted) return new ModelError('cancelled', 'The request was cancelled');
  const detail = err instanceof Error && err.message ? ` (${err.message.split('\n')[0].slice(0, 200)})` : '';
  switch (api.errorCode(err)) {
    case 'NoPermissions':
      return new ModelError('auth', `VS Code did not let Thoughtscope use ${modelName}: allow it when VS Code asks, or under Accounts › Manage Language Model Access`);
    case 'NotFound':
      return new ModelError('not-found', `${modelName} is no longer available in VS Code${detail}: pick another model profile (status bar › Thoughtscope)`);
    case 'Blocked':
      return new ModelError('bad-request', `${modelName} refused the request: the request was blocked, often because a quota is used up${detail}`);
    default:
      return new ModelError('bad-response', `${modelName} failed${detail}`);
  }
}

/** The first model matching `selector`; an empty list becomes a clear error, never a silent failure. */
export async function selectLmChat(api: LmApi, selector: LmSelector): Promise<LmChat> {
  let models: readonly LmChat[];
  try {
    models = await api.selectChatModels(selector);
  } catch (err) {
    throw lmError(api, err, 'the VS Code language model');
  }
  if (models.length === 0) {
    throw new ModelError('not-found', `No VS Code language model matches ${describeSelector(selector)}: install and sign in to GitHub Copilot (or another model provider), or choose another model profile`);
  }
  return models[0];
}

/** Drops selected models whenever VS Code's list of models changes (lm.onDidChangeChatModels). */
export class LmModelCache {
  private readonly chosen = new Map<string, Promise<LmChat>>();
  private readonly subscription: { dispose(): void };
  changes = 0;

  constructor(private readonly api: LmApi) {
    this.subscription = api.onDidChangeChatModels(() => {
      this.changes++;
      this.chosen.clear();
    });
  }

  /** Only call from a user action (a run, a picker): the first use may show VS Code's consent dialog. */
  get(selector: LmSelector): Promise<LmChat> {
    const key = JSON.stringify([selector.vendor ?? '', selector.family ?? '', selector.id ?? '']);
    let found = this.chosen.get(key);
    if (!found) {
      found = selectLmChat(this.api, selector);
      this.chosen.set(key, found);
      found.catch(() => this.chosen.delete(key));
    }
    return found;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

export class LmApiChatModel implements ChatModel {
  readonly provider = 'vscode-lm';
  readonly model: string;
  readonly cacheIdentity: string;

  constructor(
    private readonly api: LmApi,
    private readonly chat: LmChat,
  ) {
    // "copilot:gpt-4o": not an API price-list name on purpose; a subscription model is priced only by its profile.
    this.model = `${chat.vendor}:${chat.family || chat.id}`;
    this.cacheIdentity = `vscode-lm ${chat.vendor} ${chat.id}`;
  }

  async complete(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const started = performance.now();
    const n = Math.max(1, request.n ?? 1);
    // The API has user and assistant messages only: a system message goes first as user text.
    const messages = request.messages.map((m) => (m.role === 'assistant' ? this.api.assistantMessage(m.content) : this.api.userMessage(m.content)));
    const source = this.api.cancellationSource();
    const onAbort = () => source.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) source.cancel();
    try {
      if (source.token.isCancellationRequested) throw new ModelError('cancelled', 'The request was cancelled');
      const modelOptions = request.temperature === undefined ? undefined : { temperature: request.temperature };
      const choices = await Promise.all(Array.from({ length: n }, (_, i) => this.sendOne(messages, modelOptions, source.token, i === 0 ? options.onText : undefined, request.stop)));
      const promptOnce = await this.countAll(request.messages.map((m) => m.content), source.token);
      const completion = await this.countAll(choices, source.token);
      return {
        choices,
        usage: { promptTokens: promptOnce * n, completionTokens: completion, estimated: false },
        usageSource: 'counted',
        model: this.model,
        latencyMs: performance.now() - started,
        requests: n,
      };
    } catch (err) {
      throw lmError(this.api, err, `the language model "${this.chat.name}"`, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      source.dispose();
    }
  }

  private async sendOne(messages: unknown[], modelOptions: Record<string, unknown> | undefined, token: vscode.CancellationToken, onText: ((t: string) => void) | undefined, stop: string[] | undefined): Promise<string> {
    const response = await this.chat.sendRequest(messages, { justification: LM_JUSTIFICATION, modelOptions }, token);
    let text = '';
    for await (const part of response.text) {
      if (token.isCancellationRequested) throw new ModelError('cancelled', 'The request was cancelled');
      text += part;
      onText?.(text);
    }
    if (token.isCancellationRequested) throw new ModelError('cancelled', 'The request was cancelled');
    return cutAtStop(text, stop);
  }

  private async countAll(texts: string[], token: vscode.CancellationToken): Promise<number> {
    const counts = await Promise.all(texts.map((t) => (t ? this.chat.countTokens(t, token) : 0)));
    return counts.reduce((a, b) => a + b, 0);
  }
}

/** The API has no stop sequences: cut the text at the first one, as a server would. */
function cutAtStop(text: string, stop: string[] | undefined): string {
  let end = text.length;
  for (const s of stop ?? []) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0) end = Math.min(end, at);
  }
  return text.slice(0, end);
}
