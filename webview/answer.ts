// The run's outcome: the final answer as plain text with Insert/Copy, or why the run stopped.
import type { GraphState } from './graphState';
import { el } from './format';
import { button } from './toolkit';

export interface AnswerActions {
  insert(runId: string): void;
  copy(runId: string): void;
}

const OUTCOME_TITLES = {
  done: 'Answer',
  cancelled: 'Run cancelled',
  budget: 'Stopped by the budget',
  failed: 'Run failed',
} as const;

export class AnswerView {
  constructor(
    private readonly host: HTMLElement,
    private readonly actions: AnswerActions,
  ) {
    host.classList.add('answer');
    host.hidden = true;
  }

  /** `errorShown`: text the panel's error box already shows, not repeated as the outcome message. */
  update(state: GraphState, errorShown?: string): void {
    const summary = state.summary;
    const runId = state.run?.runId;
    if (!summary || !runId) {
      this.host.hidden = true;
      this.host.replaceChildren();
      return;
    }
    this.host.hidden = false;
    this.host.className = `answer outcome-${summary.outcome}`;
    const parts: HTMLElement[] = [el('h2', undefined, OUTCOME_TITLES[summary.outcome] ?? summary.outcome)];
    if (summary.message && summary.message !== errorShown) parts.push(el('p', 'outcome-message', summary.message));
    // What changed how the run sampled (a parameter the model does not take): said on the run, not only in the log.
    for (const note of summary.notes ?? []) parts.push(el('p', 'run-note', note));
    if (summary.outcome !== 'done' && summary.answer) parts.push(el('p', 'muted', 'Best answer found before the run stopped:'));
    if (summary.answer !== undefined && summary.answer !== '') {
      parts.push(el('pre', 'answer-text', summary.answer));
      if (summary.confidence !== undefined) parts.push(el('p', 'muted confidence', `Confidence: ${Math.round(summary.confidence * 100)}% of the samples agree`));
      const buttons = el('div', 'answer-actions');
      buttons.append(
        button('Insert into editor', () => this.actions.insert(runId), { title: 'Insert the answer at the cursor' }),
        button('Copy', () => this.actions.copy(runId), { look: 'secondary', title: 'Copy the answer to the clipboard' }),
      );
      parts.push(buttons);
    } else if (summary.outcome === 'done') {
      parts.push(el('p', 'muted', 'The run finished without an answer.'));
    } else {
      parts.push(el('p', 'muted', 'The graph below shows everything computed before it stopped.'));
    }
    this.host.replaceChildren(...parts);
  }
}
