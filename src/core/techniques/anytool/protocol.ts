// How the solver's tool calls are read: the server's function calling where it has one, and for
// servers without it a text protocol, "CALL <tool> <JSON arguments>" on a line of its own. Replies
// end with "FINAL ANSWER: ..." or "GIVE UP: <why>".
import type { ChatResponse, ToolSpec } from '../../model/types';
import type { Task } from '../../tasks/types';
import type { RenderedPrompt } from '../../templates/types';
import type { CatalogTool } from './catalog';

export interface RequestedCall {
  name: string;
  arguments: string;
}

export type SolverStep = { kind: 'calls'; calls: RequestedCall[] } | { kind: 'answer'; answer: string } | { kind: 'giveUp'; reason: string };

export function toolSpecs(tools: readonly CatalogTool[]): ToolSpec[] {
  return tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
}

/** Tools as templates see them: name, description and the arguments schema as JSON. */
export function describeTools(tools: ReadonlyArray<Pick<CatalogTool, 'name' | 'description' | 'parameters'>>): Array<{ name: string; description: string; schema: string }> {
  return tools.map((t) => ({ name: t.name, description: t.description, schema: JSON.stringify(t.parameters) }));
}

/** anytool/text-protocol: the tools and their argument schemas, and how to call one with a CALL line (read by parseTextCalls). */
export function textProtocolRules(task: Task, tools: ReadonlyArray<Pick<CatalogTool, 'name' | 'description' | 'parameters'>>): RenderedPrompt {
  return task.render(undefined, 'anytool/text-protocol', { tools: describeTools(tools) });
}

/** The JSON object starting at `from` (balanced braces, strings respected), or the rest of the text. */
function jsonObjectAt(text: string, from: number): string {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(from, i + 1);
  }
  return text.slice(from);
}

export function parseTextCalls(text: string): RequestedCall[] {
  const calls: RequestedCall[] = [];
  const pattern = /^[ \t>*`]*CALL[ \t]+([A-Za-z0-9_-]+)[ \t]*/gm;
  let m: RegExpExecArray | null;
  while ((m = pattern.exec(text))) {
    const start = m.index + m[0].length;
    calls.push({ name: m[1], arguments: text[start] === '{' ? jsonObjectAt(text, start) : text.slice(start).split('\n')[0].trim() });
  }
  return calls;
}

/** What the solver asked for: native tool calls first, then text-protocol calls, then an answer or a give-up. */
export function readSolverStep(response: ChatResponse): SolverStep {
  if (response.toolCalls?.length) return { kind: 'calls', calls: response.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })) };
  const text = response.choices[0] ?? '';
  const calls = parseTextCalls(text);
  if (calls.length) return { kind: 'calls', calls };
  const giveUp = /GIVE UP:?\s*([\s\S]*)$/i.exec(text);
  if (giveUp) return { kind: 'giveUp', reason: giveUp[1].trim() || 'the solver gave up' };
  const final = /FINAL ANSWER:?\s*([\s\S]*)$/i.exec(text);
  const answer = (final ? final[1] : text).trim();
  return answer ? { kind: 'answer', answer } : { kind: 'giveUp', reason: 'the solver replied with nothing' };
}
