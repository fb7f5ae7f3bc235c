// The scorer a task file declares (`scorer:` in schemas/task.schema.json), as an evaluation Scorer:
// exact, numeric (a relative tolerance, or rounding to the gold answer's precision with percent forms),
// multiple choice (letter or option text), regex, contains, an LLM judge with a rubric template, a
// JavaScript function run in the QuickJS sandbox, or a kind's own (game24, crosswords).
import { executionSetup } from '../sandbox/execution';
import { boardFromOutput, crosswordScores, parseBoard } from '../tasks/crosswordBoard';
import { judgeGame24 } from '../tasks/game24';
import type { ScorerSpec } from '../tasks/spec';
import type { Task } from '../tasks/types';
import { normalizeAnswer, numbersMatch, parseNumber, roundedMatch, type Scorer } from './scorers';
import type { EvalItem } from './types';

const expectedOf = (item: EvalItem) => item.expected ?? '';

/** Option lines of a multiple-choice question: "A) text", "(B) text", "C. text", "D: text". */
export function optionsOf(input: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const m of input.matchAll(/^\s*\(?([A-Z])[).:]\s+(.+?)\s*$/gm)) options.set(m[1], m[2]);
  return options;
}

/** The option letter an answer names: "B", "(B)", "B) Paris", "Option B", "the answer is B", or the text of option B. */
export function chosenLetter(answer: string, options: Map<string, string>, letters: string): string | undefined {
  const text = answer.replace(/\*\*/g, '').trim();
  const set = `[${letters}]`;
  const patterns = [new RegExp(`^\\(?(${set})\\)?[.:)]?$`, 'i'), new RegExp(`^\\(?(${set})[).:]\\s`, 'i'), new RegExp(`^(?:option|choice|answer(?: is)?)\\s*\\(?(${set})\\)?\\b`, 'i'), new RegExp(`\\b(?:answer|option|choice) is\\s*\\(?(${set})\\)?(?![\\w])`, 'i')];
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m[1].toUpperCase();
  }
  const wanted = normalizeAnswer(text);
  for (const [letter, option] of options) if (normalizeAnswer(option) === wanted) return letter;
  return undefined;
}

/** A regex scorer's pattern with `{expected}` replaced by the expected answer, escaped. */
function expectedPattern(pattern: string, flags: string, item: EvalItem): RegExp {
  const escaped = expectedOf(item).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(pattern.split('{expected}').join(escaped), flags);
}

/** "Score: 7", "coherency score is 7", or the last whole number in [min, max]. */
export function readJudgement(reply: string, min: number, max: number): number | undefined {
  const labelled = [...reply.matchAll(/score\s*(?:is|[:：=])?\s*\**\s*(-?\d+(?:\.\d+)?)/gi)].pop();
  const candidates = labelled ? [labelled[1]] : (reply.match(/-?\d+(?:\.\d+)?/g) ?? []).reverse();
  for (const c of candidates) {
    const v = Number(c);
    if (Number.isFinite(v) && v >= min && v <= max) return v;
  }
  return undefined;
}

/** The JavaScript scorer's program: the function body called with the answer, expected answer and input. */
export function scorerProgram(body: string, answer: string, item: EvalItem): string {
  return `(function (answer, expected, input) {\n${body}\n})(${JSON.stringify(answer)}, ${JSON.stringify(item.expected ?? null)}, ${JSON.stringify(item.input)})`;
}

function base(task: Task, description: string, needsExpected: boolean): Pick<Scorer, 'id' | 'description' | 'taskId' | 'needsExpected'> {
  return { id: task.id, description, taskId: task.id, needsExpected };
}

/**
 * The task file's scorer when it decides an answer against `expected` on the spot (not a model judge or
 * a program in the sandbox): what Compare and FrugalGPT calibration judge with; undefined otherwise.
 */
export function expectedScorer(task: Task): Scorer | undefined {
  const own = scorerForTask(task);
  return own && !own.judge && own.needsExpected ? own : undefined;
}

