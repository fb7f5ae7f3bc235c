import { game24Task } from './game24';
import { genericTask } from './generic';
import type { Task } from './types';

export const TASKS: readonly Task[] = [genericTask, game24Task];

export function findTask(id: string): Task | undefined {
  return TASKS.find((t) => t.id === id);
}
