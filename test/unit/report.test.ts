// The evaluation report: the Pareto frontier of accuracy against cost per item, and its Markdown table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/core/eval/summary';
import type { EvalResults, ItemResult } from '../../src/core/eval/types';
import { buildReport, paretoFrontier, reportMarkdown } from '../../src/core/report/pareto';

function results(technique: string, correct: number, total: number, costPerItem: number | null, dataset = '24.csv rows 900-909'): EvalResults {
  const items: ItemResult[] = Array.from({ length: total }, (_, i) => ({
    index: i, input: `p${i}`, answer: '', correct: i < correct, samples: [{ answer: '', correct: i < correct }],
    calls: 1, promptTokens: 10, completionTokens: 5, costUsd: costPerItem, wallMs: 1,
  }));
  return {
    meta: { technique, task: 'game24', model: 'gpt-4o-mini', params: {}, dataset, requested: total, unfinished: 0, resumed: 0, elapsedMs: 1 },
    items,
    summary: summarize(items),
  };
}

describe('paretoFrontier', () => {
  it('keeps exactly the points nothing else beats on both cost and accuracy', () => {
    const points = [
      { cost: 1, accuracy: 0.1 }, // cheapest: frontier
      { cost: 2, accuracy: 0.1 }, // dominated by 0
      { cost: 3, accuracy: 0.5 }, // frontier
      { cost: 3, accuracy: 0.4 }, // dominated by 2
      { cost: 10, accuracy: 0.74 }, // most accurate: frontier
      { cost: 12, accuracy: 0.74 }, // dominated by 4
    ];
    assert.deepEqual(paretoFrontier(points), [0, 2, 4]);
  });
});

describe('buildReport', () => {
  it('places each evaluation at accuracy and cost per item and marks the frontier', () => {
    const report = buildReport([results('io', 1, 10, 0.001), results('cot', 2, 10, 0.002), results('tot', 7, 10, 0.1), results('sc', 1, 10, 0.05), results('x', 9, 10, null)]);
    assert.deepEqual(report.points.map((p) => [p.technique, p.accuracy, p.costPerItem === null ? null : Number(p.costPerItem.toFixed(6)), p.onFrontier]), [
      ['io', 0.1, 0.001, true],
      ['cot', 0.2, 0.002, true],
      ['tot', 0.7, 0.1, true],
      ['sc', 0.1, 0.05, false],
      ['x', 0.9, null, false],
    ]);
    assert.equal(report.warning, undefined);
    const md = reportMarkdown(report);
    const lines = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| technique'));
    assert.deepEqual(lines.map((l) => l.split(' | ')[0].slice(2)), ['io', 'cot', 'sc', 'tot', 'x'], 'cheapest first, unknown cost last');
    assert.match(md, /\| tot \| gpt-4o-mini \|  \| 10 \| 70\.0% \| 39\.7%–89\.2% \| 7\/10 \| \$0\.1000 \| 15 \| yes \|/);
  });

  it('warns when the evaluations are on different data', () => {
    const report = buildReport([results('io', 1, 10, 0.001), results('cot', 2, 10, 0.002, 'other.jsonl')]);
    assert.match(report.warning ?? '', /not on the same data/);
  });
});
