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

/** Score one state from its value samples: the verdict on each sample's last line, weighted and summed. */
export function scoreValueSamples(responses: readonly string[]): number {
  let score = 0;
  for (const r of responses) {
    const lines = r.trim().split('\n');
    const verdict = lines[lines.length - 1].trim().toLowerCase().replace(/[^a-z]/g, '');
    score += VALUE_WEIGHTS[verdict] ?? 0;
  }
  return score;
}

/** Votes: each response names "The best choice is N"; the score of a candidate is its vote count. */
export function countVotes(candidateCount: number, responses: readonly string[]): number[] {
  const votes = new Array<number>(candidateCount).fill(0);
  for (const r of responses) {
    const m = /best choice is\s*\**\s*(\d+)/i.exec(r);
    if (!m) continue;
    const index = Number(m[1]) - 1;
    if (index >= 0 && index < candidateCount) votes[index]++;
  }
  return votes;
}
