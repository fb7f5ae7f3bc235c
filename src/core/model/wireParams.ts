// Which request parameters a model takes. Reasoning models (OpenAI's o-series and gpt-5 family) refuse
// `max_tokens` (they want `max_completion_tokens`), a temperature other than the default, `top_p` and
// `stop`, with HTTP 400 naming the parameter; other servers ignore some parameters silently (Anthropic's
// OpenAI-compatible endpoint: seed, reasoning_effort; DeepSeek's reasoner: temperature, top_p).
// Families known up front are fitted before sending; for any other model a 400 naming a parameter
// is recognised here and run/paramFit.ts retries without it and remembers that.
import type { ChatRequest, DroppedParam, WireParam } from './types';

const WIRE_PARAMS: readonly WireParam[] = ['temperature', 'top_p', 'stop', 'max_tokens', 'reasoning_effort', 'seed', 'n'];

/** The model name without a router's provider prefix ("openai/o4-mini" → "o4-mini"), lower case. */
function bareName(model: string): string {
  return model.toLowerCase().replace(/^.*\//, '');
}

/** OpenAI's reasoning models: o1, o3, o4-mini …, and the gpt-5 family except its chat (non-reasoning) variant. */
export function isOpenAIReasoningModel(model: string): boolean {
  const name = bareName(model);
  return /^o\d+(-|$)/.test(name) || (/^gpt-5/.test(name) && !/^gpt-5[.\d]*-chat/.test(name));
}

/** What a family is known to refuse or ignore, before anything is sent. */
export function familyRefuses(model: string): Set<WireParam> {
  const name = bareName(model);
  // https://platform.openai.com/docs/guides/reasoning: max_completion_tokens; sampling parameters refused.
  if (isOpenAIReasoningModel(name)) return new Set(['max_tokens', 'temperature', 'top_p', 'stop']);
  // OpenAI's chat models before the reasoning families refuse reasoning_effort.
  if (/^(gpt-4|gpt-3\.5|gpt-5[.\d]*-chat)/.test(name)) return new Set(['reasoning_effort']);
  // https://api-docs.deepseek.com/guides/reasoning_model: temperature and top_p are accepted and have no effect.
  if (/^deepseek-reasoner/.test(name)) return new Set(['temperature', 'top_p']);
  // https://docs.anthropic.com/en/api/openai-sdk: seed and reasoning_effort ignored; n must be exactly 1.
  if (/^claude-/.test(name)) return new Set(['seed', 'reasoning_effort', 'n']);
  return new Set();
}

/** What leaving a parameter out means for the run, for its note. */
const CONSEQUENCES: Record<WireParam, string> = {
  temperature: "sampled at the model's default",
  top_p: "sampled at the model's default",
  stop: 'the text is cut at the stop sequences after it arrives',
  max_tokens: 'sent as max_completion_tokens',
  reasoning_effort: "the model's own default effort applies",
  seed: 'calls are not reproducible by seed',
  n: 'the choices are sent as separate requests',
};

/** The request's value of a wire parameter, undefined when the request does not set it. */
function valueOf(request: ChatRequest, param: WireParam): unknown {
  switch (param) {
    case 'temperature':
      return request.temperature;
    case 'top_p':
      return request.topP;
    case 'stop':
      return request.stop?.length ? request.stop : undefined;
    case 'max_tokens':
      return request.maxTokensParam === 'max_completion_tokens' ? undefined : request.maxTokens;
    case 'reasoning_effort':
      return request.reasoningEffort;
    case 'seed':
      return request.seed;
    case 'n':
      return request.n && request.n > 1 ? request.n : undefined;
  }
}

/** Whether the request as sent carries `param` (a retry without it is worth making). */
export function carries(request: ChatRequest, param: WireParam): boolean {
  return valueOf(request, param) !== undefined;
}

/**
 * The request without the parameters `model` refuses, and what was left out. `max_tokens` is renamed,
 * not dropped; `n` is left to the Run's top-up; a temperature of 1 (the reasoning models' default) is
 * no loss; none of these three becomes a note.
 */
export function fitRequest(request: ChatRequest, model: string, refused: ReadonlySet<WireParam>): { request: ChatRequest; dropped: DroppedParam[] } {
  const sent: ChatRequest = { ...request };
  const dropped: DroppedParam[] = [];
  for (const param of refused) {
    const value = valueOf(sent, param);
    if (value === undefined) continue;
    if (param === 'max_tokens') {
      sent.maxTokensParam = 'max_completion_tokens';
      continue;
    }
    if (param === 'temperature') delete sent.temperature;
    else if (param === 'top_p') delete sent.topP;
    else if (param === 'stop') delete sent.stop;
    else if (param === 'reasoning_effort') delete sent.reasoningEffort;
    else if (param === 'seed') delete sent.seed;
    else if (param === 'n') delete sent.n;
    const silent = param === 'n' || (param === 'temperature' && value === 1);
    if (!silent) dropped.push({ param, value, note: droppedNote(param, model) });
  }
  return { request: sent, dropped };
}

export function droppedNote(param: WireParam, model: string): string {
  return `${param} not supported by ${model}: ${CONSEQUENCES[param]}`;
}

/** Each choice cut at the first stop sequence, as the server would have cut it. */
export function cutAtStop(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const s of stop) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

const MESSAGE_PATTERNS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  // OpenAI, Azure OpenAI: "Unsupported parameter: 'max_tokens' is not supported with this model."
  [/Unsupported (?:parameter|value): '([a-z_]+)'/i, (m) => m[1]],
  // OpenAI's older wording.
  [/Unrecognized request argument supplied: ([a-z_]+)/i, (m) => m[1]],
  // Google's APIs: 'Invalid JSON payload received. Unknown name "seed": Cannot find field.'
  [/Unknown name \\?"([a-z_]+)\\?"/i, (m) => m[1]],
  // Ollama: '"llama3.2" does not support thinking' when reasoning_effort asks a model without it to think.
  [/does not support thinking/i, () => 'reasoning_effort'],
  // Anthropic's OpenAI-compatible endpoint: n must be exactly 1.
  [/\bn\b[^.]*\bexactly 1\b/i, () => 'n'],
  // Otherwise a refusal that quotes one of our parameters: 'Invalid value at \'reasoning_effort\' (minimal)'.
  [/(?:invalid|unsupported|unknown|not supported)[^'"]*['"\\]+([a-z_]+)['"\\]/i, (m) => m[1]],
];

/**
 * The request parameter a 400 error names as not taken, if it names one of ours: the error body's
 * `param` field (OpenAI), else its message.
 */
export function unsupportedParamIn(param: unknown, message: string): WireParam | undefined {
  const named = typeof param === 'string' ? param : undefined;
  if (named && (WIRE_PARAMS as readonly string[]).includes(named) && /unsupported|not supported|unrecognized|does not support/i.test(message)) return named as WireParam;
  for (const [pattern, pick] of MESSAGE_PATTERNS) {
    const m = pattern.exec(message);
    if (!m) continue;
    const found = pick(m);
    if ((WIRE_PARAMS as readonly string[]).includes(found)) return found as WireParam;
  }
  return undefined;
}
