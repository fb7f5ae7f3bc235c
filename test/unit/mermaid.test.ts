// renderMermaid: label contents, escaping of hostile model text, styles, and deterministic output.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ThoughtGraph } from '../../src/core/graph/thoughtGraph';
import type { CallRecord, GraphSnapshot, ThoughtNode } from '../../src/core/graph/types';
import { classFor, escapeLabel, excerpt, labelFor, mermaidIds, renderMermaid, unescapeLabel } from '../../src/core/render/mermaid';

function call(promptTokens: number, completionTokens: number, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    role: 'propose',
    model: 'gpt-4.1-mini',
    prompt: 'p',
    responses: ['r'],
    usage: { promptTokens, completionTokens, estimated: false },
    usageSource: 'reported',
    costUsd: 0.00123,
    latencyMs: 10,
    cached: false,
    ...extra,
  };
}

function sampleGraph(texts: string[] = ['Question?', 'First idea', 'Second idea']): ThoughtGraph {
  const g = new ThoughtGraph();
  const q = g.addNode({ kind: 'question', text: texts[0] });
  let parent = q.id;
  for (const text of texts.slice(1)) {
    const n = g.addNode({ kind: 'thought', text }, [{ id: parent, kind: 'expand' }]);
    g.recordCall(n.id, call(120, 45));
    parent = n.id;
  }
  return g;
}

