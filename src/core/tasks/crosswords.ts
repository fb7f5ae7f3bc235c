// The crosswords kind (the ToT paper's Mini Crosswords): the input is ten clues (h1–h5 across, v1–v5
// down), the answer a 5x5 board. For ToT a step fills one word ("h2. MOTOR"); a state's board is its
// fills in order (a later fill overwrites crossing letters), shown in the graph; value asks whether the
// filled words can all be right. Templates crosswords/*; scored by crosswordBoard.ts.
import type { RenderedPrompt } from '../templates/types';
import { countVotes, scoreValueSamples, type VerdictParsing } from './answer';
import { boardFromOutput, boardWords, formatBoard, wordCells } from './crosswordBoard';
import { TemplatedTask } from './templatedTask';
import type { Task } from './types';

const FILL = /^\W*([hv][1-5])\s*[.:)]\s*([A-Za-z]{5})\b/i;
const SLOTS = ['h1', 'h2', 'h3', 'h4', 'h5', 'v1', 'v2', 'v3', 'v4', 'v5'];

/** The fills of a state, in order ("h2. MOTOR" lines). */
function fills(steps: string): Array<{ slot: string; word: string }> {
  return steps
    .split('\n')
    .map((l) => FILL.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ slot: m[1].toLowerCase(), word: m[2].toUpperCase() }));
}

/** The board of a state: its fills applied in order, '_' where nothing is filled. */
export function boardOfSteps(steps: string): string {
  const cells = new Array<string>(25).fill('_');
  for (const f of fills(steps)) wordCells(f.slot).forEach((cell, i) => (cells[cell] = f.word[i]));
  return cells.join('');
}

/** "h1. An agendum…" lines → clue by slot. */
function cluesOf(input: string): Map<string, string> {
  const clues = new Map<string, string>();
  for (const m of input.matchAll(/^\s*([hv][1-5])\s*[.:)]\s*(.+?)\s*$/gim)) clues.set(m[1].toLowerCase(), m[2]);
  return clues;
}

export class CrosswordsTask extends TemplatedTask implements Task {
  ioPrompt(input: string): RenderedPrompt {
    return this.render('io', 'crosswords/io', { input });
  }

  cotPrompt(input: string, fewShot: boolean): RenderedPrompt {
    return this.render('cot', 'crosswords/cot', { input, fewShot });
  }

  /** What the state templates get: the board's rows, and each clue with its word so far ("_" where empty). */
  private stateVariables(input: string, steps: string): Record<string, unknown> {
    const board = boardOfSteps(steps);
    const words = boardWords(board);
    const clues = cluesOf(input);
    const entries = SLOTS.map((slot, i) => ({ slot, clue: clues.get(slot) ?? '', word: words[i], filled: !words[i].includes('_') }));
    return { input, board: formatBoard(board), unfilled: entries.filter((e) => !e.filled), filled: entries.filter((e) => e.filled) };
  }

  proposePrompt(input: string, steps: string): RenderedPrompt {
    return this.render('propose', 'crosswords/propose', this.stateVariables(input, steps));
  }

  /** Lines "h2. MOTOR …" become fills; anything else is not a step (both readings). */
  parseProposals(_input: string, _steps: string, response: string): string[] {
    const out: string[] = [];
    for (const line of response.split('\n')) {
      const m = FILL.exec(line.replace(/\*\*/g, ''));
      if (m) out.push(`${m[1].toLowerCase()}. ${m[2].toUpperCase()}`);
    }
    return out;
  }

  samplePrompt(input: string, steps: string): RenderedPrompt {
    return this.render('sample', 'crosswords/sample', this.stateVariables(input, steps));
  }

  parseSample(input: string, steps: string, response: string): string {
    return this.parseProposals(input, steps, response)[0] ?? '';
  }

  valuePrompt(input: string, steps: string): RenderedPrompt {
    return this.render('value', 'crosswords/value', this.stateVariables(input, steps));
  }

  parseValues(_input: string, _steps: string, responses: string[], parsing?: VerdictParsing): number {
    return scoreValueSamples(responses, parsing);
  }

  votePrompt(input: string, candidates: string[]): RenderedPrompt {
    return this.render('vote', 'crosswords/vote', { input, choices: candidates.map((c) => formatBoard(boardOfSteps(c))) });
  }

  parseVotes(candidates: string[], responses: string[], parsing?: VerdictParsing): number[] {
    return countVotes(candidates.length, responses, parsing);
  }

  /** The board as five rows: read from a "ROWS/…" state label, else from the model's output. */
  override extractAnswer(output: string): string {
    const label = /^([A-Z_]{5}(?:\/[A-Z_]{5}){4})\b/.exec(output.trim());
    if (label) return label[1].split('/').join('\n');
    const board = boardFromOutput(output);
    return board ? formatBoard(board) : output.trim();
  }

  /** The state's board, rows separated by "/", then the fill just made. */
  stepLabel(steps: string): string {
    const all = fills(steps);
    const last = all[all.length - 1];
    return `${formatBoard(boardOfSteps(steps)).split('\n').join('/')}${last ? ` (${last.slot}. ${last.word})` : ''}`;
  }

  stateMeta(_input: string, steps: string): Record<string, string | number> {
    return { filled: boardWords(boardOfSteps(steps)).filter((w) => !w.includes('_')).length };
  }
}
