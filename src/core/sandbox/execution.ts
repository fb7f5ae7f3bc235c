// Who runs PoT programs, and whether they may run at all. The CLI keeps the defaults (the shared
// WebAssembly sandbox, always allowed); the extension installs a gate (Workspace Trust, a
// confirmation before the first execution) and may switch Python to a local python3.
import { sharedSandbox } from './sandbox';
import type { ExecutionRequest, ProgramExecutor } from './types';

/** Resolves to undefined when the program may run, else to the reason it may not (shown to the user). */
export type ExecutionGate = (request: ExecutionRequest) => Promise<string | undefined>;

export interface ExecutionSetup {
  executorFor(request: ExecutionRequest): ProgramExecutor;
  gate: ExecutionGate;
}

const DEFAULT_SETUP: ExecutionSetup = {
  executorFor: () => sharedSandbox(),
  gate: async () => undefined,
};

let setup: ExecutionSetup = DEFAULT_SETUP;

export function configureExecution(next: Partial<ExecutionSetup>): void {
  setup = { ...setup, ...next };
}

export function resetExecution(): void {
  setup = DEFAULT_SETUP;
}

export function executionSetup(): ExecutionSetup {
  return setup;
}
