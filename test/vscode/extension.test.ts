/// <reference types="mocha" />
// Runs inside a real VS Code desktop (see runTests.ts): activation, the contributed commands and
// view, and settings validation against VS Code's own configuration store.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readSettings, SettingsError } from '../../src/settings/settings';
import { SECTION } from '../../src/settings/settingsSchema';

const EXTENSION_ID = 'thoughtscope.thoughtscope';

interface Manifest {
  contributes: { commands: Array<{ command: string }>; views: Record<string, Array<{ id: string }>> };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed in the test instance`);
  return ext;
}

describe('Thoughtscope in VS Code', () => {
  before(async () => {
    await extension().activate();
  });

  it('activates', () => {
    assert.equal(extension().isActive, true);
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (extension().packageJSON as Manifest).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0);
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed commands without a registration');
  });

  it('opens the Thought Graph view', async () => {
    const views = Object.values((extension().packageJSON as Manifest).contributes.views).flat().map((v) => v.id);
    assert.ok(views.includes('thoughtscope.graph'));
    // `<view id>.focus` exists only for a registered view, and resolves once the view is shown.
    await vscode.commands.executeCommand('thoughtscope.graph.focus');
  });

  describe('settings validation', () => {
    const config = () => vscode.workspace.getConfiguration(SECTION);
    const reset = async (key: string) => config().update(key, undefined, vscode.ConfigurationTarget.Global);

    afterEach(async () => {
      await reset('concurrency');
      await reset('baseUrl');
    });

    it('accepts the defaults', () => {
      const settings = readSettings(config());
      assert.equal(settings.baseUrl, config().inspect<string>('baseUrl')?.defaultValue);
    });

    it('names the setting when a number is out of range', async () => {
      await config().update('concurrency', 0, vscode.ConfigurationTarget.Global);
      assert.throws(() => readSettings(config()), (err: unknown) => err instanceof SettingsError && err.setting === 'thoughtscope.concurrency');
    });

    it('refuses a base URL that is not http(s)', async () => {
      await config().update('baseUrl', 'ftp://example.com/v1', vscode.ConfigurationTarget.Global);
      assert.throws(() => readSettings(config()), (err: unknown) => err instanceof SettingsError && err.setting === 'thoughtscope.baseUrl' && /http/.test(err.message));
    });
  });
});
