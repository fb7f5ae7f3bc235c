// The generic kind: any question, reasoning steps as free text, the final answer read as the task file's
// `answer` section says (by default an "Answer:" line). tasks/generic.task.yaml is the built-in task of
// this kind; the numeric and multiple-choice tasks and a user's task files use it too. Its templates get
// `input`, `examples`, the file's `variables` and, per prompt, `fewShot`, `steps` (the reasoning so
// far, trimmed) or `choices` (ToT vote).
import type { TemplateLibrary } from '../templates/library';
import type { RenderedPrompt } from '../templates/types';
import { countVotes, scoreValueSamples, type VerdictParsing } from './answer';
import { lazyBuiltInTask } from './builtIn';
import type { LoadedTaskFile } from './spec';
import { TemplatedTask } from './templatedTask';
import type { Task } from './types';

export class GenericTask extends TemplatedTask implements Task {
  private readonly left: RegExp | undefined;
  private readonly final: RegExp | undefined;

  constructor(
    loaded: LoadedTaskFile,
    templates: TemplateLibrary,
  ) {
    super(loaded, templates);
    this.left = loaded.spec.progress?.left ? new RegExp(loaded.spec.progress.left, 'i') : undefined;
    this.final = loaded.spec.progress?.final ? new RegExp(loaded.spec.progress.final, 'i') : undefined;
  }

  ioPrompt(input: string): RenderedPrompt {
    return this.render('io', 'generic/io', { input });
  }

  cotPrompt(input: string, fewShot: boolean): RenderedPrompt {
    return this.render('cot', 'generic/cot', { input, fewShot });
  }

  /** What is left (progress.left's group 1 in the last step), or undefined without such a rule or match. */
  private leftOf(steps: string): string | undefined {
    if (!this.left) return undefined;
    const m = this.left.exec(this.stepLabel(steps));
    return m ? (m[1] ?? m[0]).trim() : undefined;
  }

  proposePrompt(input: string, steps: string): RenderedPrompt {
    const left = this.leftOf(steps);
    if (this.final && left !== undefined && this.final.test(left) && this.spec.templates?.cotSteps) {
      const cot = this.cotPrompt(input, true);
      return this.compose('cotSteps', 'generic/cot', { input, steps: steps.trim(), cot: cot.text }, cot);
    }
    return this.render('propose', 'generic/propose', { input, steps: steps.trim(), ...(this.left ? { left: left ?? '' } : {}) });
  }

  parseProposals(_input: string, _steps: string, response: string): string[] {
    return response
      .split('\n')
      .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
      .filter((l) => l.length > 0 && !/^next steps?:?$/i.test(l));
  }

  samplePrompt(input: string, steps: string): RenderedPrompt {
    return this.render('sample', 'generic/sample', { input, steps: steps.trim() });
  }

  parseSample(_input: string, _steps: string, response: string): string {
    return response.trim().split('\n')[0]?.trim() ?? '';
  }

  valuePrompt(input: string, steps: string): RenderedPrompt {
    return this.render('value', 'generic/value', { input, steps: steps.trim() });
  }

  parseValues(_input: string, steps: string, responses: string[], parsing?: VerdictParsing): number {
    const max = this.spec.progress?.maxSteps;
    if (max !== undefined && steps.trim().split('\n').length >= max && !/answer/i.test(steps)) return 0;
    return scoreValueSamples(responses, parsing);
  }

  votePrompt(input: string, candidates: string[]): RenderedPrompt {
    return this.render('vote', 'generic/vote', { input, choices: candidates.map((c) => c.trim()) });
  }

  parseVotes(candidates: string[], responses: string[], parsing?: VerdictParsing): number[] {
    return countVotes(candidates.length, responses, parsing);
  }

  stepLabel(steps: string): string {
    const lines = steps.trim().split('\n');
    return lines[lines.length - 1] ?? '';
  }

  stateMeta(_input: string, steps: string): Record<string, string> {
    const left = this.leftOf(steps);
    return left === undefined ? {} : { left };
  }
}

/** The built-in generic task (tasks/generic.task.yaml), read on first use. */
export const genericTask: Task = lazyBuiltInTask('generic');
