// Boots the Thoughtscope panel: builds the layout, dispatches host messages, and tells the host it is ready.
import type { HostToWebview } from '../src/shared/messages';
import { AnswerView } from './answer';
import { el } from './format';
import { GraphState } from './graphState';
import { GraphView } from './graphView';
import { Header } from './header';
import { Inspector } from './inspector';
import { exportImage } from './exportImage';
import { button, divider, registerToolkit } from './toolkit';
import { getState, post, setState } from './vscodeApi';

const LEGEND: Array<[string, string]> = [
  ['question', 'question'],
  ['thought', 'thought'],
  ['selected', 'selected'],
  ['answer', 'answer'],
  ['pruned', 'pruned'],
  ['running', 'running'],
  ['failed', 'failed'],
];

function boot(): void {
  registerToolkit();
  const app = document.getElementById('app') ?? document.body.appendChild(el('div'));
  const state = new GraphState();

  const errorBox = el('div', 'error-box');
  errorBox.setAttribute('role', 'alert');
  errorBox.hidden = true;

  const empty = el('p', 'empty', "Select text and run 'Thoughtscope: Reason with…' to watch a reasoning graph grow here.");

  const headerHost = el('section');
  const header = new Header(headerHost, (runId) => post({ type: 'cancel', runId }));
  const answerHost = el('section');
  const answer = new AnswerView(answerHost, {
    insert: (runId) => post({ type: 'insertAnswer', runId }),
    copy: (runId) => post({ type: 'copyAnswer', runId }),
  });

  const graphHost = el('div');
  const inspectorHost = el('section');
  const inspector = new Inspector(inspectorHost, () => select(undefined), (path, startLine, endLine, root) => post({ type: 'openFile', path, startLine, endLine, ...(root ? { root } : {}) }));
  const graph = new GraphView(graphHost, (id) => select(id), (collapsible) => {
    prunedButton.hidden = !collapsible;
  });
  graph.setFit(getState().fit ?? true);

  const toolbar = el('div', 'toolbar');
  const legend = el('div', 'legend');
  for (const [cls, label] of LEGEND) {
    const item = el('span', `legend-item legend-${cls}`);
    item.append(el('span', 'swatch'), label);
    legend.append(item);
  }
  const fitButton = button(graph.isFit ? 'Actual size' : 'Fit width', () => {
    graph.setFit(!graph.isFit);
    fitButton.textContent = graph.isFit ? 'Actual size' : 'Fit width';
    setState({ fit: graph.isFit });
  }, { look: 'secondary', title: 'Toggle between fitting the graph to the panel and its actual size' });
  const prunedButton = button('Show pruned', () => {
    graph.setShowPruned(!graph.isShowingPruned);
    prunedButton.textContent = graph.isShowingPruned ? 'Collapse pruned' : 'Show pruned';
  }, { look: 'secondary', title: 'Large graphs draw pruned siblings as one "+N pruned" node per parent (click one to expand it); show or collapse them all' });
  prunedButton.classList.add('pruned-toggle');
  prunedButton.hidden = true;
  const exportButton = button('Export trace', () => {
    if (state.run) post({ type: 'exportTrace', runId: state.run.runId });
  }, { look: 'secondary', title: 'Save the run as a JSON trace' });
  const exportAsButton = button('Export…', () => {
    if (state.run) post({ type: 'exportRun', runId: state.run.runId });
  }, { look: 'secondary', title: 'Export the run as a JSON trace, Mermaid source, Markdown report, SVG or PNG' });
  const tools = el('div', 'tools');
  tools.append(fitButton, prunedButton, exportButton, exportAsButton);
  toolbar.append(legend, tools);

  const body = el('div', 'run-body');
  body.hidden = true;
  body.append(divider(), toolbar, graphHost, inspectorHost);

  app.append(headerHost, errorBox, empty, answerHost, body);

  function select(id: string | undefined): void {
    const node = id ? state.node(id) : undefined;
    if (node) inspector.show(node);
    else inspector.close();
    graph.markInspected(node?.id);
    setState({ selectedNodeId: node?.id });
  }

  function refresh(graphChanged: boolean): void {
    const hasRun = state.run !== undefined;
    empty.hidden = hasRun;
    body.hidden = !hasRun;
    header.update(state);
    answer.update(state, errorBox.hidden ? undefined : errorBox.textContent ?? undefined);
    if (graphChanged) graph.show(state.snapshot());
    const shown = inspector.shownId;
    if (shown) {
      const node = state.node(shown);
      if (!node) select(undefined);
      else if (node !== inspector.shownNode) inspector.show(node);
    }
  }

  function handle(message: HostToWebview): void {
    switch (message.type) {
      case 'runStarted':
        errorBox.hidden = true;
        state.reset(message.run);
        graph.clear();
        select(undefined);
        refresh(true);
        break;
      case 'graphEvents':
        if (message.runId !== state.run?.runId) return;
        refresh(state.apply(message.events));
        break;
      case 'restore': {
        state.reset(message.run, message.graph, message.summary);
        graph.clear();
        refresh(true);
        const saved = getState().selectedNodeId;
        if (saved && state.node(saved)) select(saved);
        break;
      }
      case 'error':
        errorBox.textContent = message.message;
        errorBox.hidden = false;
        answer.update(state, message.message);
        break;
      case 'exportImage': {
        const { requestId, format } = message;
        if (message.runId !== state.run?.runId) post({ type: 'exportImageResult', requestId, format, ok: false, error: 'the panel shows another run now' });
        else void exportImage(graphHost, requestId, format).then(post);
        break;
      }
    }
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = event.data;
    if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') handle(data as HostToWebview);
  });
  post({ type: 'ready' });
}

boot();
