// The creative-writing kind (the ToT paper's Creative Writing task): the input is four sentences, the
// answer a passage of four short paragraphs ending with them. A full solution takes two steps, as in the
// paper: a plan, then the passage written from it; the model samples both (generate=sample) and votes
// among them (evaluate=vote). The answer is the text after "Passage:". Templates creative-writing/*.
import type { RenderedPrompt } from '../templates/types';
import { countVotes, scoreValueSamples, type VerdictParsing } from './answer';
import { TemplatedTask } from './templatedTask';
import type { Task } from './types';

const PASSAGE = /^\s*\**passage\**\s*:\s*/im;

/** The passage of an output: what follows its last "Passage:" line, else the whole text. */
export function passageOf(output: string): string {
  const parts = output.split(/^\s*\**passage\**\s*:[ \t]*\n?/im);
  return (parts.length > 1 ? parts[parts.length - 1] : output).trim();
}

export class CreativeWritingTask extends TemplatedTask implements Task {
  ioPrompt(input: string): RenderedPrompt {
    return this.render('io', 'creative-writing/io', { input });
  }

  cotPrompt(input: string, fewShot: boolean): RenderedPrompt {
    return this.render('cot', 'creative-writing/cot', { input, fewShot });
  }

  /** The plan-then-write prompt, continued from what is written so far (nothing, or the plan). */
  samplePrompt(input: string, steps: string): RenderedPrompt {
    const cot = this.cotPrompt(input, false);
    return this.compose('sample', 'creative-writing/continue', { input, cot: cot.text, steps }, cot);
  }

  proposePrompt(input: string, steps: string): RenderedPrompt {
    return this.samplePrompt(input, steps);
  }

  /** Step 1 keeps the plan (the reply up to "Passage:"); step 2 keeps the passage. */
  parseSample(_input: string, steps: string, response: string): string {
    if (steps.trim() === '') {
      const at = PASSAGE.exec(response);
      return (at ? response.slice(0, at.index) : response).trim();
    }
    return `Passage:\n${passageOf(response)}`;
  }

  parseProposals(input: string, steps: string, response: string): string[] {
    const step = this.parseSample(input, steps, response);
    return step === '' ? [] : [step];
  }

  valuePrompt(input: string, steps: string): RenderedPrompt {
    return this.render('value', 'generic/value', { input, steps: steps.trim() });
  }

  parseValues(_input: string, _steps: string, responses: string[], parsing?: VerdictParsing): number {
    return scoreValueSamples(responses, parsing);
  }

  votePrompt(input: string, candidates: string[]): RenderedPrompt {
    return this.render('vote', 'creative-writing/vote', { input, choices: candidates.map((c) => c.trim()) });
  }

  parseVotes(candidates: string[], responses: string[], parsing?: VerdictParsing): number[] {
    return countVotes(candidates.length, responses, parsing);
  }

  override extractAnswer(output: string): string {
    return passageOf(output);
  }

  /** The latest step: the passage once written, else the plan. */
  stepLabel(steps: string): string {
    return PASSAGE.test(steps) ? `Passage:\n${passageOf(steps)}` : steps.trim();
  }

  stateMeta(_input: string, steps: string): Record<string, string> {
    return { stage: PASSAGE.test(steps) ? 'passage' : 'plan' };
  }
}
