// The inline PoT preview's text, from a finished run's graph. No vscode import: unit-tested under Node.
import type { ThoughtGraph } from '../core/graph/thoughtGraph';
import { fencedBlock } from '../core/sandbox/codeBlocks';
import { fenced } from '../core/techniques/potProgram';

/** The block put under the selection: the program, then what it printed and its result. */
export function previewBlock(language: string, code: string, output: string, answer: string): string {
  // Fences longer than any backticks inside, so a program or output containing ``` cannot end them.
  const printed = output.trim() ? `\n${fencedBlock('text', output)}` : '';
  return `\n${fenced(language === 'javascript' ? 'javascript' : 'python', code)}${printed}\nResult: ${answer}\n`;
}

/** The answer's execution and program: the chain that produced the run's answer. */
export function answerChain(graph: ThoughtGraph, answerNodeId: string): { code: string; language: string; output: string } | undefined {
  const execution = graph.edges().find((e) => e.to === answerNodeId && graph.get(e.from).kind === 'execution')?.from;
  if (!execution) return undefined;
  const program = graph.parentsOf(execution).map((id) => graph.get(id)).find((n) => n.kind === 'program');
  if (!program) return undefined;
  const text = graph.get(execution).text;
  const stdout = /(?:^|\n)stdout:\n([\s\S]*?)(?:\nstderr:|\nerror:|$)/.exec(text)?.[1] ?? '';
  return { code: program.text, language: String(program.meta?.language ?? 'python'), output: stdout };
}
