// Plain data shared by the sandbox host (main thread), its worker, the PoT technique and the tests.

export type ProgramLanguage = 'python' | 'javascript';

export const PROGRAM_LANGUAGES: readonly ProgramLanguage[] = ['python', 'javascript'];

export interface SandboxLimits {
  /** Wall time of one program, in milliseconds. */
  timeMs: number;
  /** Memory the interpreter may grow to, in bytes. */
  memoryBytes: number;
  /** Bytes of output (stdout + stderr) kept; more stops the program. */
  outputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeMs: 5000, memoryBytes: 256 * 1024 * 1024, outputBytes: 1024 * 1024 };

/** Which limit stopped a program. */
export type LimitKind = 'time' | 'memory' | 'output';

export interface ExecutionResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** The program's `result` variable (Python) or last expression value (JavaScript), as text, when it has one. */
  result?: string;
  /** The error as the interpreter reported it (last lines of a traceback), or why the program was stopped. */
  error?: string;
  /** Set when a limit stopped the program. */
  limit?: LimitKind;
  timeMs: number;
  /** Interpreter memory in use after the run, in bytes, when known. */
  memoryBytes?: number;
  /** Where it ran: 'pyodide', 'quickjs' or 'python3' (the optional local interpreter). */
  engine: string;
}

export interface ExecutionRequest {
  language: ProgramLanguage;
  code: string;
  limits?: Partial<SandboxLimits>;
}

/** Runs programs; the WebAssembly sandbox and the optional local python3 both implement it. */
export interface ProgramExecutor {
  execute(request: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult>;
}
