// Reasoning kept apart from the answer. Servers return a model's reasoning three ways: a field of its
// own (`reasoning_content`: DeepSeek, vLLM's reasoning parsers; `reasoning`: Ollama, OpenRouter, newer
// vLLM), or inside the content between <think> and </think> (open models served without a parser).
// Only the answer goes on to answer parsing, voting and judging; the reasoning is kept for the inspector.

export interface SplitText {
  answer: string;
  reasoning: string;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Split `<think>…</think>` off the front of a content. Also handles the two ways the tags come
 * incomplete: a chat template that already opened the block (the content starts inside it and only
 * `</think>` appears), and an answer cut off while still thinking (`<think>` never closed: all of it
 * is reasoning, the answer is empty). Tags anywhere else in the text are left alone.
 */
export function splitThinking(content: string): SplitText {
  const lead = content.length - content.trimStart().length;
  if (content.startsWith(OPEN, lead)) {
    const close = content.indexOf(CLOSE, lead + OPEN.length);
    if (close < 0) return { answer: '', reasoning: content.slice(lead + OPEN.length).trim() };
    return { answer: content.slice(close + CLOSE.length).trimStart(), reasoning: content.slice(lead + OPEN.length, close).trim() };
  }
  const close = content.indexOf(CLOSE);
  if (close >= 0 && !content.slice(0, close).includes(OPEN)) {
    return { answer: content.slice(close + CLOSE.length).trimStart(), reasoning: content.slice(0, close).trim() };
  }
  return { answer: content, reasoning: '' };
}

/** The reasoning of one message or delta, from whichever field the server uses ('' when none is text). */
export function reasoningField(message: unknown): string {
  if (!message || typeof message !== 'object') return '';
  const m = message as { reasoning_content?: unknown; reasoning?: unknown };
  if (typeof m.reasoning_content === 'string') return m.reasoning_content;
  if (typeof m.reasoning === 'string') return m.reasoning;
  return '';
}

/** A reasoning field and the <think> part of the content, joined (a server rarely sends both). */
export function joinReasoning(field: string, fromContent: string): string {
  return [field.trim(), fromContent].filter(Boolean).join('\n\n');
}
