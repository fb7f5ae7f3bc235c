// The `thoughtscope.*` settings, declared once. `scripts/gen-settings.ts` writes package.json's
// `contributes.configuration` and the Workspace Trust list from these declarations, settings.ts
// validates against the same bounds, and test/unit/manifest.test.ts fails when package.json drifts.
// The per-technique settings come from each technique's parameter declarations.
// No vscode import: the generator and the unit tests load this file under plain Node.
import { AUTO_TASK, allTasks } from '../core/tasks/registry';
import { TASK_FILE_PATTERN } from '../core/tasks/taskFile';
import type { ParamSpec } from '../core/techniques/params';
import { TECHNIQUES } from '../core/techniques/registry';
import type { Technique } from '../core/techniques/types';

export const SECTION = 'thoughtscope';

export type JsonSchema = Record<string, unknown>;

export interface SettingDeclaration {
  /** Key below `thoughtscope.`, e.g. "budget.maxCalls". */
  key: string;
  schema: JsonSchema;
  /**
   * Ignored when set by an untrusted workspace (Workspace Trust): settings that decide where prompts
   * and the API key go, or that could lift a spending limit.
   */
  restricted?: boolean;
}

export interface ConfigurationSection {
  id: string;
  title: string;
  order: number;
  properties: Record<string, JsonSchema>;
}

