// `thoughtscope serve`: the techniques as an OpenAI-compatible server (core/serve) for Continue, Open
// WebUI, scripts and promptfoo. The first line on stdout is `listening http://<host>:<port>`; each
// request's run is saved to the runs folder; it runs until Ctrl+C (or SIGTERM).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RunStore } from '../core/history/runStore';
import type { ChatModel } from '../core/model/types';
import { startServer } from '../core/serve/server';
import { isTaskFileName, taskIds } from '../core/tasks/registry';
import { TECHNIQUES } from '../core/techniques/registry';
import { toTrace } from '../core/trace';
import { parseParamFlags, positiveNumber, UsageError } from './args';
import { splitParams } from './compareCommand';
import { MODEL_OPTIONS, modelSetup, parseFlags } from './modelFlags';
import { cliRunProfiles, readProfilesFile } from './profilesFlag';
import { cliStorageDir } from './storageDir';
import { stopTracing, tracingFromEnvironment } from './tracing';
import { SERVE_USAGE } from './serveUsage';
import { cliTask, cliTemplates } from './templatesFlag';

const SERVE_OPTIONS = {
  ...MODEL_OPTIONS,
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8788' },
  token: { type: 'string' },
  'no-auth': { type: 'boolean', default: false },
  profiles: { type: 'string' },
  param: { type: 'string', short: 'p', multiple: true },
  task: { type: 'string', default: 'auto' },
  concurrency: { type: 'string', default: '16' },
  'max-calls': { type: 'string', default: '300' },
  'max-tokens': { type: 'string' },
  'max-usd': { type: 'string' },
  'runs-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseFlags(() => parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true, allowPositionals: false }).values);
  if (args.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const port = positiveNumber('port', args.port, { integer: true })!;
  if (port > 65535) throw new UsageError(`--port must be 0..65535, got ${port}`);
  // Templates: built-in, the current directory's .thoughtscope/templates, then --templates. A --task file is
  // read now, so a broken one stops the server before it listens; requests name it by its id.
  const templates = cliTemplates(args.templates);
  const taskFile = isTaskFileName(args.task) ? cliTask(args.task, '', templates) : undefined;
  if (!taskFile && !taskIds().includes(args.task)) throw new UsageError(`unknown --task "${args.task}"; known: ${taskIds().join(', ')}, or a task file (*.task.yaml)`);
  const envToken = process.env.THOUGHTSCOPE_SERVE_TOKEN?.trim() || undefined;
  if (args['no-auth'] && (args.token || envToken)) throw new UsageError('give either --token (or THOUGHTSCOPE_SERVE_TOKEN) or --no-auth, not both');
  const generated = !args['no-auth'] && !args.token && !envToken;
  const token = args['no-auth'] ? undefined : args.token ?? envToken ?? randomBytes(18).toString('base64url');

  const setup = modelSetup(args);
  if (!setup.defaultModel) throw new UsageError('--model is required (or set THOUGHTSCOPE_MODEL)');
  const warn = (m: string) => args.quiet || process.stderr.write(`thoughtscope: ${m}\n`);
  const profiles = args.profiles ? cliRunProfiles(readProfilesFile(args.profiles), { timeoutMs: positiveNumber('timeout', args.timeout, { min: 1 })! * 1000, stream: args.stream, warn }) : [];
  const defaultModel = setup.make(setup.defaultModel);
  const others = new Map<string, ChatModel>();
  const resolve = (target: string): ChatModel | undefined => {
    if (target === '' || target === defaultModel.model) return defaultModel;
    const profile = profiles.find((p) => p.name === target);
    if (profile) return profile.model;
    // Any other name is a model at the upstream, which decides whether it exists.
    if (!others.has(target)) others.set(target, setup.make(target));
    return others.get(target);
  };
  const store = new RunStore(args['runs-dir'] ?? join(cliStorageDir(), 'runs'));
  const tracing = tracingFromEnvironment(warn);

  let server;
  try {
    server = await startServer({
      host: args.host,
      port,
      token,
      defaults: {
        task: taskFile?.id ?? args.task,
        ...(taskFile ? { tasks: new Map([[taskFile.id, taskFile]]) } : {}),
        params: Object.fromEntries(splitParams(parseParamFlags(args.param), TECHNIQUES)),
        budget: {
          maxCalls: positiveNumber('max-calls', args['max-calls'], { integer: true, min: 1 }),
          maxTokens: positiveNumber('max-tokens', args['max-tokens'], { integer: true, min: 1 }),
          maxUsd: positiveNumber('max-usd', args['max-usd']),
        },
      },
      targets: () => [defaultModel.model, ...profiles.filter((p) => p.model).map((p) => p.name)],
      resolve,
      profiles,
      concurrency: positiveNumber('concurrency', args.concurrency, { integer: true, min: 1 }),
      runOptions: { pricing: setup.pricing, retry: setup.retry },
      techniqueHost: { baseDir: process.cwd(), storageDir: cliStorageDir(), templates },
      onRunStart: (served) => tracing?.watch(served.run, { technique: served.technique, params: served.params, input: served.input, task: served.task, baseUrl: setup.baseUrl, attributes: { 'thoughtscope.request_id': served.requestId, 'thoughtscope.served_model': served.modelName } }),
      save: (report, run) => store.save(toTrace(report, run.graph), { baseUrl: setup.baseUrl }).id,
      log: { info: (m) => warn(m), warn: (m) => warn(m), error: (m) => process.stderr.write(`thoughtscope: ${m}\n`) },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${args.host} is in use; pick another with --port (0: any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${args.host}: not an address of this machine`);
    throw new UsageError((err as Error).message);
  }
  process.stdout.write(`listening ${server.url}\n`);
  if (generated) process.stderr.write(`thoughtscope: clients must send this token as their API key (or start with --token / THOUGHTSCOPE_SERVE_TOKEN): ${token}\n`);
  warn(`models: <technique>:${defaultModel.model}${profiles.length ? ` or <technique>:<profile>` : ''} (GET ${server.url}/v1/models); runs saved in ${store.dir}`);

  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      warn('stopping');
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  await stopTracing(tracing, (m) => process.stderr.write(`thoughtscope: ${m}\n`));
  return 0;
}
