// The run header: technique, model, running totals and a Cancel button.
import type { RunTotals } from '../src/core/graph/types';
import type { GraphState } from '../src/shared/graphState';
import { el, formatCount, formatDuration, formatUsd } from './format';
import { badge, button, progressRing, setDisabled } from './toolkit';

const OUTCOME_WORDS = { done: 'done', cancelled: 'cancelled', failed: 'failed', budget: 'stopped by budget' } as const;

export class Header {
  private readonly title = el('div', 'run-title');
  private readonly technique = el('span', 'technique');
  private readonly model = el('span', 'model');
  private readonly status = el('span', 'run-status');
  private readonly ring = progressRing();
  private readonly cancel: HTMLElement;
  private readonly totals = el('div', 'totals');
  private readonly note = el('p', 'run-note');
  private readonly fields = new Map<string, HTMLElement>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private state: GraphState | undefined;
  private cancelling = false;

  constructor(
    private readonly host: HTMLElement,
    onCancel: (runId: string) => void,
  ) {
    host.classList.add('header');
    this.cancel = button(
      'Cancel',
      () => {
        const runId = this.state?.run?.runId;
        if (!runId || !this.state?.running) return;
        this.cancelling = true;
        this.cancel.textContent = 'Cancelling…';
        setDisabled(this.cancel, true);
        onCancel(runId);
      },
      { look: 'secondary', title: 'Cancel the run' },
    );
    this.cancel.classList.add('cancel');
    const actions = el('div', 'run-actions');
    actions.append(this.ring, this.cancel);
    const names = el('div', 'run-names');
    names.append(this.technique, el('span', 'sep', '·'), this.model, this.status);
    this.title.append(names, actions);
    for (const [key, label] of [
      ['calls', 'calls'],
      ['tokens', 'tokens'],
      ['cost', 'cost'],
      ['wall', 'time'],
    ] as const) {
      const item = el('span', 'total');
      item.dataset.total = key;
      const value = el('span', 'value');
      item.append(el('span', 'label', label), value);
      this.fields.set(key, value);
      this.totals.append(item);
    }
    host.append(this.title, this.note, this.totals);
    host.hidden = true;
  }

  update(state: GraphState): void {
    this.state = state;
    const run = state.run;
    this.host.hidden = !run;
    if (!run) return;
    this.technique.textContent = run.techniqueName || run.technique;
    this.model.textContent = run.model;
    this.note.textContent = run.note ?? '';
    this.note.hidden = !run.note;
    const running = state.running;
    this.ring.hidden = !running;
    this.cancel.hidden = !running;
    if (running && !this.cancelling) {
      this.cancel.textContent = 'Cancel';
      setDisabled(this.cancel, false);
    }
    if (!running) this.cancelling = false;
    this.status.replaceChildren();
    if (state.summary) {
      const word = badge(OUTCOME_WORDS[state.summary.outcome] ?? state.summary.outcome);
      word.classList.add(`outcome-${state.summary.outcome}`);
      this.status.append(word);
    }
    this.showTotals(state.totals(Date.now()));
    if (running && this.ticker === undefined) {
      this.ticker = setInterval(() => this.tick(), 250);
    } else if (!running && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private tick(): void {
    if (this.state?.running) this.field('wall').textContent = formatDuration(this.state.totals(Date.now()).wallMs);
  }

  private field(key: string): HTMLElement {
    return this.fields.get(key) as HTMLElement;
  }

  private showTotals(t: RunTotals): void {
    const calls = this.field('calls');
    const replayed = t.replayed?.calls ? `, ${formatCount(t.replayed.calls)} from earlier runs, was ${formatUsd(t.replayed.costUsd)}` : '';
    calls.textContent = formatCount(t.calls) + (t.cachedCalls > 0 ? ` (${formatCount(t.cachedCalls)} cached${replayed})` : '');
    calls.dataset.value = String(t.calls);
    const mark = t.estimated ? '~' : '';
    const tokens = this.field('tokens');
    tokens.textContent = `${mark}${formatCount(t.promptTokens)} in / ${mark}${formatCount(t.completionTokens)} out`;
    tokens.dataset.promptTokens = String(t.promptTokens);
    tokens.dataset.completionTokens = String(t.completionTokens);
    tokens.title = t.estimated ? 'Some counts are estimated with a local tokenizer' : 'Counts reported by the API';
    const cost = this.field('cost');
    cost.textContent = formatUsd(t.costUsd);
    cost.dataset.value = t.costUsd === null ? 'null' : String(t.costUsd);
    this.field('wall').textContent = formatDuration(t.wallMs);
  }
}
