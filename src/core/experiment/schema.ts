// The JSON Schema of experiment files (thoughtscope.yaml), built from the declarations it describes:
// the scorers and the built-in tasks with one (or a task file's path), the techniques and each
// technique's parameters. `npm run gen:schemas` writes it
// to schemas/experiment.schema.json, which VS Code uses to complete and check the file (yamlValidation,
// jsonValidation); the loader checks files against this same object, and a unit test fails when the
// published file drifts from it.
import { evalTaskIds } from '../eval/evalTask';
import { TASK_FILE_PATTERN } from '../tasks/taskFile';
import type { ParamSpec } from '../techniques/params';
import { TECHNIQUES } from '../techniques/registry';

type Schema = Record<string, unknown>;

/** A run label, model or profile name: also part of file names. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** "tot accuracy >= 0.6", "cost per item <= $0.01", "cot@gpt-4o-mini median errors < 3". */
export const THRESHOLD_PATTERN = '^\\s*(?:[A-Za-z0-9][A-Za-z0-9._-]*(?:@[A-Za-z0-9][A-Za-z0-9._:/-]*)?\\s+)?[a-z][a-z -]*[a-z]\\s*(?:>=|<=|==|=|>|<|≥|≤)\\s*\\$?-?[0-9.]+%?\\s*$';

function paramSchema(spec: ParamSpec): Schema {
  const base = { description: spec.description, default: spec.default };
  switch (spec.type) {
    case 'integer':
    case 'number':
      return { type: spec.type, minimum: spec.min, maximum: spec.max, ...base };
    case 'enum':
      return { enum: [...spec.options], ...base };
    case 'boolean':
      return { type: 'boolean', ...base };
    case 'string':
      return { type: 'string', maxLength: spec.maxLength, ...base };
  }
}

const price = { type: 'object', additionalProperties: false, required: ['input', 'output'], properties: { input: { type: 'number', minimum: 0 }, output: { type: 'number', minimum: 0 } } };

const profile = {
  type: 'object',
  required: ['name'],
  description: 'A model profile, in the shape of the thoughtscope.profiles setting; its key comes from the environment variable named by apiKeyEnv (or, in VS Code, secret storage), never from this file.',
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN },
    provider: { enum: ['openai-compatible', 'vscode-lm', 'cascade'], default: 'openai-compatible' },
    baseUrl: { type: 'string' },
    model: { type: 'string' },
    vendor: { type: 'string' },
    embeddingModel: { type: 'string' },
    price,
    maxConcurrency: { type: 'integer', minimum: 1, maximum: 64 },
    apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    stages: { type: 'array', items: { type: 'string' } },
    thresholds: { type: 'array', items: { type: 'number' } },
    scorer: { enum: ['agreement', 'judge'] },
    samples: { type: 'integer', minimum: 1, maximum: 20 },
  },
};

