// Majority vote over extracted answers (Self-Consistency and anything else that samples and agrees).
// Answers are grouped by their normalised key; the largest group wins, and a tie goes to the group
// whose first member came first. A sample without an answer abstains but still counts in the share,
// so the share is "how many of all samples agree".
import { normalizeAnswer } from '../tasks/normalize';

export interface VoteGroup {
  /** Normalised key shared by the group's answers. */
  key: string;
  /** The answer as the first sample in the group wrote it (what the run reports). */
  answer: string;
  /** Positions (0-based) of the samples in the group, in order. */
  members: number[];
}

export interface VoteResult {
  /** Groups in order of first appearance; abstentions are not a group. */
  groups: VoteGroup[];
  winner: VoteGroup | undefined;
  /** Samples voted over, abstentions included. */
  total: number;
  abstentions: number;
  /** The winner's share of all samples (0..1); 0 without a winner. */
  share: number;
}

export function majorityVote(answers: readonly string[], keyOf: (answer: string) => string = normalizeAnswer): VoteResult {
  const groups: VoteGroup[] = [];
  const byKey = new Map<string, VoteGroup>();
  let abstentions = 0;
  answers.forEach((answer, index) => {
    const key = keyOf(answer);
    if (key === '') {
      abstentions++;
      return;
    }
    let group = byKey.get(key);
    if (!group) {
      group = { key, answer: answer.trim(), members: [] };
      byKey.set(key, group);
      groups.push(group);
    }
    group.members.push(index);
  });
  // Groups are in first-appearance order, so keeping the first strict maximum breaks ties by first occurrence.
  let winner: VoteGroup | undefined;
  for (const g of groups) if (!winner || g.members.length > winner.members.length) winner = g;
  const total = answers.length;
  return { groups, winner, total, abstentions, share: winner && total > 0 ? winner.members.length / total : 0 };
}

/** "12 ×3 · 13 ×1 · no answer ×1": the counts a vote node shows. */
export function describeVotes(result: VoteResult): string {
  const parts = result.groups.map((g) => `${g.answer} ×${g.members.length}`);
  if (result.abstentions > 0) parts.push(`no answer ×${result.abstentions}`);
  return parts.join(' · ');
}

/** "60%" */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}
