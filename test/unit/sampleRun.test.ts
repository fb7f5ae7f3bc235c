// The recorded sample run shipped in media/sample/: it is what test/support/sampleRun.ts records (so it
// cannot drift from the engine unnoticed), and a real, solved ToT run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { judgeGame24 } from '../../src/core/tasks/game24';
import type { Trace } from '../../src/core/trace';
import { recordSampleRun, SAMPLE_PUZZLE } from '../support/sampleRun';

const SHIPPED = join(__dirname, '..', '..', 'media', 'sample', 'tot-game24.json');

/** The trace without what depends on the clock. */
function timeless(trace: Trace): unknown {
  return { ...trace, nodes: trace.nodes.map((n) => ({ ...n, latencyMs: 0 })), totals: { ...trace.totals, wallMs: 0 } };
}

test('the shipped sample run is the ToT run the recorder makes, and it solves the puzzle', async () => {
  const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as Trace;
  const recorded = JSON.parse(JSON.stringify(await recordSampleRun())) as Trace;
  assert.deepEqual(timeless(recorded), timeless(shipped), 'run `npm run record-sample` after changing the engine, the task or the recorder');
  assert.equal(shipped.technique, 'tot');
  assert.equal(shipped.input, SAMPLE_PUZZLE);
  assert.equal(shipped.outcome, 'done');
  assert.ok(shipped.answer && judgeGame24(SAMPLE_PUZZLE, shipped.answer), `the answer ${shipped.answer} makes 24`);
  assert.equal(shipped.nodes.length, 70);
  assert.equal(shipped.params.breadth, 5);
  assert.ok(shipped.nodes.filter((n) => n.status === 'pruned').length > 40, 'most proposals are pruned');
  // Recorded with a hosted model's latency, so the panel's times look like a real run's.
  assert.ok(shipped.totals.wallMs > 10_000 && shipped.nodes.every((n) => n.calls.every((c) => c.cached) || n.latencyMs > 0));
  assert.ok(shipped.totals.costUsd !== null && shipped.totals.costUsd > 0);
});