export function experimentSchema(): Schema {
  const techniqueIds = TECHNIQUES.map((t) => t.id);
  const taskIds = evalTaskIds();
  const paramsByTechnique = TECHNIQUES.map((t) => ({
    if: { properties: { technique: { const: t.id } }, required: ['technique'] },
    then: { properties: { params: { type: 'object', additionalProperties: false, properties: Object.fromEntries(t.params.map((p) => [p.name, paramSchema(p)])) } } },
  }));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Thoughtscope experiment',
    description: 'Techniques × models on a task and its dataset, with pass thresholds. Run it with `thoughtscope eval -c thoughtscope.yaml` or, in VS Code, Thoughtscope: Run Experiment.',
    type: 'object',
    additionalProperties: false,
    required: ['task', 'techniques'],
    properties: {
      name: { type: 'string', pattern: NAME_PATTERN, description: 'Names the experiment and its output folder (default: the file name without its extension).' },
      task: {
        description: `How answers are judged and which prompts are sent: ${taskIds.join(', ')}, or a task file (*.task.yaml, relative to this file) with its templates, answer extraction, scorer, examples and data.`,
        anyOf: [
          { enum: taskIds },
          { type: 'string', pattern: TASK_FILE_PATTERN, description: 'A task file (schemas/task.schema.json), relative to this file.' },
        ],
      },
      templates: {
        type: 'string',
        minLength: 1,
        description: 'A folder of <name>.liquid templates (relative to this file) over the built-in ones and the workspace\'s .thoughtscope/templates, as --templates DIR: a task file\'s templates, or your own versions of any prompt.',
      },
      dataset: {
        description: 'The items: a JSONL or CSV file (relative to this file), or an object with the file and a row range. game24 defaults to the ToT paper\'s 24.csv, the got-* tasks to their shipped files, a task with a scorer (a task file too) to the data file it names.',
        anyOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              file: { type: 'string', minLength: 1, description: 'JSONL lines {"input", "expected"} or a CSV (game24: 24.csv).' },
              from: { type: 'integer', minimum: 0, description: 'First row (0-based), included.' },
              to: { type: 'integer', minimum: 0, description: 'Last row, included.' },
              size: { type: 'integer', enum: [32, 64, 128], description: 'got-sorting, got-set-intersection: which shipped dataset.' },
            },
          },
        ],
      },
      items: { type: 'integer', minimum: 1, description: 'How many items to run: the first N of the dataset (after from/to). Default: all.' },
      concurrency: { type: 'integer', minimum: 1, maximum: 256, default: 4, description: 'Requests (and items) in flight at once.' },
      budget: {
        type: 'object',
        additionalProperties: false,
        description: 'Spending limits. A run stopped by a limit leaves its items unfinished (the experiment fails; --resume finishes them).',
        properties: {
          maxUsd: { type: 'number', minimum: 0, description: 'The whole experiment: no new item starts once this much USD was spent (known prices only).' },
          perRun: {
            type: 'object',
            additionalProperties: false,
            description: 'Each item\'s run stops at these limits.',
            properties: { maxCalls: { type: 'integer', minimum: 1 }, maxTokens: { type: 'integer', minimum: 1 }, maxUsd: { type: 'number', minimum: 0 } },
          },
        },
      },
      server: {
        type: 'object',
        additionalProperties: false,
        description: 'Where plain model names are sent (CLI; default --base-url, $OPENAI_BASE_URL, else Ollama). VS Code uses thoughtscope.baseUrl and its stored key.',
        properties: {
          baseUrl: { type: 'string', pattern: '^https?://' },
          apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'The environment variable holding the key (default OPENAI_API_KEY). Keys never go in this file.' },
        },
      },
      models: {
        type: 'array',
        minItems: 1,
        description: 'Every technique runs on every model: a model name at the server, or a profile. Default: the CLI\'s --model or VS Code\'s thoughtscope.model.',
        items: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'object', additionalProperties: false, required: ['profile'], properties: { profile: { type: 'string', pattern: NAME_PATTERN } } },
          ],
        },
      },
      profiles: {
        description: 'Model profiles the models and techniques may name: a list, or a JSON file of one (as --profiles takes). VS Code adds thoughtscope.profiles.',
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: profile }],
      },
      pricing: {
        description: 'USD per million tokens by model name, added to the built-in prices: an object, or a JSON file of one.',
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', additionalProperties: price }],
      },
      techniques: {
        type: 'array',
        minItems: 1,
        description: 'The techniques to compare: an id, or an object with its parameters and a label (needed when one technique appears twice).',
        items: {
          anyOf: [
            { enum: techniqueIds },
            {
              type: 'object',
              additionalProperties: false,
              required: ['technique'],
              properties: {
                technique: { enum: techniqueIds },
                label: { type: 'string', pattern: NAME_PATTERN, description: 'Names this run in thresholds and file names (default: the technique id).' },
                params: { type: 'object', description: 'The technique\'s parameters (see `thoughtscope techniques`).' },
              },
              allOf: paramsByTechnique,
            },
          ],
        },
      },
      thresholds: {
        type: 'array',
        description:
          'Pass conditions, each "[label[@model]] metric op value": metric is accuracy, sample accuracy, best of k, cost per item, tokens per item, calls per item, median errors, mean errors, median score or mean score; op one of >= <= > < =. E.g. "tot accuracy >= 0.6", "cost per item <= $0.01". Without a label every run must pass.',
        items: { type: 'string', pattern: THRESHOLD_PATTERN },
      },
      output: { type: 'string', minLength: 1, description: 'Folder for results, checkpoints, traces and report.md (relative to this file). Default: .thoughtscope/experiments/<name>.' },
      traces: { type: 'boolean', default: true, description: 'Keep each item\'s run trace (<run>.traces.jsonl).' },
    },
  };
}
