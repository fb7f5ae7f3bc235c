// The "Thought Graph" webview view in the Thoughtscope activity-bar container. It only carries
// messages: the run controller decides what to send. Until the webview says `ready`, graph messages
// are not queued (the `restore` sent on `ready` carries the whole graph); an error is kept and shown
// after the restore. The webview document is recreated whenever the view is shown again after being
// hidden; it then says `ready` again and gets a fresh `restore`.
import * as vscode from 'vscode';
import { isWebviewToHost, type HostToWebview, type WebviewToHost } from '../shared/messages';
import { makeNonce, webviewHtml } from '../shared/webviewHtml';

export const VIEW_ID = 'thoughtscope.graph';

export class ThoughtGraphViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private pendingError: HostToWebview | undefined;
  private readyWaiters: Array<() => void> = [];
  private readonly viewDisposables: vscode.Disposable[] = [];
  private readonly messages = new vscode.EventEmitter<WebviewToHost>();

  /** Every valid message from the webview, `ready` included (answer it with a `restore`). */
  readonly onMessage = this.messages.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const webview = view.webview;
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    this.viewDisposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      view.onDidChangeVisibility(() => {
        // A hidden view's document is thrown away; it says `ready` again when shown.
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
        this.disposeView();
      }),
    );
  }

  /** Send now if the webview is listening; otherwise keep only an error for after the restore. */
  post(message: HostToWebview): void {
    if (this.view && this.ready) {
      void this.view.webview.postMessage(message).then(undefined, (err: unknown) => this.log.warn(`Could not post to the Thought Graph view: ${String(err)}`));
      return;
    }
    if (message.type === 'error') this.pendingError = message;
    else if (message.type === 'runStarted') this.pendingError = undefined;
  }

  /**
   * Resolves once the webview is listening: at once if it is, else after its next `ready` has been
   * answered (so what is posted then arrives after the `restore`). Call reveal() to get it created.
   */
  whenReady(): Promise<void> {
    if (this.view && this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Show the view (creating it if needed) without taking focus from the editor when possible. */
  async reveal(): Promise<void> {
    if (this.view) {
      this.view.show(true);
      return;
    }
    try {
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    } catch (err) {
      this.log.warn(`Could not open the Thought Graph view: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log.warn(`Ignored an unexpected message from the Thought Graph view: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') this.ready = true;
    this.messages.fire(message);
    if (message.type === 'ready' && this.pendingError) {
      const error = this.pendingError;
      this.pendingError = undefined;
      this.post(error);
    }
    if (message.type === 'ready') for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private disposeView(): void {
    while (this.viewDisposables.length) this.viewDisposables.pop()?.dispose();
  }

  dispose(): void {
    this.disposeView();
    this.messages.dispose();
  }
}
