// The workbench panel: a comparison (table + cost/correctness scatter) or an evaluation report
// (accuracy against cost per item, with the Pareto frontier). Model text goes in with textContent only;
// charts are chart.js on a canvas, bundled here (no CDN).
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { ReportPoint } from '../src/core/report/pareto';
import type { CompareRowView, HostToWorkbench, WorkbenchToHost } from '../src/shared/workbenchMessages';
import { el, formatCount, formatDuration, formatUsd } from './format';

Chart.register(ScatterController, LineController, LinearScale, LogarithmicScale, PointElement, LineElement, Tooltip, Legend);

declare function acquireVsCodeApi(): { postMessage(message: WorkbenchToHost): void };
const vscode = acquireVsCodeApi();

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(headers: string[], rows: string[][], onRow?: (index: number) => void): HTMLTableElement {
  const t = el('table', 'wb-table');
  const head = t.createTHead().insertRow();
  for (const h of headers) head.append(el('th', undefined, h));
  const body = t.createTBody();
  rows.forEach((cells, i) => {
    const tr = body.insertRow();
    for (const c of cells) tr.append(el('td', undefined, c));
    if (onRow) {
      tr.className = 'wb-row';
      tr.tabIndex = 0;
      tr.title = 'Open this run’s graph in the Thoughtscope view';
      tr.addEventListener('click', () => onRow(i));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') onRow(i);
      });
    }
  });
  return t;
}

function chartBox(): HTMLCanvasElement {
  const box = el('div', 'wb-chart');
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  box.append(canvas);
  document.getElementById('app')!.append(box);
  return canvas;
}

function color(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function showCompare(message: Extract<HostToWorkbench, { type: 'compare' }>): void {
  const app = document.getElementById('app')!;
  app.append(el('h2', undefined, 'Compare techniques'));
  app.append(el('p', 'wb-input', message.input));
  if (message.expected !== undefined) app.append(el('p', undefined, `Expected: ${message.expected}`));
  const rows = message.rows.map((r: CompareRowView) => [
    r.technique,
    r.model,
    r.reasoningEffort ?? '–',
    r.outcome === 'done' ? r.answer : `(${r.outcome})`,
    `${Math.round(r.agreement * 100)}%`,
    r.correct === null ? '–' : r.correct ? 'yes' : 'no',
    formatCount(r.calls),
    formatCount(r.promptTokens),
    formatCount(r.completionTokens),
    formatUsd(r.costUsd),
    formatDuration(r.wallMs),
  ]);
  app.append(table(['technique', 'model', 'effort', 'answer', 'agree', 'correct', 'calls', 'tokens in', 'tokens out', 'cost', 'wall'], rows, (index) => vscode.postMessage({ type: 'openRow', index })));
  // Correct (1) / wrong (0), or agreement with the others when nothing can judge. A run whose price is
  // unknown has no place on a cost axis: it is listed under the chart, never plotted at $0.
  const judged = message.rows.some((r) => r.correct !== null);
  const priced = message.rows.filter((r) => r.costUsd !== null);
  const unpriced = message.rows.filter((r) => r.costUsd === null);
  const canvas = chartBox();
  if (unpriced.length) app.append(el('p', 'wb-unpriced', `Not plotted (price unknown): ${unpriced.map((r) => `${r.technique} · ${r.model}`).join(', ')}`));
  canvas.setAttribute('aria-label', `Cost against ${judged ? 'correctness' : 'agreement'} per run: ${priced.length} of ${message.rows.length} runs plotted`);
  new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [{
        label: 'runs',
        data: priced.map((r) => ({ x: r.costUsd!, y: judged ? (r.correct ? 1 : 0) : r.agreement })),
        pointRadius: 6,
        backgroundColor: color('--vscode-charts-blue', '#3794ff'),
      }],
    },
    options: {
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${priced[ctx.dataIndex].technique} · ${priced[ctx.dataIndex].model}${priced[ctx.dataIndex].reasoningEffort ? ` (${priced[ctx.dataIndex].reasoningEffort})` : ''}: ${formatUsd(priced[ctx.dataIndex].costUsd)}` } },
      },
      scales: {
        x: { title: { display: true, text: 'cost (USD)' } },
        y: { min: -0.1, max: 1.1, title: { display: true, text: judged ? 'correct (1) / wrong (0)' : 'agreement with the others' } },
      },
    },
  });
}

function showReport(message: Extract<HostToWorkbench, { type: 'report' }>): void {
  const app = document.getElementById('app')!;
  const { report } = message;
  app.append(el('h2', undefined, 'Evaluation report'));
  app.append(el('p', undefined, `Data: ${report.dataset}`));
  if (report.warning) app.append(el('p', 'wb-warning', report.warning));
  const sorted = [...report.points].sort((a, b) => (a.costPerItem ?? Infinity) - (b.costPerItem ?? Infinity));
  const priced = sorted.filter((p): p is ReportPoint & { costPerItem: number } => p.costPerItem !== null);
  const canvas = chartBox();
  canvas.setAttribute('aria-label', 'Accuracy against cost per item, with the Pareto frontier');
  new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'evaluations', data: priced.map((p) => ({ x: p.costPerItem, y: p.accuracy })), pointRadius: 6, backgroundColor: color('--vscode-charts-blue', '#3794ff') },
        {
          label: 'Pareto frontier',
          type: 'line',
          data: priced.filter((p) => p.onFrontier).map((p) => ({ x: p.costPerItem, y: p.accuracy })),
          borderColor: color('--vscode-charts-orange', '#d18616'),
          pointRadius: 0,
          stepped: 'before',
        },
      ],
    },
    options: {
      animation: false,
      plugins: {
        tooltip: { callbacks: { label: (ctx) => (ctx.datasetIndex === 0 ? `${priced[ctx.dataIndex].label}: ${pct(priced[ctx.dataIndex].accuracy)}, ${formatUsd(priced[ctx.dataIndex].costPerItem)}/item` : 'frontier') } },
      },
      scales: {
        x: { type: priced.length > 1 && priced[0].costPerItem > 0 ? 'logarithmic' : 'linear', title: { display: true, text: 'cost per item (USD)' } },
        y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } },
      },
    },
  });
  const rows = sorted.map((p) => [p.technique, p.model, String(p.items), pct(p.accuracy), `${pct(p.accuracyCi95[0])}–${pct(p.accuracyCi95[1])}`, `${p.anyCorrect}/${p.items}`, formatUsd(p.costPerItem), p.tokensPerItem.toFixed(0), p.onFrontier ? 'yes' : '']);
  app.append(table(['technique', 'model', 'items', 'accuracy', '95% CI', 'best of k', 'cost / item', 'tokens / item', 'frontier'], rows));
}

window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as HostToWorkbench;
  document.getElementById('app')!.replaceChildren();
  if (data?.type === 'compare') showCompare(data);
  else if (data?.type === 'report') showReport(data);
});
vscode.postMessage({ type: 'ready' });
