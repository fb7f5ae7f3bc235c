// Who may run code, for Program of Thoughts (model-written programs) and "Run in sandbox" (code in
// the user's files): never in an untrusted workspace (Workspace Trust), and in a trusted one after a
// confirmation before the first execution of the session, or always once "Always Allow in This
// Workspace" was chosen. Consent is kept apart for the WebAssembly sandbox and for the local python3
// (pot.localPython), which is not a sandbox: agreeing to one does not agree to the other.
import * as vscode from 'vscode';
import type { ExecutionRequest } from '../core/sandbox/types';
import { SECTION } from '../settings/settingsSchema';

/** Whose code it is: a program the model wrote (PoT), or code from the user's own file. */
export type CodeSource = 'model' | 'user';

type Where = 'sandbox' | 'local';

const ALWAYS_ALLOW_KEYS: Record<Where, string> = {
  sandbox: 'thoughtscope.pot.alwaysAllow',
  local: 'thoughtscope.pot.alwaysAllowLocalPython',
};

/** Why code does not run in an untrusted workspace (a function: the strings are localized when asked for). */
function untrusted(source: CodeSource): string {
  return source === 'model'
    ? vscode.l10n.t('this workspace is not trusted, and Thoughtscope runs generated programs only in trusted workspaces (Workspace Trust)')
    : vscode.l10n.t('this workspace is not trusted, and Thoughtscope runs code only in trusted workspaces (Workspace Trust)');
}

/** Allowed for the rest of this session (the extension host's lifetime). */
const allowedThisSession = new Set<Where>();

/** PoT runs Python with the local python3 when the user setting asks for it, in trusted workspaces only. */
export function usesLocalPython(request: ExecutionRequest): boolean {
  return request.language === 'python' && vscode.workspace.isTrusted && vscode.workspace.getConfiguration(SECTION).get<boolean>('pot.localPython') === true;
}

/**
 * Undefined when the code may run, else the reason it may not (shown to the user). `local` says
 * whether it would run with the local python3 rather than in the sandbox.
 */
export async function mayRun(context: vscode.ExtensionContext, request: ExecutionRequest, source: CodeSource, local: boolean): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) return untrusted(source);
  const where: Where = local ? 'local' : 'sandbox';
  if (allowedThisSession.has(where) || context.workspaceState.get<boolean>(ALWAYS_ALLOW_KEYS[where])) return undefined;
  const run = vscode.l10n.t('Run');
  const always = vscode.l10n.t('Always Allow in This Workspace');
  const how = local
    ? vscode.l10n.t('with your local python3 — NOT sandboxed: it can read and change your files and use the network')
    : vscode.l10n.t('in the WebAssembly sandbox (no files, network or processes; time, memory and output limits)');
  const question = source === 'model' ? vscode.l10n.t('Run the {0} program the model wrote?', request.language) : vscode.l10n.t('Run this {0} code in the sandbox?', request.language);
  const detail =
    source === 'model'
      ? vscode.l10n.t('Program of Thoughts runs model-written code {0}. The program is shown in the Thought Graph.', how)
      : vscode.l10n.t('Thoughtscope runs the code {0}. Asked once per session.', how);
  const choice = await vscode.window.showWarningMessage(question, { modal: true, detail }, run, always);
  if (choice === always) await context.workspaceState.update(ALWAYS_ALLOW_KEYS[where], true);
  if (choice === run || choice === always) {
    allowedThisSession.add(where);
    return undefined;
  }
  return vscode.l10n.t('you declined to run it');
}
