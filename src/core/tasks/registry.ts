import { game24Task } from './game24';
import { genericTask } from './generic';
import type { Task } from './types';

export const TASKS: readonly Task[] = [genericTask, game24Task];

export function findTask(id: string): Task | undefined {
  return TASKS.find((t) => t.id === id);
}

/** "auto" picks Game of 24 for an input of exactly four whole numbers, else the generic task. */
export const AUTO_TASK = 'auto';
const GAME24_INPUT = /^\s*\d{1,3}(?:[\s,]+\d{1,3}){3}\s*$/;

export function taskIds(): string[] {
  return [AUTO_TASK, ...TASKS.map((t) => t.id)];
}

export function resolveTask(id: string, input: string): Task | undefined {
  if (id === AUTO_TASK) return findTask(GAME24_INPUT.test(input) ? 'game24' : 'generic');
  return findTask(id);
}
