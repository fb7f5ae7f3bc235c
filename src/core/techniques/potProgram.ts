// Program of Thoughts text handling: the prompts that ask for a program and for a repair, reading
// the program out of a reply, and reading the answer out of an execution.
import type { ChatMessage } from '../model/types';
import type { Task } from '../tasks/types';
import type { RenderedPrompt, TemplateUse } from '../templates/types';
import { fencedBlock, findFencedBlocks } from '../sandbox/codeBlocks';
import type { ExecutionResult, ProgramLanguage } from '../sandbox/types';

const FENCE_TAGS: Record<ProgramLanguage, string[]> = { python: ['python', 'py', 'python3'], javascript: ['javascript', 'js'] };

/** The program prompt: the task file's potPython / potJavascript template, else pot/python or pot/javascript. */
export function programPrompt(task: Task, language: ProgramLanguage, question: string): RenderedPrompt {
  return task.render(language === 'python' ? 'potPython' : 'potJavascript', `pot/${language}`, { input: question });
}

/** The conversation for a repair: the original request, the failed program, and what went wrong (pot/repair). */
export function repairMessages(task: Task, language: ProgramLanguage, question: string, code: string, problem: string): { messages: ChatMessage[]; templates: TemplateUse[] } {
  const first = programPrompt(task, language, question);
  const repair = task.render(undefined, 'pot/repair', { input: question, problem, fence: FENCE_TAGS[language][0] });
  return {
    messages: [
      { role: 'user', content: first.text },
      { role: 'assistant', content: fenced(language, code) },
      { role: 'user', content: repair.text },
    ],
    templates: [...first.templates, ...repair.templates],
  };
}

/** The program as a fenced block; the fence is longer than any backticks in the code. */
export function fenced(language: ProgramLanguage, code: string): string {
  return fencedBlock(FENCE_TAGS[language][0], code);
}

/** The program in a reply: the first fenced block tagged with the language, else the first fenced block, else the reply. */
export function extractProgram(reply: string, language: ProgramLanguage): string {
  // Whole fenced blocks first (they honour longer fences around code that contains ```), then
  // looser fences: mid-line, or never closed (a reply cut off at the token limit).
  const whole = findFencedBlocks(reply);
  const blocks = whole.length > 0 ? whole : [...reply.matchAll(/```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g)].map((m) => ({ tag: m[1].toLowerCase(), code: m[2] }));
  const tagged = blocks.find((b) => FENCE_TAGS[language].includes(b.tag));
  const chosen = tagged ?? blocks[0];
  return (chosen ? chosen.code : reply).replace(/\s+$/, '');
}

/** The answer an execution produced: its answer variable (Python: result, answer or ans), else the last non-empty line it printed. */
export function executionAnswer(result: ExecutionResult): string | undefined {
  if (!result.ok) return undefined;
  if (result.result !== undefined && result.result.trim() !== '') return result.result.trim();
  const lines = result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 0 ? lines[lines.length - 1] : undefined;
}

/** What to tell the model when a program ran but gave no answer, or failed. */
export function problemOf(result: ExecutionResult): string | undefined {
  if (!result.ok) {
    const out = result.stdout.trim() ? `\nIts output before the error:\n${tail(result.stdout, 1000)}` : '';
    return `${result.error ?? 'The program failed.'}${out}`;
  }
  if (executionAnswer(result) === undefined) return 'The program ran without printing anything and set no answer variable (ans).';
  return undefined;
}

/** The text of an execution node: result, output and error, each cut to a readable size. */
export function executionText(result: ExecutionResult): string {
  const parts: string[] = [];
  if (result.result !== undefined) parts.push(`result: ${result.result}`);
  if (result.stdout.trim()) parts.push(`stdout:\n${tail(result.stdout, 4000)}`);
  if (result.stderr.trim()) parts.push(`stderr:\n${tail(result.stderr, 2000)}`);
  if (result.error) parts.push(`error: ${result.error}`);
  if (parts.length === 0) parts.push('(no output)');
  return parts.join('\n');
}

function tail(text: string, max: number): string {
  const trimmed = text.replace(/\s+$/, '');
  return trimmed.length > max ? `…${trimmed.slice(trimmed.length - max)}` : trimmed;
}

/** Votes of self-consistency: equal answers count together (numbers compare by value). */
export function voteKey(answer: string): string {
  const flat = answer.trim().replace(/\s+/g, ' ');
  const digits = flat.replace(/,/g, '');
  // Whole numbers compare exactly (they may be far past 2^53); decimals by value, so 4.0 equals 4.
  if (/^-?\d+$/.test(digits)) return BigInt(digits).toString();
  const number = Number(digits);
  return /^-?\d*\.\d+(e-?\d+)?$/i.test(digits) && Number.isFinite(number) ? String(number) : flat;
}
