// Reads the depth-first search an Algorithm-of-Thoughts generation wrote out, in the trace format
// its in-context examples teach (see aot/prompts.ts):
//
//   <path>. <step> [-> <note>]     a tried branch; the path places it ("1.2" is the second step tried
//                                  under step 1). A note or a following line saying "dead end" marks
//                                  it a dead end; "solved" marks the branch that solved the problem.
//   Backtrack to <path>|start      the search leaves the current branch and resumes at that branch
//                                  (a bare "Backtrack" goes up one level).
//   Retracing the solution:        the steps that led to the solution follow, one per line; they are
//                                  kept as `retraced`, not read as branches.
//   Answer: <answer>               the final answer.
//
// Models deviate, so the reader is lenient: markdown bullets, bold, "Step"/"Try" prefixes and missing
// trailing dots are accepted; a branch whose parent path was never written hangs under its nearest
// written ancestor; a jump to another branch without a "Backtrack" line is a backtrack, inferred
// unless the branch left was written as a dead end. Text with no numbered branch at all is reported as unparsed (one plain thought).

export type BranchOutcome = 'open' | 'dead-end' | 'solved';

export interface SearchBranch {
  /** The path as written, normalised ("1.2"). */
  path: string;
  /** Index in `branches` of the parent, or null when the branch starts from the problem itself. */
  parent: number | null;
  /** The step, plus any note lines written under it. */
  text: string;
  outcome: BranchOutcome;
}

export interface SearchBacktrack {
  /** The branch given up (index in `branches`). */
  from: number;
  /** Where the search resumed: a branch index, or null for the start. */
  to: number | null;
  /** True when the model jumped without writing a "Backtrack" line. */
  inferred: boolean;
}

export interface SearchTrace {
  /** False when no numbered branch was found: the text is one plain thought. */
  parsed: boolean;
  branches: SearchBranch[];
  backtracks: SearchBacktrack[];
  /** The branch that solved the problem (explicitly, or the one current at the Answer line), if any. */
  solved: number | null;
  /** The text after the last "Answer:" line, if there is one. */
  answerLine?: string;
  /** The lines under "Retracing the solution:" (the paper's backtracking to the solution), in order. */
  retraced: string[];
}

