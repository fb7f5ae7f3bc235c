// The workbench panel: a comparison (table + cost/correctness scatter) or an evaluation report
// (accuracy against cost per item, with the Pareto frontier). Model text goes in with textContent only;
// charts are chart.js on a canvas, bundled here (no CDN). Each point is labelled (technique · model) in
// an HTML label over the canvas, the report's points carry their 95% interval, axis and grid colours
// come from the theme (at least 4.5:1 against the background), and a run whose cost is unknown is
// named under the chart instead of being drawn at $0.
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip, type Plugin } from 'chart.js';
import type { ReportPoint } from '../src/core/report/pareto';
import type { CompareRowView, HostToWorkbench, WorkbenchToHost } from '../src/shared/workbenchMessages';
import { readableColor } from './contrast';
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

/**
 * Text and grid colours of the charts: the theme's foreground and description colours when they read
 * against its background (4.5:1), else the nearest that does. Written on the canvas for the tests.
 */
function chartColours(canvas: HTMLCanvasElement): { text: string; grid: string } {
  const background = color('--vscode-editor-background', getComputedStyle(document.body).backgroundColor || '#1f1f1f');
  const text = readableColor([color('--vscode-foreground', ''), color('--vscode-editor-foreground', ''), '#cccccc'], background);
  const grid = readableColor([color('--vscode-descriptionForeground', ''), text], background);
  Object.assign(canvas.dataset, { textColor: text, gridColor: grid, background });
  return { text, grid };
}

function axis(title: string, colours: { text: string; grid: string }, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    title: { display: true, text: title, color: colours.text },
    ticks: { color: colours.text },
    grid: { color: colours.grid, lineWidth: 0.5 },
    border: { color: colours.grid },
  };
}

/** One labelled point: where it is on the chart, its label, and (report) its 95% interval of accuracy. */
interface LabelledPoint {
  x: number;
  y: number;
  label: string;
  /** The whole description, for the label's title and accessible name. */
  detail: string;
  interval?: [number, number];
}

/**
 * Draws each point's 95% interval as a vertical bar with caps, and puts each point's label in an HTML
 * element over the canvas next to it (text a person can select and a screen reader reads).
 */
function pointAnnotations(points: readonly LabelledPoint[], colour: string): Plugin<'scatter'> {
  return {
    id: 'thoughtscopePoints',
    afterDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      const x = scales.x;
      const y = scales.y;
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      for (const p of points) {
        if (!p.interval) continue;
        const px = x.getPixelForValue(p.x);
        const [lo, hi] = [y.getPixelForValue(p.interval[0]), y.getPixelForValue(p.interval[1])];
        ctx.beginPath();
        ctx.moveTo(px, lo);
        ctx.lineTo(px, hi);
        ctx.moveTo(px - 4, lo);
        ctx.lineTo(px + 4, lo);
        ctx.moveTo(px - 4, hi);
        ctx.lineTo(px + 4, hi);
        ctx.stroke();
      }
      ctx.restore();
      const box = chart.canvas.parentElement as HTMLElement;
      for (const old of Array.from(box.querySelectorAll('.wb-point-label'))) old.remove();
      points.forEach((p, i) => {
        const label = el('span', 'wb-point-label', p.label);
        label.title = p.detail;
        label.setAttribute('aria-label', p.detail);
        label.dataset.index = String(i);
        label.style.left = `${x.getPixelForValue(p.x) + 8}px`;
        label.style.top = `${y.getPixelForValue(p.y) - 8}px`;
        // Where the point and its interval are drawn, in canvas pixels (the tests look there).
        label.dataset.point = `${x.getPixelForValue(p.x)},${y.getPixelForValue(p.y)}`;
        if (p.interval) label.dataset.interval = `${y.getPixelForValue(p.interval[1])},${y.getPixelForValue(p.interval[0])}`;
        box.append(label);
      });
    },
  };
}

/** Under the chart: the runs whose cost is unknown, which the chart cannot place. */
function unknownCosts(names: readonly string[]): void {
  if (names.length === 0) return;
  document.getElementById('app')!.append(el('p', 'wb-unknown-cost', `Cost unknown, not on the chart: ${names.join('; ')}.`));
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
  // Correct (1) / wrong (0), or agreement with the others when nothing can judge. Runs of unknown cost
  // are named under the chart, not drawn at $0.
  const judged = message.rows.some((r) => r.correct !== null);
  const priced = message.rows.filter((r) => r.costUsd !== null);
  const canvas = chartBox();
  canvas.setAttribute('aria-label', `Cost against ${judged ? 'correctness' : 'agreement'} per run: ${priced.length} of ${message.rows.length} runs plotted`);
  const colours = chartColours(canvas);
  const value = (r: CompareRowView) => (judged ? (r.correct ? 1 : 0) : r.agreement);
  const points: LabelledPoint[] = priced.map((r) => ({
    x: r.costUsd as number,
    y: value(r),
    label: `${r.technique} · ${r.model}${r.reasoningEffort ? ` (${r.reasoningEffort})` : ''}`,
    detail: `${r.technique} · ${r.model}${r.reasoningEffort ? ` (${r.reasoningEffort})` : ''}: ${formatUsd(r.costUsd)}, ${judged ? (r.correct ? 'correct' : 'wrong') : `${Math.round(r.agreement * 100)}% agreement`}`,
  }));
  new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [{ label: 'runs', data: points.map(({ x, y }) => ({ x, y })), pointRadius: 6, backgroundColor: color('--vscode-charts-blue', '#3794ff') }] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => points[ctx.dataIndex].detail } },
      },
      scales: {
        x: axis('cost (USD)', colours),
        y: axis(judged ? 'correct (1) / wrong (0)' : 'agreement with the others', colours, { min: -0.1, max: 1.1 }),
      },
    },
    plugins: [pointAnnotations(points, colours.text)],
  });
  unknownCosts(message.rows.filter((r) => r.costUsd === null).map((r) => `${r.technique} · ${r.model}`));
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
  canvas.setAttribute('aria-label', 'Accuracy against cost per item, with each point’s 95% interval and the Pareto frontier');
  const colours = chartColours(canvas);
  const points: LabelledPoint[] = priced.map((p) => ({
    x: p.costPerItem,
    y: p.accuracy,
    label: `${p.technique} · ${p.model}`,
    detail: `${p.label}: accuracy ${pct(p.accuracy)} (95% interval ${pct(p.accuracyCi95[0])}–${pct(p.accuracyCi95[1])}), ${formatUsd(p.costPerItem)} per item`,
    interval: p.accuracyCi95,
  }));
  new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'evaluations (95% interval)', data: points.map(({ x, y }) => ({ x, y })), pointRadius: 6, backgroundColor: color('--vscode-charts-blue', '#3794ff') },
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
      maintainAspectRatio: false,
      plugins: {
        legend: { labels: { color: colours.text } },
        tooltip: { callbacks: { label: (ctx) => (ctx.datasetIndex === 0 ? points[ctx.dataIndex].detail : 'frontier') } },
      },
      scales: {
        x: axis('cost per item (USD)', colours, { type: priced.length > 1 && priced[0].costPerItem > 0 ? 'logarithmic' : 'linear' }),
        y: axis('accuracy', colours, { min: 0, max: 1 }),
      },
    },
    plugins: [pointAnnotations(points, colours.text)],
  });
  unknownCosts(sorted.filter((p) => p.costPerItem === null).map((p) => `${p.technique} · ${p.model} (accuracy ${pct(p.accuracy)})`));
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
