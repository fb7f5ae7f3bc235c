// `thoughtscope`: the same engine as the extension, from a shell.
//   thoughtscope techniques [--json]
//   thoughtscope run --technique <id> --model <name> (--input <text> | --input-file <path>) [...]
//   thoughtscope --version
import { UsageError } from './args';
import { endQuietlyOnBrokenPipe } from './brokenPipe';
import { packageVersion } from './puzzlesPath';
import { USAGE } from './usage';
import { cacheCommand } from './cacheCommand';
import { calibrateCommand } from './calibrateCommand';
import { compareCommand } from './compareCommand';
import { diffCommand } from './diffCommand';
import { evalCommand } from './evalCommand';
import { pricesCommand } from './pricesCommand';
import { reportCommand } from './reportCommand';
import { runCommand } from './runCommand';
import { serveCommand } from './serveCommand';
import { techniquesCommand } from './techniquesCommand';
import { tracingAbandoned } from './tracing';
import { templatesCommand } from './templatesCommand';
import { importPromptsCommand } from './importPromptsCommand';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (command === 'techniques') return techniquesCommand(rest);
  if (command === 'run') return runCommand(rest);
  if (command === 'eval') return evalCommand(rest);
  if (command === 'calibrate') return calibrateCommand(rest);
  if (command === 'compare') return compareCommand(rest);
  if (command === 'report') return reportCommand(rest);
  if (command === 'prices') return pricesCommand(rest);
  if (command === 'serve') return serveCommand(rest);
  if (command === 'templates') return templatesCommand(rest);
  if (command === 'import-prompts') return importPromptsCommand(rest);
  if (command === 'cache') return cacheCommand(rest);
  if (command === 'diff') return diffCommand(rest);
  throw new UsageError(`unknown command "${command}"; expected run, techniques, eval, compare, report, diff, calibrate, prices, serve, templates, import-prompts, cache (see thoughtscope --help)`);
}

endQuietlyOnBrokenPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // An OpenTelemetry exporter still retrying a collector that is down would hold the exit for its timeout.
    if (tracingAbandoned()) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`thoughtscope: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`thoughtscope: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
