// A /v1/chat/completions request body read into what a run needs: the technique and model from
// `model`, the input from the messages, and the run's parameters from the `thoughtscope` object.
// Everything a client may get wrong becomes a ServeError naming the field (OpenAI's `param`).
import type { Budget } from '../run/budget';
import { taskIds } from '../tasks/registry';
import type { Task } from '../tasks/types';
import type { ParamSpec } from '../techniques/params';
import type { Technique } from '../techniques/types';
import { badRequest } from './errors';
import { parseModelName } from './modelNames';

/** What the server was started with; a request may tighten the budget, never loosen it. */
export interface ServeDefaults {
  task: string;
  /** Tasks the server offers besides the built-in ones (a --task file), by id. */
  tasks?: ReadonlyMap<string, Task>;
  /** Parameters set at start (`--param`), by technique id. */
  params: Record<string, Record<string, unknown>>;
  budget: Budget;
}

export interface ChatCall {
  /** The model name as the client sent it, echoed in the response. */
  model: string;
  technique: Technique;
  /** Profile or upstream model name; '' for the server's default model. */
  target: string;
  input: string;
  params: Record<string, unknown>;
  task: string;
  budget: Budget;
  stream: boolean;
  includeUsage: boolean;
}

/** Keys of the `thoughtscope` object that are not technique parameters. */
const OWN_KEYS = new Set(['params', 'task', 'input', 'maxCalls', 'maxTokens', 'maxUsd']);

/**
 * Parameters that name files or folders on the server (examples, principles, tool catalogs, a GoT
 * graph, rag's root): a client could otherwise have the server read any file it can and send it to
 * the model. They are set when the server starts (`--param`), never by a request.
 */
export function namesServerFile(spec: ParamSpec): boolean {
  return spec.restricted === true || /file$/i.test(spec.name) || spec.name === 'root';
}

export function parseChatCall(body: unknown, techniques: readonly Technique[], defaults: ServeDefaults): ChatCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const { technique, target } = parseModelName(b.model, techniques);
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw badRequest(`n must be 1: a technique gives one answer per request, got ${JSON.stringify(b.n)}.`, 'n', 'invalid_value');
  if (Array.isArray(b.tools) && b.tools.length > 0) throw badRequest('tools are not supported: Thoughtscope answers with text (the anytool technique has tools of its own).', 'tools', 'unsupported_parameter');
  const format = (b.response_format as { type?: unknown } | undefined)?.type;
  if (format !== undefined && format !== 'text') throw badRequest(`response_format ${JSON.stringify(format)} is not supported: answers are text.`, 'response_format', 'unsupported_parameter');
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw badRequest('stream must be true or false.', 'stream', 'invalid_type');

  const own = readOwnObject(b.thoughtscope);
  const fromRequest = requestParams(own, technique);
  const params = { ...defaults.params[technique.id], ...fromRequest };
  // The request's temperature goes to the technique when the thoughtscope object does not set one.
  const temperature = b.temperature;
  if (typeof temperature === 'number' && !('temperature' in fromRequest) && technique.params.some((p) => p.name === 'temperature')) params.temperature = temperature;

  const task = own.task === undefined ? defaults.task : own.task;
  const known = [...(defaults.tasks?.keys() ?? []), ...taskIds()];
  if (typeof task !== 'string' || !known.includes(task)) throw badRequest(`thoughtscope.task must be one of ${known.join(', ')}, got ${JSON.stringify(task)}.`, 'thoughtscope.task', 'invalid_value');
  const mode = own.input ?? 'last';
  if (mode !== 'last' && mode !== 'conversation') throw badRequest(`thoughtscope.input must be "last" (the last user message) or "conversation" (every message), got ${JSON.stringify(mode)}.`, 'thoughtscope.input', 'invalid_value');

  return {
    model: b.model as string,
    technique,
    target,
    input: inputOf(b.messages, mode),
    params,
    task,
    budget: tighter(defaults.budget, own),
    stream: b.stream === true,
    includeUsage: b.stream === true && (b.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
  };
}

function readOwnObject(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('thoughtscope must be an object of run options and technique parameters, e.g. {"breadth": 3, "task": "game24"}.', 'thoughtscope', 'invalid_type');
  return raw as Record<string, unknown>;
}

/** Technique parameters from `thoughtscope.params` and the object's other keys; file parameters refused. */
function requestParams(own: Record<string, unknown>, technique: Technique): Record<string, unknown> {
  const nested = own.params;
  if (nested !== undefined && (typeof nested !== 'object' || nested === null || Array.isArray(nested))) throw badRequest('thoughtscope.params must be an object of technique parameters.', 'thoughtscope.params', 'invalid_type');
  const params: Record<string, unknown> = { ...(nested as Record<string, unknown> | undefined) };
  for (const [key, value] of Object.entries(own)) if (!OWN_KEYS.has(key)) params[key] = value;
  for (const name of Object.keys(params)) {
    const spec = technique.params.find((p) => p.name === name);
    if (spec && namesServerFile(spec)) {
      throw badRequest(`thoughtscope.${name} names a file or folder on the server and cannot be set by a request; start the server with --param ${name}=<path>.`, `thoughtscope.${name}`, 'unsupported_parameter');
    }
  }
  return params;
}

function tighter(base: Budget, own: Record<string, unknown>): Budget {
  const budget: Budget = { ...base };
  for (const key of ['maxCalls', 'maxTokens', 'maxUsd'] as const) {
    const value = own[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw badRequest(`thoughtscope.${key} must be a number above 0.`, `thoughtscope.${key}`, 'invalid_value');
    budget[key] = base[key] === undefined ? value : Math.min(base[key]!, value);
  }
  return budget;
}

interface Message {
  role: string;
  text: string;
}

/** The input of the run: the last user message's text, or the whole conversation as labelled turns. */
function inputOf(raw: unknown, mode: 'last' | 'conversation'): string {
  if (raw === undefined) throw badRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest('messages must be a non-empty array of {role, content} objects.', 'messages', 'invalid_type');
  const messages = raw.map((m, i) => readMessage(m, i));
  if (mode === 'conversation') return messages.map((m) => `[${m.role}]\n${m.text}`).join('\n\n');
  const last = [...messages].reverse().find((m) => m.role === 'user');
  if (!last) throw badRequest('messages has no user message: the last user message is the question.', 'messages', 'invalid_value');
  if (last.text.trim() === '') throw badRequest('The last user message is empty.', 'messages', 'invalid_value');
  return last.text;
}

function readMessage(raw: unknown, i: number): Message {
  const m = raw as { role?: unknown; content?: unknown } | null;
  if (!m || typeof m !== 'object' || typeof m.role !== 'string') throw badRequest(`messages[${i}] must be an object with a string role.`, `messages[${i}].role`, 'invalid_type');
  const content = m.content;
  if (typeof content === 'string') return { role: m.role, text: content };
  if (content === null || content === undefined) return { role: m.role, text: '' };
  if (!Array.isArray(content)) throw badRequest(`messages[${i}].content must be a string or an array of text parts.`, `messages[${i}].content`, 'invalid_type');
  const parts = content.map((part, j) => {
    const p = part as { type?: unknown; text?: unknown } | null;
    if (!p || p.type !== 'text' || typeof p.text !== 'string') {
      throw badRequest(`messages[${i}].content[${j}] is not a text part: only text is supported (type "text").`, `messages[${i}].content[${j}]`, 'unsupported_content');
    }
    return p.text;
  });
  return { role: m.role, text: parts.join('\n') };
}
