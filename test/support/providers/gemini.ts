// Google Gemini's OpenAI-compatible endpoint (https://generativelanguage.googleapis.com/v1beta/openai/),
// as documented at https://ai.google.dev/gemini-api/docs/openai : the key as a Bearer token;
// reasoning_effort maps to a thinking budget and takes low, medium and high ("none" turns thinking
// off where the model allows it); other values, and fields the endpoint does not know, are refused
// with HTTP 400 in the form Google's APIs use, a JSON list: [{ "error": { "code": 400, "message",
// "status": "INVALID_ARGUMENT" } }].
import { completion, promptText, tokens, type ProviderHandler, type ProviderReply } from './harness';

const KNOWN = new Set(['model', 'messages', 'temperature', 'top_p', 'n', 'stop', 'max_tokens', 'max_completion_tokens', 'reasoning_effort', 'seed', 'stream', 'stream_options', 'tools', 'tool_choice', 'response_format', 'presence_penalty', 'frequency_penalty']);

function invalid(message: string): ProviderReply {
  return { status: 400, body: [{ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }] };
}

export function geminiHandler(options: { key: string; answer: string }): ProviderHandler {
  return (req) => {
    if (req.headers.authorization !== `Bearer ${options.key}`) return { status: 400, body: [{ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }] };
    for (const field of Object.keys(req.body)) if (!KNOWN.has(field)) return invalid(`Invalid JSON payload received. Unknown name "${field}": Cannot find field.`);
    const effort = req.body.reasoning_effort;
    if (effort !== undefined && !['none', 'low', 'medium', 'high'].includes(effort)) return invalid(`Invalid value at 'reasoning_effort' (${effort}): expected one of none, low, medium, high.`);
    const prompt = promptText(req.body);
    const n = req.body.n ?? 1;
    return completion(req.body.model, Array.from({ length: n }, () => ({ content: options.answer })), { prompt_tokens: tokens(prompt), completion_tokens: tokens(options.answer) * n, total_tokens: tokens(prompt) + tokens(options.answer) * n });
  };
}
