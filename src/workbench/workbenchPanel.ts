// The workbench webview panel (an editor tab): a comparison table with its cost/correctness scatter, or
// an evaluation report with its accuracy/cost chart. Same CSP'd HTML as the Thought Graph view, with its
// own bundle (dist/workbench.js, chart.js inside it; nothing loaded from the network).
import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from '../shared/webviewHtml';
import { isWorkbenchToHost, type HostToWorkbench } from '../shared/workbenchMessages';

export function openWorkbenchPanel(
  extensionUri: vscode.Uri,
  title: string,
  content: HostToWorkbench,
  onOpenRow?: (index: number) => void,
): vscode.WebviewPanel {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const panel = vscode.window.createWebviewPanel('thoughtscope.workbench', title, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [dist],
    retainContextWhenHidden: true,
  });
  const webview = panel.webview;
  webview.html = webviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'workbench.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'workbench.css')).toString(),
  });
  const subscription = webview.onDidReceiveMessage((message: unknown) => {
    if (!isWorkbenchToHost(message)) return;
    if (message.type === 'ready') void webview.postMessage(content);
    else onOpenRow?.(message.index);
  });
  panel.onDidDispose(() => subscription.dispose());
  return panel;
}
