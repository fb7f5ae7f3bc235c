// Scripted models for the GoT presets: each reads the prompt the way a careful model would and answers
// it, with hooks that make chosen replies wrong, so a test can follow what the graph does with them.
// Prompts are recognised by their first words (got/presetPrompts.ts); anything else gets HTTP 400, so
// an unexpected request fails the run at once.
import type { FakeHandler, FakeReply, FakeRequest } from './fakeOpenAI';

/** Every bracketed list of numbers in a text. */
export function listsOf(text: string): number[][] {
  return [...text.matchAll(/\[([-\d.,\s]*)\]/g)].map((m) => (m[1].trim() === '' ? [] : m[1].split(',').map((x) => Number(x.trim()))));
}

const show = (list: readonly number[]) => `[${list.join(', ')}]`;
const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);

/** Replies chosen by the first pattern the prompt matches; anything else gets HTTP 400. */
export function scripted(rules: Array<[RegExp, FakeReply | ((req: FakeRequest) => FakeReply)]>): FakeHandler {
  return (req) => {
    for (const [pattern, reply] of rules) if (pattern.test(req.prompt)) return typeof reply === 'function' ? reply(req) : reply;
    return { status: 400 };
  };
}

/** The list after a "<label>: " line of the prompt. */
function listAfter(prompt: string, label: string): number[] {
  const line = prompt.split('\n').find((l) => l.startsWith(`${label}: `)) ?? '';
  return listsOf(line)[0] ?? [];
}

export interface SortingModelOptions {
  /** Change the split's parts (e.g. lose a number) before they are sent. */
  split?: (parts: number[][]) => number[][];
  /** Change a merged list before it is sent. */
  merge?: (merged: number[]) => number[];
  /** Replies to an improve prompt, given the list to sort and the wrong list. */
  improve?: (list: number[], wrong: number[]) => string[];
  /** Replies to a sort prompt, given the list. */
  sort?: (list: number[]) => string[];
}

/** Answers the sorting preset's prompts (any approach) correctly unless an option says otherwise. */
export function sortingModel(options: SortingModelOptions = {}): FakeHandler {
  return scripted([
    [
      /^Split the list of \d+ numbers below into (\d+) lists/,
      (req) => {
        const parts = Number(/into (\d+) lists/.exec(req.prompt)![1]);
        const list = listAfter(req.prompt, 'Input');
        const size = Math.ceil(list.length / parts);
        const pieces = Array.from({ length: parts }, (_, i) => list.slice(i * size, (i + 1) * size));
        const sent = options.split ? options.split(pieces) : pieces;
        return { choices: [JSON.stringify(Object.fromEntries(sent.map((p, i) => [`List ${i + 1}`, p])))] };
      },
    ],
    [/^Sort the list of numbers below/, (req) => ({ choices: options.sort?.(listAfter(req.prompt, 'Input')) ?? [show(sorted(listAfter(req.prompt, 'Input')))] })],
    [
      /^Merge the sorted lists/,
      (req) => {
        const merged = sorted(listsOf(req.prompt).flat());
        return { choices: [show(options.merge ? options.merge(merged) : merged)] };
      },
    ],
    [
      /^The second list below was meant to be/,
      (req) => {
        const list = listAfter(req.prompt, 'List');
        return { choices: options.improve?.(list, listAfter(req.prompt, 'Wrongly sorted')) ?? [show(sorted(list))] };
      },
    ],
  ]);
}

/** Answers the set-intersection preset's prompts correctly. */
export function intersectionModel(): FakeHandler {
  return scripted([
    [
      /^Split the list below into (\d+) lists/,
      (req) => {
        const parts = Number(/into (\d+) lists/.exec(req.prompt)![1]);
        const list = listAfter(req.prompt, 'List');
        const size = Math.ceil(list.length / parts);
        return { choices: [JSON.stringify(Object.fromEntries(Array.from({ length: parts }, (_, i) => [`List ${i + 1}`, list.slice(i * size, (i + 1) * size)])))] };
      },
    ],
    [
      /^Find the numbers that occur in both lists/,
      (req) => {
        const second = new Set(listAfter(req.prompt, 'List 2'));
        return { choices: [show(listAfter(req.prompt, 'List 1').filter((x) => second.has(x)))] };
      },
    ],
    [/^Combine the lists below/, (req) => ({ choices: [show([...new Set(listsOf(req.prompt).flat())])] })],
  ]);
}