export const GENERAL_SETTINGS: readonly SettingDeclaration[] = [
  {
    key: 'provider',
    restricted: true,
    schema: {
      type: 'string',
      enum: ['openai-compatible'],
      default: 'openai-compatible',
      enumDescriptions: [
        'Any server with the OpenAI Chat Completions API: OpenAI, Ollama, vLLM, LM Studio, and Azure OpenAI through its v1 endpoint (set the base URL to https://<resource>.openai.azure.com/openai/v1).',
      ],
      markdownDescription:
        'How Thoughtscope talks to the model. `openai-compatible` covers OpenAI, local servers (Ollama, vLLM, LM Studio) and Azure OpenAI: for Azure, set `#thoughtscope.baseUrl#` to `https://<resource>.openai.azure.com/openai/v1`, `#thoughtscope.model#` to your deployment name, and store the Azure key with **Thoughtscope: Set API Key**.',
    },
  },
  {
    key: 'baseUrl',
    restricted: true,
    schema: {
      type: 'string',
      default: 'http://localhost:11434/v1',
      markdownDescription:
        'Base URL of the OpenAI-compatible API. The default is a local Ollama server. Examples: `https://api.openai.com/v1`, `http://localhost:8000/v1` (vLLM), `https://<resource>.openai.azure.com/openai/v1` (Azure OpenAI). Prompts, and the API key if one is set, are sent here.',
    },
  },
  {
    key: 'model',
    restricted: true,
    schema: {
      type: 'string',
      default: 'llama3.2',
      markdownDescription: 'Model name sent with every request (for Azure OpenAI, the deployment name). Also used to look up prices.',
    },
  },
  {
    key: 'task',
    // Restricted: an untrusted workspace's settings cannot name a task file (VS Code ignores their value).
    restricted: true,
    schema: {
      // A string field rather than a drop-down: a task file's path is a value too. settings.json completes
      // the built-in ids (with their descriptions) from the first branch.
      type: 'string',
      // Getters: the built-in task files are read when the schema is first looked at, not on activation.
      get anyOf() {
        return [
          { enum: [AUTO_TASK, ...allTasks().map((t) => t.id)], enumDescriptions: ['Game of 24 when the input is four whole numbers, else generic.', ...allTasks().map((t) => t.description)] },
          { pattern: TASK_FILE_PATTERN, description: 'A task file, relative to the first workspace folder.' },
        ];
      },
      default: AUTO_TASK,
      get markdownDescription() {
        return `The kind of problem: decides the prompts the techniques send, how the final answer is read and how it is scored. One of ${[AUTO_TASK, ...allTasks().map((t) => t.id)].map((id) => `\`${id}\``).join(', ')} (\`auto\`: Game of 24 for four whole numbers, else \`generic\`), or a task file (\`*.task.yaml\`, relative to the first workspace folder) with its own templates, answer extraction, scorer and examples. A task file is read only in a trusted workspace.`;
      },
    },
  },
  {
    key: 'temperature',
    schema: {
      type: ['number', 'null'],
      default: null,
      minimum: 0,
      maximum: 2,
      markdownDescription:
        'When set, overrides the sampling temperature of every technique. Leave it empty (`null`) to use each technique’s own `temperature` setting below.',
    },
  },
  {
    key: 'reasoningEffort',
    schema: {
      type: 'string',
      enum: ['', 'minimal', 'low', 'medium', 'high'],
      enumDescriptions: ["Send none: the model's own default.", 'The least thinking (gpt-5 family only).', 'Less thinking: faster and cheaper.', "The providers' usual default.", 'The most thinking: slower, more reasoning tokens.'],
      default: '',
      markdownDescription:
        'How long a reasoning model (OpenAI o-series and gpt-5, Gemini 2.5, Ollama thinking models) thinks before answering, sent as `reasoning_effort` with every request. Empty sends none. A model that does not take it answers without it, and the run says so.',
    },
  },
  {
    key: 'seed',
    schema: {
      type: ['integer', 'null'],
      default: null,
      minimum: 0,
      maximum: 2147483647,
      markdownDescription:
        'Sampling seed. Each request is sent with a seed derived from this one (deliberate repeats get different seeds), so a run can be repeated call for call on a server that honours seeds. Empty (`null`) sends none.',
    },
  },
  {
    key: 'concurrency',
    schema: { type: 'integer', default: 4, minimum: 1, maximum: 64, markdownDescription: 'How many requests one run may have in flight at once.' },
  },
  {
    key: 'requestTimeoutSeconds',
    schema: {
      type: 'number',
      default: 120,
      minimum: 1,
      maximum: 3600,
      markdownDescription: 'A request whose whole response (headers to last byte) has not arrived within this many seconds fails with a timeout and is retried; a response body or stream that stays silent for 60 s (or this, if shorter) fails the same way.',
    },
  },
  {
    key: 'maxRetries',
    schema: {
      type: 'integer',
      default: 3,
      minimum: 0,
      maximum: 10,
      markdownDescription: 'Retries for rate limits (HTTP 429), server errors (5xx) and timeouts, with exponential backoff honouring `Retry-After`.',
    },
  },
  {
    key: 'stream',
    schema: {
      type: 'boolean',
      default: false,
      markdownDescription: 'Request streamed responses (token usage is asked for with `stream_options.include_usage`). Some servers time out less often when streaming.',
    },
  },
  {
    key: 'budget.maxCalls',
    restricted: true,
    schema: {
      type: 'integer',
      default: 300,
      minimum: 0,
      markdownDescription: 'Stop a run before it sends more than this many requests; the graph built so far is kept. `0` means no limit.',
    },
  },
  {
    key: 'budget.maxTokens',
    restricted: true,
    schema: {
      type: 'integer',
      default: 0,
      minimum: 0,
      markdownDescription: 'Stop a run once it has used this many tokens (prompt + completion). `0` means no limit.',
    },
  },
  {
    key: 'limits.maxNodes',
    schema: {
      type: 'integer',
      default: 20000,
      minimum: 1,
      markdownDescription: 'Stop a run (keeping its graph) once its graph has this many nodes: a technique or a Graph of Thoughts file that multiplies thoughts cannot fill the memory.',
    },
  },
  {
    key: 'limits.maxDepth',
    schema: {
      type: 'integer',
      default: 500,
      minimum: 1,
      markdownDescription: 'Stop a run (keeping its graph) once a chain of thoughts is this long.',
    },
  },
  {
    key: 'limits.maxMemoryMb',
    schema: {
      type: 'integer',
      default: 512,
      minimum: 16,
      maximum: 65536,
      markdownDescription: 'Stop a run (keeping its graph) once the text its graph holds takes about this many megabytes.',
    },
  },
  {
    key: 'budget.maxUsd',
    restricted: true,
    schema: {
      type: 'number',
      default: 1,
      minimum: 0,
      markdownDescription:
        'Stop a run before it costs more than this many US dollars: each request in flight holds its worst case (prompt and the most output it may write). The default applies only to models with a known price (see `#thoughtscope.pricing#`); a value you set refuses to run a model with no price. `0` means no limit.',
    },
  },
  {
    key: 'cache.enabled',
    schema: {
      type: 'boolean',
      default: true,
      markdownDescription:
        'Answer a request from the response cache when the same request (server, model, messages, parameters, seed and sample number) was sent before, in any run, comparison or evaluation. A cached answer costs nothing now; the trace and the graph mark it and show what it cost when it was sent. Turn off to send every request. **Thoughtscope: Clear Response Cache** empties it.',
    },
  },
  {
    key: 'cache.maxSizeMb',
    schema: {
      type: 'integer',
      default: 512,
      minimum: 1,
      maximum: 102400,
      markdownDescription: 'Size cap of the response cache in megabytes; past it, the answers used least recently are deleted first.',
    },
  },
  {
    key: 'cache.maxAgeDays',
    schema: {
      type: 'number',
      default: 30,
      minimum: 0.01,
      maximum: 3650,
      markdownDescription: 'How many days a cached answer is used after it was first sent; older answers are sent again.',
    },
  },
  {
    key: 'pricing',
    restricted: true,
    schema: {
      type: 'object',
      default: {},
      additionalProperties: {
        type: 'object',
        properties: {
          input: { type: 'number', minimum: 0, description: 'USD per 1M input (prompt) tokens.' },
          output: { type: 'number', minimum: 0, description: 'USD per 1M output (completion) tokens, reasoning tokens included.' },
          cachedInput: { type: 'number', minimum: 0, description: "USD per 1M prompt tokens served from the provider's prompt cache (default: the input price)." },
        },
        required: ['input', 'output'],
      },
      markdownDescription:
        'Prices in USD per million tokens, by model name, winning over the price catalog (`@pydantic/genai-prices`, the model makers\' published prices), e.g. `{ "my-model": { "input": 0.5, "output": 1.5, "cachedInput": 0.05 } }`. Costs of models without a price are shown as unknown. `thoughtscope prices <model>` shows the price used and its source.',
    },
  },
  {
    key: 'profiles',
    restricted: true,
    schema: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', description: 'Unique name; techniques (eot participants, frugal stages, team roles) use it.' },
          provider: { type: 'string', enum: ['openai-compatible', 'vscode-lm', 'cascade'], default: 'openai-compatible', description: 'openai-compatible (OpenAI, Ollama, vLLM, Azure …), vscode-lm (Copilot and other VS Code language models, no key), or cascade (a saved FrugalGPT cascade).' },
          baseUrl: { type: 'string', description: 'openai-compatible: the API base URL, e.g. http://localhost:11434/v1' },
          model: { type: 'string', description: 'The model name (vscode-lm: the model family, e.g. gpt-4o).' },
          vendor: { type: 'string', description: 'vscode-lm: the vendor, e.g. copilot.' },
          embeddingModel: { type: 'string', description: 'openai-compatible: an embeddings model of the same server, e.g. text-embedding-3-small; rag re-ranks retrieved chunks with it.' },
          price: { type: 'object', properties: { input: { type: 'number', minimum: 0 }, output: { type: 'number', minimum: 0 }, cachedInput: { type: 'number', minimum: 0 } }, required: ['input', 'output'], description: 'USD per million tokens in, out and cached in.' },
          maxConcurrency: { type: 'integer', minimum: 1, maximum: 64, description: 'Requests in flight at once for this profile.' },
          rpm: { type: 'integer', minimum: 1, description: "Requests per minute the account may send to this server and model: request starts are spaced to keep it." },
          tpm: { type: 'integer', minimum: 1, description: 'Tokens per minute the account may use on this server and model.' },
          apiKeyEnv: { type: 'string', description: 'Environment variable holding the key when none is stored (the CLI reads only this).' },
          stages: { type: 'array', items: { type: 'string' }, description: 'cascade: profile names, cheapest first.' },
          thresholds: { type: 'array', items: { type: 'number' }, description: 'cascade: acceptance score of each stage but the last.' },
          scorer: { type: 'string', enum: ['agreement', 'judge'] },
          samples: { type: 'integer', minimum: 1, maximum: 20 },
        },
      },
      markdownDescription:
        'Named model profiles, used side by side by techniques such as `eot` and `frugal`, e.g. `[{ "name": "mini", "provider": "openai-compatible", "baseUrl": "https://api.openai.com/v1", "model": "gpt-4o-mini", "price": { "input": 0.15, "output": 0.6 } }]`. Keys are never stored here: use **Thoughtscope: Set Profile API Key** (secret storage, per profile). **Thoughtscope: Set Up a Model** creates profiles for Copilot and Ollama.',
    },
  },
  {
    key: 'activeProfile',
    restricted: true,
    schema: {
      type: 'string',
      default: '',
      markdownDescription: 'The profile every run uses as its own model (shown in the status bar, click to change). Empty: `#thoughtscope.baseUrl#` and `#thoughtscope.model#`.',
    },
  },
  {
    key: 'graph.orientation',
    schema: {
      type: 'string',
      enum: ['auto', 'TD', 'LR'],
      enumDescriptions: [
        'The way the graph is shown larger in the panel it is in: a search tree runs left to right in a narrow side panel, a focused path top-down.',
        'Top-down: the question at the top, each step below the last.',
        'Left to right: the question on the left, each step to the right, siblings stacked.',
      ],
      default: 'auto',
      markdownDescription: 'Which way the thought graph is drawn, in the side panel and the editor tab.',
    },
  },
  {
    key: 'graph.focus',
    schema: {
      type: 'string',
      enum: ['auto', 'on', 'off'],
      enumDescriptions: [
        'Focus in a narrow panel (under 600 px), the whole graph in a wide one.',
        'Always open on Focus.',
        'Always open on the whole graph.',
      ],
      default: 'auto',
      markdownDescription:
        'Focus shows the path from the question to the answer (or, while a run goes on, to the best state so far) and what is being worked on next to it, at a readable size; the rest is one click away (**Whole graph**, or a "+N more" node). The panel remembers a choice made with its button.',
    },
  },
  {
    key: 'pot.localPython',
    restricted: true,
    schema: {
      type: 'boolean',
      default: false,
      scope: 'machine',
      markdownDescription:
        'Program of Thoughts: run Python programs with your local `python3` instead of the WebAssembly sandbox (Pyodide). **Not a sandbox**: a model-written program then runs as you, can read and change your files, use the network and start processes; only its run time and output are limited. Off by default; only used in trusted workspaces.',
    },
  },
  {
    key: 'proxy.port',
    schema: {
      type: 'integer',
      default: 8788,
      minimum: 0,
      maximum: 65535,
      markdownDescription: 'The port **Thoughtscope: Start Proxy** listens on, at 127.0.0.1 (`0`: any free port). Clients use `http://127.0.0.1:<port>/v1` as their OpenAI base URL.',
    },
  },
  {
    key: 'proxy.tokenRequired',
    restricted: true,
    schema: {
      type: 'boolean',
      default: true,
      markdownDescription:
        'The proxy wants a bearer token (the client’s API key), kept in secret storage: **Thoughtscope: Copy Proxy Token**. Off: any program on this machine may use the proxy, and with it your model and key.',
    },
  },
  {
    key: 'otel.endpoint',
    restricted: true,
    schema: {
      type: 'string',
      default: '',
      markdownDescription:
        'Export every run as an OpenTelemetry trace (GenAI semantic conventions) to this OTLP/HTTP endpoint, e.g. `http://localhost:4318` (Jaeger, the OpenTelemetry Collector, Phoenix, the AI Toolkit) or Langfuse’s `…/api/public/otel`; `/v1/traces` is appended unless the URL ends with it. Headers (keys) come from **Thoughtscope: Set OpenTelemetry Headers** or `OTEL_EXPORTER_OTLP_HEADERS`. Empty: no export.',
    },
  },
  {
    key: 'otel.protocol',
    schema: {
      type: 'string',
      enum: ['http/protobuf', 'http/json'],
      default: 'http/protobuf',
      markdownDescription: 'How spans are encoded for `#thoughtscope.otel.endpoint#`: protobuf (OTLP’s default) or JSON.',
    },
  },
  {
    key: 'otel.captureContent',
    restricted: true,
    schema: {
      type: 'boolean',
      default: false,
      markdownDescription: 'Also export prompts, responses, each run’s input and answer, and node texts (`gen_ai.input.messages` / `gen_ai.output.messages`). Off: only model names, tokens, cost, timings and parameters leave the machine.',
    },
  },
];

