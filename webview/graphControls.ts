// The controls around the graph: the toolbar (Focus or the whole graph, Show pruned, Find, Open in
// Editor, the export button main.ts adds), the find bar (text, status, minimum score: matches
// highlighted, the rest dimmed; Find, Ctrl+F or / opens it), and the strip on top of the graph (how
// much of the graph is drawn; −, +, Fit, the scale and label size on screen; and why Fit cannot make
// the labels legible when it cannot).
import type { NodeStatus } from '../src/core/graph/types';
import type { GraphSurface } from '../src/shared/messages';
import { el } from './format';
import type { DrawnInfo, GraphView } from './graphView';
import { parseMinScore } from './nodeFilter';
import { labelPx } from './panZoom';
import { button } from './toolkit';

const STATUSES: NodeStatus[] = ['selected', 'pruned', 'done', 'running', 'pending', 'failed', 'cancelled'];

export interface ControlActions {
  /** The person chose Focus (true) or the whole graph (false). */
  onFocusChosen: (focus: boolean) => void;
  onOpenInEditor: () => void;
}

export class GraphControls {
  readonly toolbar = el('div', 'toolbar');
  /** Where main.ts puts the export buttons. */
  readonly tools = el('div', 'tools');
  readonly findBar = el('div', 'find-bar');
  /** The strip along the top of the graph: main.ts puts it in the graph's box. */
  readonly strip = el('div', 'graph-strip');
  private readonly findText = el('input', 'find-text');
  private readonly focusButton: HTMLElement;
  private readonly prunedButton: HTMLElement;
  private readonly editorButton: HTMLElement;
  private readonly focusStatus = el('span', 'focus-status');
  private readonly readout = el('span', 'zoom-readout');
  private readonly note = el('p', 'fit-note');
  private readonly matchCount = el('span', 'match-count');

  constructor(
    private readonly graph: GraphView,
    actions: ControlActions,
  ) {
    this.focusButton = button('Whole graph', () => actions.onFocusChosen(!graph.isFocus), { look: 'secondary', title: 'Switch between Focus (the path to the answer or the best state so far) and the whole graph' });
    this.focusButton.classList.add('focus-toggle');
    this.prunedButton = button('Show pruned', () => {
      graph.setShowPruned(!graph.isShowingPruned);
      this.prunedButton.textContent = graph.isShowingPruned ? 'Collapse pruned' : 'Show pruned';
    }, { look: 'secondary', title: 'Pruned siblings are drawn as one "+N pruned" node per parent (click one to expand it); show or collapse them all' });
    this.prunedButton.classList.add('pruned-toggle');
    this.prunedButton.hidden = true;
    this.editorButton = button('Open in Editor', actions.onOpenInEditor, { look: 'secondary', title: 'Show this graph, live, in an editor tab at full width' });
    this.editorButton.classList.add('open-in-editor');
    this.focusStatus.setAttribute('aria-live', 'polite');
    const findButton = button('Find', () => this.toggleFind(), { look: 'secondary', title: 'Find nodes by text, status or score (Ctrl+F)' });
    findButton.classList.add('find-toggle');
    const mode = el('div', 'mode');
    mode.append(this.focusButton, this.prunedButton);
    this.tools.append(findButton, this.editorButton);
    this.toolbar.append(mode, this.tools);

    this.buildFindBar();
    this.findBar.hidden = true;
    document.addEventListener('keydown', (event) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
      if ((event.key === 'f' && (event.ctrlKey || event.metaKey)) || (event.key === '/' && !typing)) {
        event.preventDefault();
        this.toggleFind(true);
      } else if (event.key === 'Escape' && this.findBar.contains(event.target as Node)) {
        this.toggleFind(false);
      }
    });

    const zoomOut = button('−', () => graph.zoomOut(), { look: 'secondary', title: 'Zoom out (−)' });
    const zoomIn = button('+', () => graph.zoomIn(), { look: 'secondary', title: 'Zoom in (+)' });
    const fit = button('Fit', () => graph.fit(), { look: 'secondary', title: 'Fit the whole graph in view (0)' });
    zoomOut.classList.add('zoom-out');
    zoomIn.classList.add('zoom-in');
    fit.classList.add('zoom-fit');
    this.readout.title = 'Label size on screen';
    this.note.setAttribute('role', 'status');
    this.note.hidden = true;
    const zoom = el('div', 'zoom-buttons');
    zoom.append(this.readout, zoomOut, zoomIn, fit);
    this.strip.append(this.focusStatus, zoom, this.note);
  }

  /** The editor tab is the editor: no Open in Editor there. */
  setSurface(surface: GraphSurface): void {
    this.editorButton.hidden = surface === 'editor';
  }

  drawn(info: DrawnInfo): void {
    this.prunedButton.hidden = !info.collapsible;
    this.focusButton.textContent = this.graph.isFocus ? 'Whole graph' : 'Focus';
    this.focusStatus.textContent = info.focus ? `Focus: ${info.drawn} of ${info.total} nodes` : info.total > 0 ? `${info.drawn} of ${info.total} nodes drawn` : '';
  }

  view(scale: number, note: string | undefined): void {
    this.readout.textContent = `${Math.round(scale * 100)}% · ${labelPx(scale).toFixed(0)} px`;
    this.note.textContent = note ?? '';
    this.note.hidden = !note;
  }

  /** Open (and focus the text box) or close the find bar; closing clears the filter. */
  private toggleFind(open = this.findBar.hidden): void {
    this.findBar.hidden = !open;
    if (open) {
      this.findText.focus();
      return;
    }
    for (const input of Array.from(this.findBar.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))) input.value = '';
    this.findText.dispatchEvent(new Event('input'));
  }

  private buildFindBar(): void {
    const text = this.findText;
    text.type = 'search';
    text.placeholder = 'Find nodes';
    text.setAttribute('aria-label', 'Find nodes by text');
    const status = el('select', 'find-status');
    status.setAttribute('aria-label', 'Only nodes with this status');
    status.append(new Option('any status', ''), ...STATUSES.map((s) => new Option(s, s)));
    const minScore = el('input', 'find-score');
    minScore.type = 'number';
    minScore.step = 'any';
    minScore.placeholder = 'min score';
    minScore.setAttribute('aria-label', 'Only nodes scored at least');
    this.matchCount.setAttribute('aria-live', 'polite');
    const apply = () => {
      const criteria = { text: text.value, status: status.value as NodeStatus | '', minScore: parseMinScore(minScore.value) };
      const count = this.graph.setFilter(criteria);
      const active = criteria.text.trim() !== '' || criteria.status !== '' || criteria.minScore !== undefined;
      this.matchCount.textContent = active ? `${count} match${count === 1 ? '' : 'es'}` : '';
    };
    for (const input of [text, status, minScore]) input.addEventListener('input', apply);
    this.findBar.append(text, status, minScore, this.matchCount);
  }
}
