// Writes media/sample/tot-game24.json, the recorded sample run the extension and the CLI show without a
// model (test/support/sampleRun.ts says how it is recorded). Run with `npm run record-sample`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { recordSampleRun } from '../test/support/sampleRun';

const OUT = join(__dirname, '..', 'media', 'sample', 'tot-game24.json');

void (async () => {
  const trace = await recordSampleRun({ latency: true });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(trace, null, 1)}\n`);
  console.log(`${OUT}: ${trace.nodes.length} nodes, answer ${trace.answer}, ${trace.totals.calls} calls, ${trace.totals.wallMs} ms`);
})();
