// The prompt texts of the shipped GoT graphs (presets.ts). The wording is Thoughtscope's own; what each
// prompt asks for follows the GoT reference's prompts (spcl/graph-of-thoughts, examples/*/): sorting
// merges "the way merge sort does", an improve prompt shows the list to sort and the wrong answer but
// never an error count, a CoT prompt ends with an "Output:" line, and the document-merging combine
// prompt shows the original documents. Only numbers taken from the input are put into a prompt when it
// is built, never raw input text; the rest comes in through {placeholders} when it runs.

const LIST_REPLY = 'Reply with the list only, in the form [a, b, c].';

function jsonParts(label: string, parts: number): string {
  return `{${Array.from({ length: parts }, (_, i) => `"${label} ${i + 1}": ...`).join(', ')}}`;
}

export const sortingPrompts = {
  split: (count: number, parts: number) =>
    `Split the list of ${count} numbers below into ${parts} lists of about equal length, keeping the numbers in their order. ` +
    `Reply with only a JSON object ${jsonParts('List', parts)} whose values are lists of numbers.\nInput: {input}`,
  /** `what` is {input} (the whole list) or {thought} (one part). */
  sort: (what: string) => `Sort the list of numbers below in ascending order, keeping every number, repeats included. ${LIST_REPLY}\nInput: ${what}`,
  cot:
    'Sort the list of numbers below in ascending order, keeping every number, repeats included. You may work in steps: ' +
    'split the list into two to four sublists of equal length that do not overlap, sort each sublist, then merge the sorted ' +
    'sublists into one the way merge sort does. Write every intermediate list on a line of its own, and end with one line ' +
    '"Output: [a, b, c]" holding the whole sorted list.\nInput: {input}',
  merge:
    'Merge the sorted lists below into one list in ascending order that keeps every number of every list, repeats included. ' +
    'Do it the way merge sort does: compare the first remaining numbers of the lists, move the smaller one to the result, ' +
    `and repeat until every list is used up. ${LIST_REPLY}\n{thoughts}`,
  improve:
    'The second list below was meant to be the first list sorted in ascending order, but it is not right. Write it correctly: ' +
    'for every number, count how often it occurs in the first list and make it occur exactly that often, then put the numbers ' +
    `in ascending order. ${LIST_REPLY}\nList: {source}\nWrongly sorted: {thought}`,
};

export const intersectionPrompts = {
  split: (parts: number, second: readonly number[]) =>
    `Split the list below into ${parts} lists of about equal length, keeping the numbers in their order. ` +
    `Reply with only a JSON object ${jsonParts('List', parts)} whose values are lists of numbers.\nList: [${second.join(', ')}]`,
  /** `second` is the second list written out, or {thought} (one part of it). */
  intersect: (first: readonly number[], second: string) =>
    'Find the numbers that occur in both lists below. Reply with only those numbers, each once, in the form [a, b, c] ' +
    `([] if there are none).\nList 1: [${first.join(', ')}]\nList 2: ${second}`,
  cot: (first: readonly number[], second: readonly number[]) =>
    'Find the numbers that occur in both lists below. You may work in steps: split the second list into two halves, find ' +
    'the numbers of each half that also occur in the first list, then put the two results together. Write every ' +
    'intermediate list on a line of its own, and end with one line "Output: [a, b, c]" holding every common number once ' +
    `("Output: []" if there are none).\nList 1: [${first.join(', ')}]\nList 2: [${second.join(', ')}]`,
  union: `Combine the lists below into one list that holds every number occurring in any of them, each once. ${LIST_REPLY}\n{thoughts}`,
  improve: (first: readonly number[], second: readonly number[]) =>
    'The third list below was meant to hold exactly the numbers that occur in both of the first two lists, each once, but ' +
    'it is not right: numbers may be missing, wrongly included or repeated. Write the correct list, in the form [a, b, c] ' +
    `([] if no number is common), and nothing else.\nList 1: [${first.join(', ')}]\nList 2: [${second.join(', ')}]\nWrong result: {thought}`,
};

export const keywordPrompts = {
  split: (parts: number) =>
    `Split the text below into ${parts} passages of whole sentences, in order, without changing any word; leave out a first line that starts with "Keywords:". ` +
    `Reply with only a JSON object ${jsonParts('Passage', parts)} whose values are the passages as strings.\nText:\n{input}`,
  /** `what` says what to count; `text` is {input} or {thought}. */
  count: (what: string, text: string) =>
    `Count how often ${what} in the text below. Reply with only a JSON object of those that occur and their counts, e.g. {"Name": 2}.\nText:\n${text}`,
  cot: (what: string, text: string) =>
    `Count how often ${what} in the text below. Go through the text one sentence at a time and write down the names each ` +
    'sentence mentions; then add them up. End with one line "Output: " followed by a JSON object of the names that occur ' +
    `and their counts, e.g. Output: {"Name": 2}.\nText:\n${text}`,
  merge: 'Add up the JSON objects of counts below into one JSON object, summing the counts of equal names. Reply with only the JSON object.\n{thoughts}',
  fixMerge:
    'The JSON objects of counts in the parts below were added up into the last object, but that sum is wrong. Write the ' +
    'correct sum: every name of any part, with the counts of equal names added together. Reply with only the JSON object.' +
    '\n{thoughts}\n\nWrong sum:\n{thought}',
  improve: (what: string) =>
    `The JSON object below was meant to say how often ${what} in the text, but it is wrong: names may be missing or extra, ` +
    'or counts may be off. Write the corrected JSON object and nothing else.\nText:\n{source}\nWrong counts: {thought}',
};

export const documentPrompts = {
  merge: (count: number) =>
    `Merge the ${count} documents below (separated by lines of ---) into one document that keeps all of their information and says nothing twice. ` +
    'Reply with the merged document only.\n\n{input}',
  cot: (count: number) =>
    `Merge the ${count} documents below (separated by lines of ---) into one document that keeps all of their information and says nothing twice. ` +
    'You may work in steps: split each document into its parts (who agrees, the purpose, what is covered, the duties, the terms), ' +
    'merge the matching parts, then write them out as one document. End with a line "Output:" followed by the merged document.\n\n{input}',
  rate:
    'Rate the merged document against the original documents.\n' +
    'Redundancy: 0 to 10, where 10 means nothing is said twice and 0 means at least half of it is said twice.\n' +
    'Retained: 0 to 10, where 10 means all information of the originals is kept and 0 means none is.\n' +
    'You may explain first; end with exactly two lines, "Redundancy: <number>" and "Retained: <number>".\n\n' +
    'Original documents:\n{input}\n\nMerged document:\n{thought}',
  combine:
    'Each document in the parts below merges the original documents further down. Combine them into a single document that ' +
    'keeps the strengths of each and all information of the originals, and says nothing twice. Reply with the document only.' +
    '\n\n{thoughts}\n\nOriginal documents:\n{input}',
  improve:
    'Improve the merged document below: keep every piece of information of the original documents and remove anything said twice. ' +
    'Reply with the improved document only.\n\nOriginal documents:\n{input}\n\nMerged document:\n{thought}',
};
