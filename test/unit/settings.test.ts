// Settings validation: defaults, bounds, and one clear error naming the setting.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { scorerForTask } from '../../src/core/eval/taskScorer';
import { TemplateLibrary } from '../../src/core/templates/library';
import { workspaceTemplates } from '../../src/techniques/workspaceTemplates';
import { findTechnique } from '../../src/core/techniques/registry';
import { parseHeaders } from '../../src/core/otel/config';
import { restrictedConfigurations } from '../../src/settings/settingsSchema';
import { DEFAULT_GROWTH_LIMITS } from '../../src/core/graph/growth';
import { readOtelSettings, readProxySettings, readSettings, readTechniqueParams, settingsTask, SettingsError, type ConfigSource, type TaskFileScope } from '../../src/settings/settings';

function config(values: Record<string, unknown> = {}): ConfigSource {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

function rejects(values: Record<string, unknown>, setting: string, pattern: RegExp): void {
  assert.throws(
    () => readSettings(config(values)),
    (err: unknown) => {
      assert.ok(err instanceof SettingsError, `a SettingsError, got ${String(err)}`);
      assert.equal(err.setting, setting);
      assert.ok(err.message.includes(`"${setting}"`), `message names ${setting}: ${err.message}`);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    },
  );
}

test('defaults: the local Ollama server, 4 at a time, a call and dollar budget', () => {
  const s = readSettings(config());
  assert.equal(s.provider, 'openai-compatible');
  assert.equal(s.baseUrl, 'http://localhost:11434/v1');
  assert.equal(s.model, 'llama3.2');
  assert.equal(s.task, 'auto');
  assert.equal(s.temperature, undefined);
  assert.equal(s.concurrency, 4);
  assert.equal(s.requestTimeoutMs, 120_000);
  assert.equal(s.maxRetries, 3);
  assert.equal(s.stream, false);
  assert.deepEqual(s.budget, { maxCalls: 300, maxTokens: undefined, maxUsd: 1, unpricedUsd: 'ignore' });
  assert.deepEqual(s.pricing, {});
});

test('the default dollar budget leaves an unpriced model alone; one the user set refuses it', () => {
  const inspectFrom = (globalValue: unknown) => ({
    get: <T>(key: string) => (key === 'budget.maxUsd' ? (globalValue as T | undefined) : undefined),
    inspect: (key: string) => (key === 'budget.maxUsd' ? { globalValue } : {}),
  });
  assert.equal(readSettings(inspectFrom(undefined)).budget.unpricedUsd, 'ignore');
  const set = readSettings(inspectFrom(2));
  assert.equal(set.budget.maxUsd, 2);
  assert.equal(set.budget.unpricedUsd, 'refuse');
});

test('values are read and 0 budgets mean no limit', () => {
  const s = readSettings(
    config({
      baseUrl: ' https://example.openai.azure.com/openai/v1 ',
      model: 'gpt-4o-mini',
      task: 'game24',
      temperature: 0,
      concurrency: 64,
      requestTimeoutSeconds: 2.5,
      maxRetries: 0,
      stream: true,
      'budget.maxCalls': 0,
      'budget.maxTokens': 5000,
      'budget.maxUsd': 0,
      pricing: { 'my-model': { input: 0.5, output: 1.5 } },
    }),
  );
  assert.equal(s.baseUrl, 'https://example.openai.azure.com/openai/v1');
  assert.equal(s.task, 'game24');
  assert.equal(s.temperature, 0);
  assert.equal(s.concurrency, 64);
  assert.equal(s.requestTimeoutMs, 2500);
  assert.equal(s.maxRetries, 0);
  assert.equal(s.stream, true);
  assert.deepEqual(s.budget, { maxCalls: undefined, maxTokens: 5000, maxUsd: undefined, unpricedUsd: 'refuse' });
  assert.deepEqual(s.pricing, { 'my-model': { input: 0.5, output: 1.5 } });
});

test('invalid settings name the setting', () => {
  rejects({ concurrency: 0 }, 'thoughtscope.concurrency', /whole number from 1 to 64, got 0/);
  rejects({ concurrency: 65 }, 'thoughtscope.concurrency', /got 65/);
  rejects({ concurrency: 2.5 }, 'thoughtscope.concurrency', /whole number/);
  rejects({ concurrency: '4' }, 'thoughtscope.concurrency', /got "4"/);
  rejects({ baseUrl: 'ftp://example.com' }, 'thoughtscope.baseUrl', /http:\/\/ or https:\/\//);
  rejects({ baseUrl: 'localhost:11434' }, 'thoughtscope.baseUrl', /./);
  rejects({ baseUrl: '' }, 'thoughtscope.baseUrl', /empty/);
  rejects({ model: '  ' }, 'thoughtscope.model', /empty/);
  rejects({ provider: 'anthropic' }, 'thoughtscope.provider', /openai-compatible/);
  rejects({ task: 'chess' }, 'thoughtscope.task', /auto, generic, game24/);
  rejects({ temperature: 3 }, 'thoughtscope.temperature', /from 0 to 2/);
  rejects({ requestTimeoutSeconds: 0 }, 'thoughtscope.requestTimeoutSeconds', /from 1 to 3600/);
  rejects({ maxRetries: -1 }, 'thoughtscope.maxRetries', /from 0 to 10/);
  rejects({ 'budget.maxUsd': -1 }, 'thoughtscope.budget.maxUsd', />= 0/);
  rejects({ stream: 'yes' }, 'thoughtscope.stream', /true or false/);
  rejects({ pricing: { m: { input: 1 } } }, 'thoughtscope.pricing', /price of "m"/);
  rejects({ pricing: [] }, 'thoughtscope.pricing', /must be an object/);
});

test('technique parameters come from thoughtscope.techniques.<id>.<param>', () => {
  const io = findTechnique('io')!;
  assert.deepEqual(readTechniqueParams(config(), io), { samples: 1, temperature: 0.7 });
  assert.deepEqual(readTechniqueParams(config({ 'techniques.io.samples': 3 }), io), { samples: 3, temperature: 0.7 });
  assert.deepEqual(readTechniqueParams(config({ 'techniques.io.temperature': 1 }), io, 0.2), { samples: 1, temperature: 0.2 });
  const tot = findTechnique('tot')!;
  const defaults = Object.fromEntries(tot.params.map((p) => [p.name, p.default]));
  assert.deepEqual(readTechniqueParams(config(), tot), defaults);
});

test('an invalid technique parameter names its setting', () => {
  const io = findTechnique('io')!;
  assert.throws(
    () => readTechniqueParams(config({ 'techniques.io.samples': 0 }), io),
    (err: unknown) =>
      err instanceof SettingsError &&
      err.setting === 'thoughtscope.techniques.io.samples' &&
      err.message === 'Setting "thoughtscope.techniques.io.samples" must be between 1 and 100, got 0',
  );
  const tot = findTechnique('tot')!;
  const enumParam = tot.params.find((p) => p.type === 'enum');
  if (enumParam) {
    assert.throws(
      () => readTechniqueParams(config({ [`techniques.tot.${enumParam.name}`]: 'nonsense' }), tot),
      (err: unknown) => err instanceof SettingsError && err.setting === `thoughtscope.techniques.tot.${enumParam.name}` && /must be one of/.test(err.message),
    );
  }
});

test('growth limits: the engine\'s defaults, read when set, and refused out of range with the setting named', () => {
  assert.deepEqual(readSettings(config()).growth, DEFAULT_GROWTH_LIMITS);
  assert.deepEqual(readSettings(config({ 'limits.maxNodes': 50, 'limits.maxDepth': 7, 'limits.maxMemoryMb': 64 })).growth, { maxNodes: 50, maxDepth: 7, maxMemoryBytes: 64 * 1024 * 1024 });
  rejects({ 'limits.maxNodes': 0 }, 'thoughtscope.limits.maxNodes', /must be a whole number >= 1, got 0/);
  rejects({ 'limits.maxMemoryMb': 1e6 }, 'thoughtscope.limits.maxMemoryMb', /from 16 to 65536/);
});

test('reasoning effort and seed: empty by default, read when set, and refused with the setting named', () => {
  const defaults = readSettings(config());
  assert.deepEqual([defaults.reasoningEffort, defaults.seed], [undefined, undefined]);
  const set = readSettings(config({ reasoningEffort: 'high', seed: 1234 }));
  assert.deepEqual([set.reasoningEffort, set.seed], ['high', 1234]);
  rejects({ reasoningEffort: 'max' }, 'thoughtscope.reasoningEffort', /must be one of , minimal, low, medium, high, got "max"/);
  rejects({ seed: 1.5 }, 'thoughtscope.seed', /whole number/);
  rejects({ pricing: { m: { input: 1, output: 2, cachedInput: 'cheap' } } }, 'thoughtscope.pricing', /cachedInput/);
});

test('the proxy: port 8788 and a token by default', () => {
  assert.deepEqual(readProxySettings(config()), { port: 8788, tokenRequired: true });
  assert.deepEqual(readProxySettings(config({ 'proxy.port': 0, 'proxy.tokenRequired': false })), { port: 0, tokenRequired: false });
  assert.throws(() => readProxySettings(config({ 'proxy.port': 70000 })), (err: unknown) => err instanceof SettingsError && err.setting === 'thoughtscope.proxy.port');
});

test('OpenTelemetry: off by default; an endpoint gets /v1/traces; a bad one names the setting', () => {
  assert.deepEqual(readOtelSettings(config()), { url: undefined, protocol: 'http/protobuf', captureContent: false });
  assert.equal(readOtelSettings(config({ 'otel.endpoint': 'http://localhost:4318' })).url, 'http://localhost:4318/v1/traces');
  assert.equal(readOtelSettings(config({ 'otel.endpoint': 'https://cloud.langfuse.com/api/public/otel/' })).url, 'https://cloud.langfuse.com/api/public/otel/v1/traces');
  assert.equal(readOtelSettings(config({ 'otel.endpoint': 'http://c:4318/v1/traces' })).url, 'http://c:4318/v1/traces');
  assert.throws(() => readOtelSettings(config({ 'otel.endpoint': 'localhost:4318' })), (err: unknown) => err instanceof SettingsError && err.setting === 'thoughtscope.otel.endpoint' && /http:\/\/ or https:\/\//.test(err.message));
  assert.throws(() => readOtelSettings(config({ 'otel.protocol': 'grpc' })), (err: unknown) => err instanceof SettingsError && err.setting === 'thoughtscope.otel.protocol');
});

test('OpenTelemetry headers are name=value pairs, as in OTEL_EXPORTER_OTLP_HEADERS', () => {
  assert.deepEqual(parseHeaders('Authorization=Basic%20abc=, x-team = evals'), { Authorization: 'Basic abc=', 'x-team': 'evals' });
  assert.deepEqual(parseHeaders(''), {});
  assert.throws(() => parseHeaders('no equals sign'), /is not a header name/);
  assert.throws(() => parseHeaders('bad name=1'), /"bad name" is not a header name/);
});

describe('thoughtscope.task naming a task file', () => {
  // A workspace of the test's own: the task file, its template in .thoughtscope/templates, as a user writes them.
  const folder = mkdtempSync(join(tmpdir(), 'thoughtscope-settings-task-'));
  mkdirSync(join(folder, 'tasks'));
  mkdirSync(join(folder, '.thoughtscope', 'templates', 'units'), { recursive: true });
  writeFileSync(join(folder, '.thoughtscope', 'templates', 'units', 'cot.liquid'), 'UNITS{% for e in examples %} [{{ e.input }} = {{ e.answer }}]{% endfor %} {{ input }}');
  const UNITS = 'id: units\ndescription: Unit conversions\ndefaultSteps: 2\ntemplates:\n  cot: units/cot\nanswer:\n  pattern: \'^Result:\\s*(.+)$\'\nscorer:\n  type: numeric\n  tolerance: 0.01\nexamples:\n  - { input: "2 km in m?", answer: "2000" }\n';
  writeFileSync(join(folder, 'tasks', 'units.task.yaml'), UNITS);
  writeFileSync(join(folder, 'tasks', 'broken.task.yaml'), UNITS.replace('scorer:', 'scorrer:'));
  const trusted = { folder, trusted: true };

  /** The one-line SettingsError of reading `task` in `scope`, checked to name the setting. */
  function settingsError(task: string, scope?: TaskFileScope): string {
    try {
      readSettings(config({ task }), scope);
    } catch (err) {
      assert.ok(err instanceof SettingsError, String(err));
      assert.equal(err.setting, 'thoughtscope.task');
      assert.ok(err.message.startsWith('Setting "thoughtscope.task"'), err.message);
      assert.ok(!err.message.includes('\n'), 'one line');
      return err.message;
    }
    assert.fail(`${task} was accepted`);
  }

  it('is read relative to the first workspace folder, and runs get its templates, examples, answer reading and steps', () => {
    const settings = readSettings(config({ task: 'tasks/units.task.yaml' }), trusted);
    assert.equal(settings.task, 'tasks/units.task.yaml');
    assert.equal(settings.taskFile, join(folder, 'tasks', 'units.task.yaml'));
    const task = settingsTask(settings, 'anything', workspaceTemplates(folder, true));
    assert.equal(task.id, 'units');
    assert.equal(task.defaultSteps, 2);
    assert.equal(task.cotPrompt('5 km in m?', false).text, 'UNITS [2 km in m? = 2000] 5 km in m?');
    assert.equal(task.extractAnswer('so\nResult: 5000\nAnswer: 7'), '5000');
    assert.equal(scorerForTask(task)!.score({ index: 0, input: 'q', expected: '5000' }, '5040'), true, 'its tolerance');
  });

  it('a built-in id still resolves as before, "auto" by the input', () => {
    const settings = readSettings(config({ task: 'auto' }), trusted);
    assert.equal(settings.taskFile, undefined);
    assert.equal(settingsTask(settings, '4 9 10 13', TemplateLibrary.builtIn()).id, 'game24');
    assert.equal(settingsTask(settings, 'Why?', TemplateLibrary.builtIn()).id, 'generic');
  });

  it('a file of an untrusted workspace is never read; a full path from the user settings is', () => {
    assert.match(settingsError('tasks/units.task.yaml', { folder, trusted: false }), /names a task file in the workspace \(tasks\/units\.task\.yaml\), which is read only in a trusted workspace/);
    assert.match(settingsError('tasks/units.task.yaml'), /read only in a trusted workspace/);
    // A full path is the user's own choice (VS Code ignores an untrusted workspace's value of this restricted setting).
    const absolute = join(folder, 'tasks', 'units.task.yaml');
    assert.equal(readSettings(config({ task: absolute }), { folder, trusted: false }).taskFile, absolute);
    assert.ok(restrictedConfigurations().includes('thoughtscope.task'));
  });

  it('a missing file, a relative path without a folder, a schema error and a missing template: one line naming the setting and the file', () => {
    assert.equal(settingsError('tasks/nope.task.yaml', trusted), `Setting "thoughtscope.task": no such task file tasks/nope.task.yaml (in ${folder})`);
    assert.match(settingsError('tasks/units.task.yaml', { folder: undefined, trusted: true }), /relative path \(tasks\/units\.task\.yaml\), which starts at the workspace folder/);
    assert.equal(settingsError('tasks/broken.task.yaml', trusted), 'Setting "thoughtscope.task": tasks/broken.task.yaml:9: unknown field "scorrer"');
    // Its template is in the workspace's .thoughtscope/templates: without them (built-in only), it is missing.
    const settings = readSettings(config({ task: 'tasks/units.task.yaml' }), trusted);
    assert.throws(
      () => settingsTask(settings, 'q', TemplateLibrary.builtIn()),
      (err: unknown) => err instanceof SettingsError && err.setting === 'thoughtscope.task' && err.message.startsWith('Setting "thoughtscope.task": tasks/units.task.yaml: templates.cot: no template named "units/cot"'),
    );
    assert.match(settingsError('units.yaml', trusted), /must be one of auto, generic, game24, .*, or a task file \(\*\.task\.yaml\), got "units\.yaml"/);
  });
});
