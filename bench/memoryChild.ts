// Peak memory of the 2,103-node ToT run (bigRun.ts), handled as the extension host handles a run:
// events batched, serialized for the panel and drawn as Mermaid text. Run in a fresh process by
// footprint.ts; prints JSON.
import { renderMermaid } from '../src/core/render/mermaid';
import { EventBatcher } from '../src/view/eventBatcher';
import { bigRun } from './bigRun';

const baseline = process.memoryUsage();
let peakHeap = baseline.heapUsed;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
let nodes = 0;
void bigRun((run) => {
  const batcher = new EventBatcher((events) => {
    JSON.stringify(events);
    renderMermaid(run.graph.snapshot());
  });
  run.graph.on((event) => batcher.push(event));
}).then((run) => {
  nodes = run.graph.nodes().length;
  renderMermaid(run.graph.snapshot());
  JSON.stringify(run.graph.snapshot()); // the panel's restore message / an exported trace
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  clearInterval(sampler);
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ nodes, baselineRssBytes: baseline.rss, baselineHeapBytes: baseline.heapUsed, peakRssBytes: maxRssBytes, peakHeapBytes: peakHeap }) + '\n');
});
