// thoughtscope.profiles and thoughtscope.activeProfile: read, checked, one clear error naming the setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { profileNameFrom, serverProfileName, validateProfiles } from '../../src/core/profiles';
import { readSettings, SettingsError, type ConfigSource } from '../../src/settings/settings';
import { restrictedConfigurations } from '../../src/settings/settingsSchema';

const config = (values: Record<string, unknown>): ConfigSource => ({ get: <T>(key: string) => values[key] as T | undefined });
const mini = { name: 'mini', provider: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' };

test('no profiles by default; the active profile is read when it exists', () => {
  const none = readSettings(config({}));
  assert.deepEqual(none.profiles, []);
  assert.equal(none.activeProfile, undefined);
  const s = readSettings(config({ profiles: [mini, { name: 'copilot', provider: 'vscode-lm', vendor: 'copilot' }], activeProfile: 'copilot' }));
  assert.deepEqual(s.profiles.map((p) => p.name), ['mini', 'copilot']);
  assert.equal(s.activeProfile, 'copilot');
});

test('bad profile settings stop the run with one line naming the setting', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ activeProfile: 'gone', profiles: [mini] }, 'thoughtscope.activeProfile', /names "gone", which is not in thoughtscope.profiles; known: mini/],
    [{ profiles: [{ ...mini, apiKey: 'sk-x' }] }, 'thoughtscope.profiles', /"apiKey" is not allowed/],
    [{ profiles: [mini, { name: 'c', provider: 'cascade', stages: ['mini'], thresholds: [] }], activeProfile: 'c' }, 'thoughtscope.activeProfile', /is a cascade/],
  ];
  for (const [values, setting, pattern] of cases) {
    assert.throws(() => readSettings(config(values)), (err: unknown) => {
      assert.ok(err instanceof SettingsError);
      assert.equal(err.setting, setting);
      assert.match(err.message, pattern);
      return true;
    });
  }
});

test('an untrusted workspace cannot set profiles or the active profile', () => {
  const restricted = restrictedConfigurations();
  assert.ok(restricted.includes('thoughtscope.profiles'));
  assert.ok(restricted.includes('thoughtscope.activeProfile'));
});

test('Set Up a Model names a server profile by its domain, or by host and port for an IP address or localhost', () => {
  assert.equal(serverProfileName(new URL('https://api.openai.com/v1'), 'gpt-4o-mini'), 'openai-gpt-4o-mini');
  assert.equal(serverProfileName(new URL('https://res.openai.azure.com/openai/v1'), 'my deployment'), 'azure-my-deployment');
  assert.equal(serverProfileName(new URL('http://127.0.0.1:8000/v1'), 'llama3'), '127.0.0.1-8000-llama3', 'not "0-llama3"');
  assert.notEqual(serverProfileName(new URL('http://127.0.0.1:1234/v1'), 'llama3'), serverProfileName(new URL('http://127.0.0.1:8000/v1'), 'llama3'), 'two local servers, two names');
  assert.equal(serverProfileName(new URL('http://localhost:1234/v1'), 'qwen2.5:7b'), 'localhost-1234-qwen2.5-7b');
  assert.equal(serverProfileName(new URL('http://[::1]:8000/v1'), 'm'), '1-8000-m');
  assert.equal(profileNameFrom('__x'), 'x', 'a name starts with a letter or digit, as validateProfiles requires');
  assert.equal(profileNameFrom('ollama-' + 'a'.repeat(80)).length, 64);
  for (const name of [serverProfileName(new URL('http://[::1]:8000/v1'), 'm'), profileNameFrom('__x'), profileNameFrom('ollama-llama3.2:latest')]) {
    assert.deepEqual(validateProfiles([{ name, provider: 'openai-compatible', baseUrl: 'http://x/v1', model: 'm' }], 'test').map((p) => p.name), [name]);
  }
});