const DECORATION = /^\s*(?:[-*•>]+\s*)?(?:\*\*)?/;
const PREFIX = /^(?:step|try(?:ing)?|branch)\s+/i;
/** "1." "1)" "1:" at depth one; "1.2", "1.2." "1.2)" deeper. The step text must follow. */
const BRANCH = /^(\d{1,3}(?:\.\d{1,3})*)(?:\.|\)|:)?\s+(.*\S)\s*$/;
const BACKTRACK = /^backtrack(?:ing)?\b[\s:,-]*(?:to\s+)?(?:(?:the\s+)?(start|root|beginning|top)|(?:step\s+|branch\s+)?(\d{1,3}(?:\.\d{1,3})*))?/i;
const ANSWER = /^(?:final\s+)?answer\s*[:：]\s*(.*)$/i;
/** "Retracing the solution:", also the paper's "Backtracking the solution:". */
const RETRACE = /^(?:retrac(?:e|ing)|backtrack(?:ing)?|trac(?:e|ing)\s+back)\s+(?:through\s+|to\s+)?the\s+solution\b/i;
const DEAD_END = /\b(?:dead[\s-]?end|no\s+solution|cannot\s+(?:reach|work|make)|can't\s+(?:reach|work|make)|fails?)\b/i;
const SOLVED = /\b(?:solved|solution\s+found|success)\b/i;
const NOTE_SPLIT = /\s*(?:->|→|=>)\s*/;

function cleanLine(raw: string): string {
  return raw.replace(DECORATION, '').replace(/\*\*/g, '').trim();
}

function outcomeOf(text: string): BranchOutcome | undefined {
  if (DEAD_END.test(text)) return 'dead-end';
  if (SOLVED.test(text)) return 'solved';
  return undefined;
}

export function parseSearchTrace(text: string): SearchTrace {
  const branches: SearchBranch[] = [];
  const backtracks: SearchBacktrack[] = [];
  const latestByPath = new Map<string, number>();
  /** The branch the search is at: null at the start. */
  let current: number | null = null;
  /** The branch notes attach to (the last one written). */
  let lastWritten: number | null = null;
  let answerLine: string | undefined;
  let answerAt: number | null = null;
  const retraced: string[] = [];
  let retracing = false;

  const resolve = (path: string): number | null => {
    const parts = path.split('.');
    while (parts.length > 0) {
      const found = latestByPath.get(parts.join('.'));
      if (found !== undefined) return found;
      parts.pop();
    }
    return null;
  };

  for (const raw of text.split(/\r?\n/)) {
    const line = cleanLine(raw).replace(PREFIX, '');
    if (line === '') continue;

    const answer = ANSWER.exec(line);
    if (answer) {
      answerLine = answer[1].trim();
      answerAt = current;
      retracing = false;
      continue;
    }

    if (RETRACE.test(line)) {
      retracing = true;
      continue;
    }
    if (retracing) {
      retraced.push(cleanLine(raw));
      continue;
    }

    const back = BACKTRACK.exec(line);
    if (back) {
      if (current !== null) {
        // "Backtrack" with no target goes up one level.
        const to: number | null = back[2] !== undefined ? resolve(back[2]) : back[1] !== undefined ? null : branches[current].parent;
        backtracks.push({ from: current, to, inferred: false });
        if (branches[current].outcome === 'open') branches[current].outcome = 'dead-end';
        current = to;
      }
      continue;
    }

    const branch = BRANCH.exec(line);
    // A lone number followed by arithmetic ("8 - 6 = 2") is a step without a path, not a branch.
    if (branch && (branch[1].includes('.') || /[.):]/.test(line[branch[1].length] ?? ''))) {
      const path = branch[1];
      const parentPath = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
      const parent = parentPath === '' ? null : resolve(parentPath);
      // Going on from anywhere but the branch the search is at is a jump back. Leaving a branch written
      // as a dead end is the backtrack its "dead end" announced (the paper lists the next try at once);
      // leaving any other branch is a backtrack the model did not write.
      if (current !== null && parent !== current) {
        backtracks.push({ from: current, to: parent, inferred: branches[current].outcome !== 'dead-end' });
        if (branches[current].outcome === 'open') branches[current].outcome = 'dead-end';
      }
      const [step, ...notes] = branch[2].split(NOTE_SPLIT);
      const note = notes.join(' -> ');
      const index = branches.length;
      branches.push({ path, parent, text: note ? `${step} -> ${note}` : step, outcome: outcomeOf(note) ?? outcomeOf(step) ?? 'open' });
      latestByPath.set(path, index);
      current = index;
      lastWritten = index;
      continue;
    }

    // A note under the last branch: kept with it, and it may decide the branch's outcome.
    if (lastWritten !== null && answerLine === undefined) {
      const b = branches[lastWritten];
      b.text = `${b.text}\n${line}`;
      const outcome = outcomeOf(line);
      if (outcome && b.outcome === 'open') b.outcome = outcome;
    }
  }

  let solved: number | null = null;
  for (let i = branches.length - 1; i >= 0 && solved === null; i--) if (branches[i].outcome === 'solved') solved = i;
  if (solved === null && answerLine !== undefined && answerAt !== null && branches[answerAt].outcome !== 'dead-end') {
    solved = answerAt;
    branches[answerAt].outcome = 'solved';
  }
  return { parsed: branches.length > 0, branches, backtracks, solved, answerLine, retraced };
}

/** The branches from the start down to `index`, in order. */
export function pathTo(trace: SearchTrace, index: number): number[] {
  const path: number[] = [];
  for (let at: number | null = index; at !== null; at = trace.branches[at].parent) path.unshift(at);
  return path;
}