/** The scorer of `task`'s file, or undefined when it declares none. */
export function scorerForTask(task: Task): Scorer | undefined {
  const spec: ScorerSpec | undefined = task.spec.scorer;
  if (!spec) return undefined;
  switch (spec.type) {
    case 'exact': {
      const key = (s: string) => (spec.caseSensitive ? s.trim().replace(/\s+/g, ' ') : normalizeAnswer(s));
      return { ...base(task, 'The answer equals the expected answer.', true), score: (item, answer) => key(answer) !== '' && key(answer) === key(expectedOf(item)) };
    }
    case 'numeric': {
      const tolerance = spec.tolerance ?? 1e-6;
      const gold = spec.rounding === 'gold';
      return {
        ...base(task, gold ? 'The last number equals the expected one at its precision (percent forms too).' : `The last number equals the expected one (relative tolerance ${tolerance}).`, true),
        score: (item, answer) => {
          const got = parseNumber(answer);
          const want = parseNumber(expectedOf(item));
          if (got === undefined || want === undefined) return false;
          if (gold) return roundedMatch(got, expectedOf(item), spec.percent ?? true);
          const close = (w: number) => (tolerance === 1e-6 ? numbersMatch(got, w) : Math.abs(got - w) <= tolerance * Math.max(1, Math.abs(w)));
          return close(want) || (spec.percent === true && (close(want / 100) || close(want * 100)));
        },
      };
    }
    case 'multiple-choice': {
      const letters = (spec.letters ?? 'ABCDEFGHIJ').toUpperCase();
      return {
        ...base(task, 'The chosen option (letter or its text) is the expected one.', true),
        score: (item, answer) => {
          const options = optionsOf(item.input);
          const want = chosenLetter(expectedOf(item), options, letters);
          const got = chosenLetter(answer, options, letters);
          if (want !== undefined) return got === want;
          return normalizeAnswer(answer) !== '' && normalizeAnswer(answer) === normalizeAnswer(expectedOf(item));
        },
      };
    }
    case 'regex':
      return { ...base(task, `The answer matches /${spec.pattern}/.`, spec.pattern.includes('{expected}')), score: (item, answer) => expectedPattern(spec.pattern, spec.flags ?? '', item).test(answer) };
    case 'contains': {
      const key = (s: string) => (spec.caseSensitive ? s : normalizeAnswer(s));
      return { ...base(task, 'The answer contains the expected answer.', true), score: (item, answer) => key(expectedOf(item)) !== '' && key(answer).includes(key(expectedOf(item))) };
    }
    case 'game24':
      return { ...base(task, 'Game of 24: the answer uses the puzzle numbers once each and equals 24 exactly.', false), score: (item, answer) => judgeGame24(item.input, answer) };
    case 'crosswords':
      return {
        ...base(task, 'Mini crosswords: the whole board right (game); letters and words right are measured too.', true),
        metric: { name: 'letters', better: 'higher' },
        score: (item, answer) => crosswordScores(parseBoard(answer) ?? boardFromOutput(answer), parseBoard(expectedOf(item)) ?? '').game === 1,
        measure: (item, answer) => crosswordScores(parseBoard(answer) ?? boardFromOutput(answer), parseBoard(expectedOf(item)) ?? '').letters,
        measures: (item, answer) => {
          const s = crosswordScores(parseBoard(answer) ?? boardFromOutput(answer), parseBoard(expectedOf(item)) ?? '');
          return { letters: s.letters, words: s.words, game: s.game };
        },
      };
    case 'judge': {
      const min = spec.min ?? 1;
      const max = spec.max ?? 10;
      const samples = spec.samples ?? 1;
      const template = spec.template;
      return {
        ...base(task, `A model rates the answer ${min}-${max} with a rubric${spec.pass === undefined ? '' : `; ${spec.pass} or more is correct`}.`, false),
        metric: { name: 'score', better: 'higher' },
        judgesCorrectness: spec.pass !== undefined,
        score: () => false,
        passes: spec.pass === undefined ? undefined : (value) => value >= spec.pass!,
        async judge(item, answer, ask) {
          const prompt = task.render(template ? undefined : 'judge', template ?? 'judge/rubric', { input: item.input, answer, expected: item.expected ?? '', min, max });
          const values = (await ask(prompt, samples)).map((r) => readJudgement(r, min, max)).filter((v): v is number => v !== undefined);
          // As the ToT paper's text task: unreadable judgements are left out of the average; none at all scores 0.
          return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
        },
      };
    }
    case 'javascript': {
      const pass = spec.pass ?? 1;
      return {
        ...base(task, 'A JavaScript function (QuickJS sandbox) scores the answer.', false),
        metric: { name: 'score', better: 'higher' },
        score: () => false,
        passes: (value) => value >= pass,
        async judge(item, answer) {
          const request = { language: 'javascript' as const, code: scorerProgram(spec.function, answer, item), limits: { timeMs: 2000 } };
          const setup = executionSetup();
          const refused = await setup.gate(request);
          if (refused) throw new Error(`the task's JavaScript scorer may not run: ${refused}`);
          const result = await setup.executorFor(request).execute(request);
          if (!result.ok) throw new Error(`${task.file}: scorer.function failed: ${(result.error ?? 'no result').split('\n')[0]}`);
          const text = (result.result ?? result.stdout).trim().split('\n').pop() ?? '';
          if (text === 'true') return 1;
          if (text === 'false' || text === 'undefined' || text === 'null') return 0;
          const value = Number(text);
          if (!Number.isFinite(value)) throw new Error(`${task.file}: scorer.function returned ${JSON.stringify(text.slice(0, 40))}, not true/false or a number`);
          return value;
        },
      };
    }
  }
}
