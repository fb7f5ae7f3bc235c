// Reading a chat completion (whole or streamed) from an untrusted server into checked parts: choices
// that are text, no more of them than were asked for, usage that passes readUsage, and notes saying
// what was refused or cut. An answer with no choices is an error, never an empty success.
import type OpenAI from 'openai';
import { truncatedChars, truncationMark } from './jsonStringCap';
import { joinReasoning, reasoningField, splitThinking } from './reasoningText';
import { readUsage, type ReportedUsage } from './usage';
import { ModelError, type ToolCall } from './types';

export interface CompletionParts {
  /** The answers, reasoning removed. */
  choices: string[];
  /** The reasoning of each choice ('' where none). */
  reasoning: string[];
  usage: ReportedUsage;
  model: string | undefined;
  toolCalls?: ToolCall[];
  /** Characters cut from the choices (each kept up to the text cap). */
  droppedChars: number;
}

/** A non-streamed completion. `wanted` is the n asked for: extra choices are not kept. */
export function readWholeCompletion(completion: unknown, wanted: number, where: string): CompletionParts {
  const body = completion as OpenAI.ChatCompletion | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.choices)) {
    throw new ModelError('bad-response', `${where} answered without choices: is this an OpenAI-compatible /chat/completions endpoint?`);
  }
  if (body.choices.length === 0) throw new ModelError('bad-response', `${where} answered with no choices (an empty "choices" list), so there is no answer`);
  const sorted = body.choices
    .filter((c): c is OpenAI.ChatCompletion.Choice => typeof c === 'object' && c !== null)
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
    .slice(0, wanted);
  if (sorted.length === 0) throw new ModelError('bad-response', `${where} answered with choices that are not objects`);
  const split = sorted.map((c) => splitThinking(textOf(c.message?.content, where)));
  const reasoning = sorted.map((c, i) => joinReasoning(textOf(reasoningField(c.message), where), split[i].reasoning));
  const choices = split.map((p) => p.answer);
  return {
    choices,
    reasoning,
    usage: readUsage(body.usage),
    model: typeof body.model === 'string' && body.model ? body.model : undefined,
    toolCalls: toolCallsOf(sorted[0]?.message),
    droppedChars: [...choices, ...reasoning].reduce((sum, c) => sum + truncatedChars(c), 0),
  };
}

/** What a stream delivered so far, per choice: kept when the stream is cancelled, since it was paid for. */
export class StreamProgress {
  readonly texts: string[] = [];
  readonly reasoning: string[] = [];
  usage: ReportedUsage = { kind: 'none' };
}

/** A stream that ended before its answer did: retried like a server error, its text so far kept with the error. */
export class IncompleteStreamError extends ModelError {
  constructor(where: string, unfinished: readonly number[]) {
    super('server', `${where} ended its stream before the answer was complete (no finish_reason for choice ${unfinished.join(', ')} and no usage): the connection may have dropped (a server that never sends them: run without --stream, or set thoughtscope.stream to false)`);
    this.name = 'IncompleteStreamError';
  }
}

/** A streamed completion: deltas joined per choice, each kept up to `maxChars`; an out-of-range index is refused. */
export async function readStreamedCompletion(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
  wanted: number,
  maxChars: number,
  where: string,
  onText?: (textSoFar: string, reasoningSoFar: string) => void,
  progress = new StreamProgress(),
): Promise<CompletionParts> {
  const { texts, reasoning } = progress;
  const dropped: number[] = [];
  const finished: boolean[] = [];
  let model: string | undefined;
  for await (const chunk of stream) {
    if (typeof chunk?.model === 'string' && chunk.model) model = chunk.model;
    for (const choice of Array.isArray(chunk?.choices) ? chunk.choices : []) {
      const index = choice?.index;
      if (!Number.isInteger(index) || index < 0 || index >= wanted) {
        throw new ModelError('bad-response', `${where} streamed a choice with index ${JSON.stringify(index)} for a request of ${wanted} choice${wanted === 1 ? '' : 's'}`);
      }
      const content = appendCapped(texts[index] ?? '', textOf(choice.delta?.content, where), maxChars);
      const thought = appendCapped(reasoning[index] ?? '', textOf(reasoningField(choice.delta), where), maxChars);
      if (content.dropped + thought.dropped > 0) dropped[index] = (dropped[index] ?? 0) + content.dropped + thought.dropped;
      texts[index] = content.text;
      reasoning[index] = thought.text;
      if (index === 0) onText?.(texts[0], reasoning[0]);
      if (typeof choice.finish_reason === 'string' && choice.finish_reason) finished[index] = true;
    }
    if (chunk?.usage) progress.usage = readUsage(chunk.usage);
  }
  if (texts.length === 0) {
    throw new ModelError('bad-response', `${where} streamed no choices: it may not support streaming (run without --stream, or set thoughtscope.stream to false)`);
  }
  // A complete stream ends each choice with a finish_reason, then (include_usage) the usage. The SDK ends
  // quietly when the connection drops without [DONE], so a stream with neither was cut off.
  const unfinished = Array.from(texts, (_, i) => i).filter((i) => !finished[i]);
  if (unfinished.length > 0 && progress.usage.kind === 'none') throw new IncompleteStreamError(where, unfinished);
  const split = Array.from(texts, (t) => splitThinking(t ?? ''));
  const choices = split.map((p, i) => (dropped[i] ? `${p.answer}${truncationMark(dropped[i])}` : p.answer));
  const thoughts = split.map((p, i) => joinReasoning(reasoning[i] ?? '', p.reasoning));
  return { choices, reasoning: thoughts, usage: progress.usage, model, droppedChars: dropped.reduce((s, d) => s + (d ?? 0), 0) };
}

/** `piece` added to `sofar`, kept up to `maxChars` in all (a piece the body guard already cut loses its mark here). */
function appendCapped(sofar: string, piece: string, maxChars: number): { text: string; dropped: number } {
  const cut = truncatedChars(piece);
  if (cut > 0) piece = piece.slice(0, piece.length - truncationMark(cut).length);
  const room = Math.max(0, maxChars - sofar.length);
  const over = Math.max(0, piece.length - room);
  return { text: over > 0 ? sofar + piece.slice(0, room) : sofar + piece, dropped: cut + over };
}

function textOf(content: unknown, where: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content !== 'string') throw new ModelError('bad-response', `${where} sent a message whose content is ${Array.isArray(content) ? 'a list' : typeof content}, not text`);
  return content;
}

/** The function calls of one message (streamed responses carry none: tool callers do not stream). */
function toolCallsOf(message: OpenAI.ChatCompletionMessage | undefined): ToolCall[] | undefined {
  const calls = message?.tool_calls;
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.flatMap((c, i) => (c.type === 'function' && c.function ? [{ id: c.id || `call_${i}`, name: String(c.function.name ?? ''), arguments: String(c.function.arguments ?? '') }] : []));
}
