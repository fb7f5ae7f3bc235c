// Final-answer extraction shared by tasks: the last "Answer:" line, else the last non-empty line.

const ANSWER_LINE = /\b(?:final\s+answer|answer)\s*(?:is\s*)?[:：]\s*(.+?)\s*$/gim;

export function extractFinalAnswer(output: string): string {
  let last: string | undefined;
  for (const m of output.matchAll(ANSWER_LINE)) last = m[1];
  if (last !== undefined) return last.replace(/^\*\*|\*\*$/g, '').trim();
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 0 ? lines[lines.length - 1] : '';
}

/** sure / likely / impossible, weighted as in the ToT paper's value prompt (20 / 1 / 0.001). */
export const VALUE_WEIGHTS: Readonly<Record<string, number>> = { sure: 20, likely: 1, impossible: 0.001 };

/**
 * How ToT reads the model's verdicts and proposals. `reference` reads them as the ToT authors' code does
 * (princeton-nlp/tree-of-thought-llm); `lenient` is Thoughtscope's earlier, more forgiving reading.
 */
export type VerdictParsing = 'reference' | 'lenient';

/**
 * Score one state from its value samples: the verdict on each sample's last line, weighted and summed.
 * reference: the last line must be exactly "sure", "likely" or "impossible" (no trimming, no case folding);
 * lenient: the last non-empty line, lower-cased, with everything but letters removed.
 */
export function scoreValueSamples(responses: readonly string[], parsing: VerdictParsing = 'reference'): number {
  let score = 0;
  for (const r of responses) {
    const lines = parsing === 'reference' ? r.split('\n') : r.trim().split('\n');
    const last = lines[lines.length - 1];
    const verdict = parsing === 'reference' ? last : last.trim().toLowerCase().replace(/[^a-z]/g, '');
    score += Object.hasOwn(VALUE_WEIGHTS, verdict) ? VALUE_WEIGHTS[verdict] : 0;
  }
  return score;
}

const CHOICE_PHRASE = 'best choice is ';

/**
 * The candidate (0-based) a vote names, or undefined.
 * reference: after the first "best choice is " (case as written), the last digit anywhere after it
 * (the authors' greedy pattern `.*best choice is .*(\d+).*`, so "is 12" reads as 2);
 * lenient: the first number right after "best choice is", any case, bold allowed.
 */
export function readVote(response: string, parsing: VerdictParsing = 'reference'): number | undefined {
  if (parsing === 'lenient') {
    const m = /best choice is\s*\**\s*(\d+)/i.exec(response);
    return m ? Number(m[1]) - 1 : undefined;
  }
  const at = response.indexOf(CHOICE_PHRASE);
  if (at < 0) return undefined;
  const digits = response.slice(at + CHOICE_PHRASE.length).match(/\d/g);
  return digits ? Number(digits[digits.length - 1]) - 1 : undefined;
}

/** Votes: each response names "The best choice is N"; the score of a candidate is its vote count. */
export function countVotes(candidateCount: number, responses: readonly string[], parsing: VerdictParsing = 'reference'): number[] {
  const votes = new Array<number>(candidateCount).fill(0);
  for (const r of responses) {
    const index = readVote(r, parsing);
    if (index !== undefined && index >= 0 && index < candidateCount) votes[index]++;
  }
  return votes;
}