/** The settings key of one technique parameter, below `thoughtscope.`. */
export function techniqueSettingKey(techniqueId: string, paramName: string): string {
  return `techniques.${techniqueId}.${paramName}`;
}

export function paramSchema(spec: ParamSpec, order: number): JsonSchema {
  switch (spec.type) {
    case 'integer':
    case 'number':
      return { type: spec.type, default: spec.default, minimum: spec.min, maximum: spec.max, markdownDescription: spec.description, order };
    case 'enum':
      return { type: 'string', enum: [...spec.options], default: spec.default, markdownDescription: spec.description, order };
    case 'boolean':
      return { type: 'boolean', default: spec.default, markdownDescription: spec.description, order };
    case 'string':
      return { type: 'string', default: spec.default, maxLength: spec.maxLength, markdownDescription: spec.description, order };
  }
}

export function techniqueSection(technique: Technique, order: number): ConfigurationSection {
  const properties: Record<string, JsonSchema> = {};
  technique.params.forEach((spec, i) => {
    properties[`${SECTION}.${techniqueSettingKey(technique.id, spec.name)}`] = paramSchema(spec, i);
  });
  return { id: `${SECTION}.techniques.${technique.id}`, title: `Technique: ${technique.name}`, order, properties };
}

/** The whole `contributes.configuration` array: general settings, then one section per technique. */
export function configurationContribution(techniques: readonly Technique[] = TECHNIQUES): ConfigurationSection[] {
  const general: Record<string, JsonSchema> = {};
  GENERAL_SETTINGS.forEach((s, i) => {
    general[`${SECTION}.${s.key}`] = { ...s.schema, order: i };
  });
  return [
    { id: SECTION, title: 'Thoughtscope', order: 0, properties: general },
    ...techniques.map((t, i) => techniqueSection(t, i + 1)),
  ];
}

/**
 * Settings a workspace must be trusted to set (capabilities.untrustedWorkspaces.restrictedConfigurations):
 * the restricted general settings, then the technique parameters declared `restricted`.
 */
export function restrictedConfigurations(techniques: readonly Technique[] = TECHNIQUES): string[] {
  const general = GENERAL_SETTINGS.filter((s) => s.restricted).map((s) => `${SECTION}.${s.key}`);
  const params = techniques.flatMap((t) => t.params.filter((p) => p.restricted).map((p) => `${SECTION}.${techniqueSettingKey(t.id, p.name)}`));
  return [...general, ...params];
}

export function generalSetting(key: string): SettingDeclaration {
  const found = GENERAL_SETTINGS.find((s) => s.key === key);
  if (!found) throw new Error(`no setting thoughtscope.${key} is declared`);
  return found;
}
