// Boots the Thoughtscope panel: builds the layout, dispatches host messages, and tells the host it is ready.
import type { GraphViewSettings, HostToWebview } from '../src/shared/messages';
import { AnswerView } from './answer';
import { el } from './format';
import { GraphControls } from './graphControls';
import { GraphState } from '../src/shared/graphState';
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
  ['more', 'hidden (click)'],
];

/** Below this panel width Focus is on by default (thoughtscope.graph.focus: auto). */
const NARROW_PX = 600;
/** The graph's viewport is never shorter than this. */
const MIN_GRAPH_PX = 240;

function boot(): void {
  registerToolkit();
  const app = document.getElementById('app') ?? document.body.appendChild(el('div'));
  const state = new GraphState();
  let settings: GraphViewSettings = { orientation: 'auto', focus: 'auto', surface: 'sidebar' };

  const errorBox = el('div', 'error-box');
  errorBox.setAttribute('role', 'alert');
  errorBox.hidden = true;

  const empty = el('div', 'empty');
  empty.append(
    el('p', undefined, "Select text and run 'Thoughtscope: Reason with…' to watch a reasoning graph grow here."),
    el('p', undefined, 'No model set up yet? See a recorded Tree of Thoughts run first:'),
    button('Open the sample run', () => post({ type: 'openSampleRun' }), { look: 'secondary', title: 'Show a recorded ToT run on a Game of 24 puzzle; no model is called' }),
  );

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
  const graph = new GraphView(graphHost, {
    onSelect: (id) => select(id),
    onDrawn: (info) => controls.drawn(info),
    onView: (scale, note) => controls.view(scale, note),
  });
  const controls = new GraphControls(graph, {
    onFocusChosen: (focus) => {
      setState({ focus });
      graph.setFocus(focus);
    },
    onOpenInEditor: () => post({ type: 'openInEditor' }),
  });
  graphHost.prepend(controls.strip);

  const legend = el('div', 'legend');
  for (const [cls, label] of LEGEND) {
    const item = el('span', `legend-item legend-${cls}`);
    item.append(el('span', 'swatch'), label);
    legend.append(item);
  }
  const exportAsButton = button('Export…', () => {
    if (state.run) post({ type: 'exportRun', runId: state.run.runId });
  }, { look: 'secondary', title: 'Export the run as a JSON trace, Mermaid source, Markdown report, SVG or PNG' });
  controls.tools.append(exportAsButton);

  const graphColumn = el('div', 'graph-column');
  graphColumn.append(controls.toolbar, controls.findBar, graphHost, legend);
  const body = el('div', 'run-body');
  body.hidden = true;
  body.append(divider(), graphColumn, inspectorHost);

  app.append(headerHost, errorBox, empty, answerHost, body);
  graph.viewport.attach();

  /** Focus as chosen in this panel, else as the setting says (auto: on when the panel is narrow). */
  function focusWanted(): boolean {
    const chosen = getState().focus;
    if (typeof chosen === 'boolean') return chosen;
    if (settings.focus !== 'auto') return settings.focus === 'on';
    return window.innerWidth < NARROW_PX;
  }

  /** The graph takes the height left below it in the panel (the inspector is scrolled to, or beside it when wide). */
  function sizeGraph(): void {
    const top = graph.viewport.element.getBoundingClientRect().top + window.scrollY;
    const below = legend.offsetHeight + 16;
    const height = Math.max(MIN_GRAPH_PX, window.innerHeight - top - below);
    graphHost.style.setProperty('--graph-height', `${Math.floor(height)}px`);
  }
  new ResizeObserver(() => {
    sizeGraph();
    graph.setFocus(focusWanted());
  }).observe(document.documentElement);
  for (const above of [headerHost, answerHost, errorBox, controls.toolbar, controls.findBar]) new ResizeObserver(sizeGraph).observe(above);

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
    if (graphChanged || state.summary) {
      sizeGraph();
      graph.setFocus(focusWanted());
      graph.show(state.snapshot(), state.summary?.answerNodeId);
    }
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
      case 'viewSettings':
        settings = message.settings;
        document.body.dataset.surface = settings.surface;
        controls.setSurface(settings.surface);
        graph.setOrientation(settings.orientation);
        graph.setFocus(focusWanted());
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
