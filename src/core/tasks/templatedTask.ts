// What every kind of task shares: its task file, the library its templates come from, rendering a slot
// with the task's own variables, and reading the final answer as the file's `answer` section says.
import { TemplateLibrary, withParts } from '../templates/library';
import type { RenderedPrompt } from '../templates/types';
import { extractFinalAnswer } from './answer';
import type { LoadedTaskFile, TaskSpec, TemplateSlot } from './spec';
import type { Task } from './types';

export abstract class TemplatedTask {
  readonly id: string;
  readonly description: string;
  readonly defaultSteps: number;
  readonly spec: TaskSpec;
  readonly file: string;
  private readonly answerPattern: RegExp | undefined;
  private readonly answerStrip: RegExp[];

  constructor(
    protected readonly loaded: LoadedTaskFile,
    readonly templates: TemplateLibrary,
  ) {
    this.spec = loaded.spec;
    this.file = loaded.file;
    this.id = loaded.spec.id;
    this.description = loaded.spec.description;
    this.defaultSteps = loaded.spec.defaultSteps ?? 3;
    this.answerPattern = loaded.spec.answer?.pattern ? new RegExp(loaded.spec.answer.pattern, 'i') : undefined;
    this.answerStrip = (loaded.spec.answer?.strip ?? []).map((s) => new RegExp(s, 'i'));
  }

  /** The same task (same kind, same file) rendering from `templates`. */
  withTemplates(templates: TemplateLibrary): Task {
    const Kind = this.constructor as new (loaded: LoadedTaskFile, templates: TemplateLibrary) => Task;
    return new Kind(this.loaded, templates);
  }

  render(slot: TemplateSlot | undefined, fallback: string, variables: Record<string, unknown>): RenderedPrompt {
    const name = (slot && this.spec.templates?.[slot]) || fallback;
    return this.templates.render(name, { examples: this.spec.examples ?? [], ...this.spec.variables, ...variables });
  }

  /** The slot's template rendered, with `parts` (templates whose text it includes) recorded after it. */
  protected compose(slot: TemplateSlot, fallback: string, variables: Record<string, unknown>, ...parts: RenderedPrompt[]): RenderedPrompt {
    return withParts(this.render(slot, fallback, variables), ...parts);
  }

  /**
   * The file's `answer.pattern` (group 1 of the last matching line, bold removed), its `strip` patterns
   * applied; without a pattern, the last "Answer:" line or the last line.
   */
  extractAnswer(output: string): string {
    let answer: string | undefined;
    if (this.answerPattern) {
      for (const line of output.split('\n')) {
        const m = this.answerPattern.exec(line.replace(/\*\*/g, '').trim());
        if (m) answer = (m[1] ?? m[0]).trim();
      }
    }
    if (answer === undefined) answer = extractFinalAnswer(output);
    for (const strip of this.answerStrip) answer = answer.replace(strip, '').trim();
    return answer;
  }

  static builtInTemplates(): TemplateLibrary {
    return TemplateLibrary.builtIn();
  }
}
