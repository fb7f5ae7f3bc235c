// The thought graph's webviews: the "Thought Graph" view in the Thoughtscope activity-bar container,
// and the same panel in an editor tab ("Open in Editor", at full width), both showing the same live
// run. They only carry messages: the run controller decides what to send, and every message goes to
// every panel that is listening (an image request to one of them). Each panel says `ready` when its
// document loads (the side view's is recreated whenever it is shown after being hidden); it then gets
// the graph settings and, from the messages seen so far (RunMirror), the run as it is now, while the
// other panel goes on undisturbed. An error is shown after that restore.
import * as vscode from 'vscode';
import { SECTION } from '../settings/settingsSchema';
import { isWebviewToHost, type GraphSurface, type HostToWebview, type WebviewToHost } from '../shared/messages';
import { makeNonce, webviewHtml } from '../shared/webviewHtml';
import { readGraphSettings } from './graphSettings';
import { RunMirror } from './runMirror';

export const VIEW_ID = 'thoughtscope.graph';
/** The editor tab's webview panel type. */
export const EDITOR_VIEW_TYPE = 'thoughtscope.graphEditor';

/** One panel: its webview, and whether its document is listening. */
class Panel {
  ready = false;
  readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly webview: vscode.Webview,
    readonly surface: GraphSurface,
  ) {}
}

/** Lets VS Code restore the graph's editor tab after a reload (activation event onWebviewPanel:thoughtscope.graphEditor). */
export function registerGraphEditorSerializer(view: ThoughtGraphViewProvider): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(EDITOR_VIEW_TYPE, {
    deserializeWebviewPanel: async (tab) => view.adoptEditorTab(tab),
  });
}

export class ThoughtGraphViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private sidebar: Panel | undefined;
  private editorTab: vscode.WebviewPanel | undefined;
  private editor: Panel | undefined;
  private readonly mirror = new RunMirror();
  private readyWaiters: Array<() => void> = [];
  private readonly messages = new vscode.EventEmitter<WebviewToHost>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Every valid message from either panel but `ready` (which this provider answers itself). */
  readonly onMessage = this.messages.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(`${SECTION}.graph`)) return;
        for (const panel of this.listening()) this.send(panel, this.settingsFor(panel));
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposePanel(this.sidebar);
    this.view = view;
    const panel = this.attach(view.webview, 'sidebar');
    this.sidebar = panel;
    this.follow(panel, view.onDidChangeVisibility, () => view.visible, view.onDidDispose, () => {
      if (this.view === view) this.view = undefined;
      if (this.sidebar === panel) this.sidebar = undefined;
    });
  }

  /** "Open in Editor": the same live graph in an editor tab (revealed if it is open). */
  openInEditor(): void {
    if (this.editorTab) {
      this.editorTab.reveal();
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    this.adoptEditorTab(vscode.window.createWebviewPanel(EDITOR_VIEW_TYPE, vscode.l10n.t('Thought Graph'), vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [dist, media] }));
  }

  /**
   * An editor tab to show the graph in: one Open in Editor made, or one VS Code restores after a reload
   * (registerGraphEditorSerializer). A restored tab shows the run as it is now, as a new one does.
   */
  adoptEditorTab(tab: vscode.WebviewPanel): void {
    if (this.editorTab && this.editorTab !== tab) {
      // One editor tab at a time: a second restored one closes, the first shows the graph.
      tab.dispose();
      this.editorTab.reveal();
      return;
    }
    tab.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'thoughtscope.svg');
    this.editorTab = tab;
    const panel = this.attach(tab.webview, 'editor');
    this.editor = panel;
    this.follow(panel, tab.onDidChangeViewState, () => tab.visible, tab.onDidDispose, () => {
      if (this.editorTab === tab) this.editorTab = undefined;
      if (this.editor === panel) this.editor = undefined;
    });
  }

  /**
   * A hidden view or a tab in the background loses its document, so the panel stops listening until it
   * says `ready` again; once disposed, `forget` drops the provider's references and the panel is let go.
   */
  private follow(panel: Panel, visibilityChanged: vscode.Event<unknown>, visible: () => boolean, disposed: vscode.Event<void>, forget: () => void): void {
    panel.disposables.push(
      visibilityChanged(() => {
        if (!visible()) panel.ready = false;
      }),
      disposed(() => {
        forget();
        this.disposePanel(panel);
      }),
    );
  }

  /**
   * Send to every panel that is listening (an image request to one: the side view's if it listens).
   * Nothing is queued for a panel that is not: it gets the run as it is then when it says `ready`.
   */
  post(message: HostToWebview): void {
    this.mirror.see(message);
    const panels = this.listening();
    const targets = message.type === 'exportImage' ? panels.slice(0, 1) : panels;
    for (const panel of targets) this.send(panel, message);
  }

  /**
   * Resolves once a panel is listening: at once if one is, else after the next `ready` has been
   * answered (so what is posted then arrives after the restore). Call reveal() to get it created.
   */
  whenReady(): Promise<void> {
    if (this.listening().length > 0) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Show the side view (creating it if needed) without taking focus from the editor when possible. */
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

  /** The panels that are listening, the side view first. */
  private listening(): Panel[] {
    return [this.sidebar, this.editor].filter((p): p is Panel => p?.ready === true);
  }

  private attach(webview: vscode.Webview, surface: GraphSurface): Panel {
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    const panel = new Panel(webview, surface);
    panel.disposables.push(webview.onDidReceiveMessage((message: unknown) => this.receive(panel, message)));
    return panel;
  }

  private settingsFor(panel: Panel): HostToWebview {
    return { type: 'viewSettings', settings: readGraphSettings(vscode.workspace.getConfiguration(SECTION), panel.surface) };
  }

  private send(panel: Panel, message: HostToWebview): void {
    void panel.webview.postMessage(message).then(undefined, (err: unknown) => this.log.warn(`Could not post to the Thought Graph ${panel.surface === 'editor' ? 'tab' : 'view'}: ${String(err)}`));
  }

  private receive(panel: Panel, message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log.warn(`Ignored an unexpected message from the Thought Graph view: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        panel.ready = true;
        this.send(panel, this.settingsFor(panel));
        for (const catchUp of this.mirror.catchUp()) this.send(panel, catchUp);
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return;
      case 'openInEditor':
        this.openInEditor();
        return;
      case 'openSampleRun':
        void vscode.commands.executeCommand('thoughtscope.openSampleRun');
        return;
      default:
        this.messages.fire(message);
    }
  }

  private disposePanel(panel: Panel | undefined): void {
    if (!panel) return;
    panel.ready = false;
    while (panel.disposables.length) panel.disposables.pop()?.dispose();
  }

  dispose(): void {
    this.disposePanel(this.sidebar);
    this.disposePanel(this.editor);
    this.editorTab?.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.messages.dispose();
  }
}