/** The quoted label of each node line, keyed by Mermaid id. */
function nodeLabels(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of source.split('\n')) {
    const m = /^ {2}([A-Za-z][A-Za-z0-9_]*)[([{]+"(.*)"[)\]}]+$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

const LABEL_SYNTAX = /^(?:[A-Za-z0-9 .,()/+=-]|#\d+;|<br\/>|<span><\/span>)*$/;

const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '%%{init: {"securityLevel":"loose"}}%%',
  'click n0 call evil()',
  '[link](javascript:window.__pwned=2)',
  '"]; n9["x',
  '`code` **b** _i_ ~~s~~ $$x^2$$ fa:fa-car \\n #35; &amp;',
  'end\nsubgraph s\nstyle n0 fill:#f00;\n%% comment\nclassDef x fill:#000;',
  '\u{1F600} emoji ‘quotes’ \u2028 sep\u0000nul \uD800 lone',
  '\uFB02\u00B0\u00B060\u00B6\u00DF placeholder',
];

describe('renderMermaid', () => {
  test('a flowchart with one line per classDef, node, edge and class', () => {
    const g = sampleGraph();
    const src = renderMermaid(g.snapshot());
    const lines = src.trimEnd().split('\n');
    assert.equal(lines[0], 'flowchart TD');
    assert.equal(lines.filter((l) => l.startsWith('  classDef ')).length, 8);
    assert.deepEqual([...nodeLabels(src).keys()], ['n0', 'n1', 'n2']);
    assert.ok(lines.includes('  n0 --> n1'));
    assert.ok(lines.includes('  n1 --> n2'));
    assert.ok(lines.includes('  class n0 question'));
    assert.ok(src.endsWith('\n'));
  });

  test('labels show an excerpt, score, tokens (~ when estimated) and cost', () => {
    const g = new ThoughtGraph();
    const a = g.addNode({ kind: 'thought', text: 'A reported node', score: 0.756 });
    g.recordCall(a.id, call(120, 45));
    const b = g.addNode({ kind: 'thought', text: 'An estimated node' });
    g.recordCall(b.id, call(10, 5, { usage: { promptTokens: 10, completionTokens: 5, estimated: true }, usageSource: 'estimated', costUsd: null }));
    const c = g.addNode({ kind: 'thought', text: 'Waiting', status: 'pending' });
    assert.equal(labelFor(a), 'A reported node\nscore 0.76 · 120 in / 45 out · $0.0012');
    assert.equal(labelFor(b), 'An estimated node\n~10 in / ~5 out · price unknown');
    assert.equal(labelFor(c), 'Waiting\npending');
    const labels = nodeLabels(renderMermaid(g.snapshot()));
    assert.equal(unescapeLabel(labels.get('n0') as string), labelFor(a));
    assert.equal(unescapeLabel(labels.get('n1') as string), labelFor(b));
  });

  test('excerpts: at most ~60 characters on one or two lines, whitespace collapsed, no split surrogates', () => {
    assert.deepEqual(excerpt('short'), ['short']);
    assert.deepEqual(excerpt('  many\n\n  spaces\there  '), ['many spaces here']);
    const long = excerpt('word '.repeat(40));
    assert.equal(long.length, 2);
    assert.ok(long.join(' ').length <= 60, long.join(' '));
    assert.ok(long[1].endsWith('…'));
    const emoji = excerpt('\u{1F600}'.repeat(100));
    assert.equal(Array.from(emoji.join('')).length, 60);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(emoji.join('')), 'no lone high surrogate');
    assert.deepEqual(excerpt(''), []);
    assert.equal(labelFor({ ...sampleGraph().get('n0'), text: '' }), '(empty)');
  });

  test('hostile text only ever changes the label text', () => {
    const g = sampleGraph(HOSTILE);
    const edgeLabelled = g.addNode({ kind: 'thought', text: 'x' }, [{ id: 'n0', kind: 'aggregate', label: HOSTILE[4] + HOSTILE[1] }]);
    const snap = g.snapshot();
    const src = renderMermaid(snap);
    const lines = src.trimEnd().split('\n');
    // Exactly: header, 8 classDefs, one line per node, one per edge, one per class used.
    const classesUsed = new Set(snap.nodes.map(classFor).filter(Boolean)).size;
    assert.equal(lines.length, 1 + 8 + snap.nodes.length + snap.edges.length + classesUsed);
    const labels = nodeLabels(src);
    assert.equal(labels.size, snap.nodes.length);
    for (const node of snap.nodes) {
      const label = labels.get(node.id) as string;
      assert.match(label, LABEL_SYNTAX, `label of ${node.id} uses only safe characters and codes`);
      assert.equal(unescapeLabel(label), labelFor(node), `label of ${node.id} decodes to its text`);
    }
    // Nothing Mermaid would act on survives anywhere in the text.
    assert.ok(!src.includes('%%'));
    assert.ok(!/^\s*(click|style|subgraph|end|%%)/m.test(src));
    assert.ok(!/[<>]/.test(src.replace(/<br\/>|<span><\/span>/g, '').replace(/-->|==>|-\.->/g, '')), 'no markup but ours');
    assert.ok(!src.includes('#36;#36;'), '$$ is split so KaTeX never sees it');
    assert.ok(!src.includes('#58;fa-'), 'fa:fa- is split so no icon is substituted');
    assert.ok(!src.includes('#92;n'), 'backslash-n is split so it is not a line break');
    assert.ok(!src.includes('#64258;#176;'), 'Mermaid entity placeholders are split');
    assert.ok(!src.includes('#0;'), 'no NUL reference');
    // The edge label is escaped too.
    const edgeLine = lines.find((l) => l.includes(` ${edgeLabelled.id}`) && l.includes('==>')) as string;
    const m = /^ {2}n0 ==>\|"(.*)"\| n\d+$/.exec(edgeLine);
    assert.ok(m, edgeLine);
    assert.match(m[1], LABEL_SYNTAX);
    assert.equal(unescapeLabel(m[1]), HOSTILE[4] + HOSTILE[1]);
  });

  test('bidi overrides and isolates never reach the Mermaid source, so no label displays reversed', () => {
    const g = new ThoughtGraph();
    const spoof = 'safe \u202Eexe.txt\u202C \u2066x\u2069 \u200E\u200F\u061C \u202A\u202B\u202D\u2067\u2068 end';
    const q = g.addNode({ kind: 'question', text: spoof });
    g.addNode({ kind: 'thought', text: 'ok' }, [{ id: q.id, kind: 'aggregate', label: spoof }]);
    g.recordCall(q.id, call(10, 5, { model: 'm\u202Eodel' }));
    const src = renderMermaid(g.snapshot());
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c]) {
      assert.ok(!src.includes(`#${code};`) && !src.includes(String.fromCharCode(code)), `U+${code.toString(16)} is gone`);
    }
    assert.ok(unescapeLabel(nodeLabels(src).get(q.id) as string).includes('safe exe.txt x'));
    assert.equal(escapeLabel('a\u202Eb'), 'ab');
  });

  test('escapeLabel encodes everything outside the safe set', () => {
    assert.equal(escapeLabel('a-b (c) 1/2 = 3, 4.'), 'a-b (c) 1/2 = 3, 4.');
    assert.equal(escapeLabel('<"#;:%`*_$~[]{}|&\'\\'), '#60;#34;#35;#59;#58;#37;#96;#42;#95;#36;#126;#91;#93;#123;#125;#124;#38;#39;#92;');
    assert.equal(escapeLabel('line1\nline2'), 'line1<br/>line2');
    assert.equal(escapeLabel('\u{1F600}'), '#128512;');
    assert.equal(escapeLabel('$$'), '#36;<span></span>#36;');
  });

  test('edges by kind and classes by status/kind', () => {
    const g = new ThoughtGraph();
    const q = g.addNode({ kind: 'question', text: 'q' });
    const statuses = ['selected', 'pruned', 'failed', 'running', 'cancelled', 'pending', 'done'] as const;
    const ids = statuses.map((status) => g.addNode({ kind: 'thought', text: status, status }, [{ id: q.id, kind: 'expand' }]).id);
    const ev = g.addNode({ kind: 'evaluation', text: 'value 7' }, [{ id: ids[0], kind: 'evaluate' }]);
    const ans = g.addNode({ kind: 'answer', text: '42', status: 'selected' }, [{ id: ids[0], kind: 'answer' }]);
    g.addEdge(ids[1], ans.id, 'aggregate');
    g.addEdge(ids[2], ans.id, 'refine', 'fix');
    const src = renderMermaid(g.snapshot());
    assert.ok(src.includes(`  ${ids[0]} -.-> ${ev.id}\n`), 'evaluate edges are dotted');
    assert.ok(src.includes(`  ${ids[0]} ==> ${ans.id}\n`), 'answer edges are thick');
    assert.ok(src.includes(`  ${ids[1]} ==>|"aggregate"| ${ans.id}\n`));
    assert.ok(src.includes(`  ${ids[2]} -->|"fix"| ${ans.id}\n`));
    assert.ok(src.includes(`  class ${q.id} question\n`));
    assert.ok(src.includes(`  class ${ans.id} answer\n`));
    for (const [i, status] of statuses.entries()) {
      if (status === 'done') assert.ok(!new RegExp(`class [^\\n]*\\b${ids[i]}\\b`).test(src), 'a plain done thought has no class');
      else assert.ok(new RegExp(`  class [^\\n]*\\b${ids[i]}\\b[^\\n]* ${status}\\n`).test(src), `${status} class`);
    }
    assert.match(src, /  n\d+\(\["q"\]\)/, 'questions are stadium-shaped');
    assert.match(src, /  n\d+\[\["42"\]\]/, 'answers are double-bordered');
    assert.match(src, /  n\d+\{\{"value 7"\}\}/, 'evaluations are hexagons');
  });

  test('odd node ids are replaced by safe generated ids', () => {
    const node = (id: string): ThoughtNode => ({ ...sampleGraph().get('n0'), id });
    const snap: GraphSnapshot = {
      nodes: [node('end'), node('a"];click x'), node('n1'), node('ts_0')],
      edges: [{ from: 'end', to: 'n1', kind: 'expand' }, { from: 'a"];click x', to: 'ts_0', kind: 'expand' }],
    };
    const ids = mermaidIds(snap);
    assert.deepEqual([...ids.values()], ['ts_0', 'ts_1', 'n1', 'ts_3']);
    const src = renderMermaid(snap);
    assert.ok(src.includes('  ts_0 --> n1\n'));
    assert.ok(src.includes('  ts_1 --> ts_3\n'));
    assert.ok(!src.includes('click'));
  });

  test('deterministic: same graph, same text', () => {
    const a = renderMermaid(sampleGraph(HOSTILE).snapshot());
    const b = renderMermaid(sampleGraph(HOSTILE).snapshot());
    assert.equal(a, b);
    const roundTripped = JSON.parse(JSON.stringify(sampleGraph(HOSTILE).snapshot())) as GraphSnapshot;
    assert.equal(renderMermaid(roundTripped), a, 'a snapshot sent through postMessage/JSON renders the same');
  });
});
