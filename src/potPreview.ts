// The inline PoT preview's text, from a finished run's graph. No vscode import: unit-tested under Node.
import type { ThoughtGraph } from './core/graph/thoughtGraph';
import { fenced } from './core/techniques/potProgram';

/** The block put under the selection: the program, then what it printed and its result. */
export function previewBlock(language: string, code: string, output: string, answer: string): string {
  const printed = output.trim() ? `\n\`\`\`text\n${output.replace(/\n+$/, '')}\n\`\`\`` : '';
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
