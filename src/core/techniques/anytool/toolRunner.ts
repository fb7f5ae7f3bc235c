// Runs one tool call the model asked for. The arguments are untrusted text: they are parsed as JSON
// and checked against the tool's JSON Schema before anything runs, and every failure (bad JSON,
// schema violations, an unknown tool, the tool's own error) comes back as a one-line message for the
// model to act on. Only a cancelled run throws.
import { isAbortError } from '../../run/limiter';
import { BUILTIN_IMPLEMENTATIONS, runCode, type ToolContext } from './builtinTools';
import { validatorOf, type CatalogTool } from './catalog';

export interface ToolOutcome {
  ok: boolean;
  /** The tool's output, or what went wrong. */
  output: string;
}

const MAX_OUTPUT = 4000;

export function schemaErrors(tool: CatalogTool, args: unknown): string | undefined {
  const validate = validatorOf(tool);
  if (validate(args)) return undefined;
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath ? `"${e.instancePath.slice(1).replace(/\//g, '.')}"` : 'the arguments'} ${e.message ?? 'are invalid'}${e.params && 'additionalProperty' in e.params ? ` ("${String(e.params.additionalProperty)}")` : ''}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`)
    .join('; ');
}

export async function runToolCall(tool: CatalogTool | undefined, name: string, rawArguments: string, ctx: ToolContext): Promise<ToolOutcome> {
  if (!tool) return { ok: false, output: `Error: there is no tool "${name}" among the tools offered` };
  let args: unknown;
  try {
    args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch (err) {
    return { ok: false, output: `Error: the arguments of ${name} are not valid JSON (${(err as Error).message}); send one JSON object` };
  }
  const invalid = schemaErrors(tool, args);
  if (invalid) return { ok: false, output: `Error: bad arguments for ${name}: ${invalid}. Expected: ${JSON.stringify(tool.parameters)}` };
  const impl = tool.implementation;
  try {
    let output: string;
    if (typeof impl === 'object') {
      // A catalog tool written in JavaScript: its body runs in the sandbox with `args` bound.
      output = await runCode('javascript', `const args = ${JSON.stringify(args)};\n${impl.javascript}`, ctx.signal);
    } else {
      const run = impl === undefined ? undefined : BUILTIN_IMPLEMENTATIONS[impl];
      if (!run) return { ok: false, output: `Error: ${name} has no local implementation${impl ? ` ("${impl}" is not a built-in tool)` : ''}; it cannot be called here` };
      output = await run(args as Record<string, unknown>, ctx);
    }
    return { ok: true, output: output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}… (cut)` : output };
  } catch (err) {
    if (isAbortError(err) || ctx.signal?.aborted) throw err;
    return { ok: false, output: `Error: ${name} failed: ${(err as Error).message.split('\n')[0]}` };
  }
}
