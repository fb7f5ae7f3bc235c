// The Algorithm-of-Thoughts prompt (Sel et al., 2024). The prompt is the method: rules of thumb first,
// then worked examples in which one generation searches depth first. As the paper describes it for
// Game of 24: results that are negative or fractional are avoided and the numbers left are kept in
// descending order; with two numbers left, all four operations are tried at once (the quick pair
// checks); the most promising first operations are tried first and, under each, every pair of the
// numbers left with every operation on the last two; a dead end goes back to the next promising
// first operation; and once 24 is reached the search retraces the steps that led there before it
// answers. Wording and examples are Thoughtscope's own (templates/aot/: the task's search prompt, and the
// trace format, trace-rules, which aot/searchTrace.ts reads and both search prompts include).

import type { Task } from '../../tasks/types';
import { withParts } from '../../templates/library';
import type { RenderedPrompt } from '../../templates/types';

function normalizeNumbers(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

/** The whole prompt for one search over `input`: the task's search template (aot/game24, aot/generic) with the trace rules. */
export function aotPrompt(task: Task, input: string): RenderedPrompt {
  const rules = task.render(undefined, 'aot/trace-rules', {});
  return withParts(task.render('aot', 'aot/generic', { input, numbers: normalizeNumbers(input), traceRules: rules.text }), rules);
}
