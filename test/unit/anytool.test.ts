// AnyTool against the loopback server with a scripted model over a generated catalog of 200 tools in
// 10 categories: the hierarchy narrows to the right tool, a failing attempt triggers reflection, bad
// arguments come back to the model as clear errors, and the final tool call really runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { genericTask } from '../../src/core/tasks/generic';
import { anytoolTechnique, pickNames } from '../../src/core/techniques/anytool';
import { BUILTIN_CATALOG } from '../../src/core/techniques/anytool/builtinTools';
import { CalcError, evaluateExpression } from '../../src/core/techniques/anytool/calculator';
import { parseTextCalls } from '../../src/core/techniques/anytool/protocol';
import { runToolCall } from '../../src/core/techniques/anytool/toolRunner';
import { convertUnits } from '../../src/core/techniques/anytool/units';
import { ParamError } from '../../src/core/techniques/params';
import { disposeSharedSandbox } from '../../src/core/sandbox/sandbox';
import { startFakeServer, type FakeRequest, type FakeReply, type FakeServer } from '../support/fakeOpenAI';
import { runAt } from '../support/runHelpers';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-anytool-'));
const TOPICS = ['finance', 'weather', 'geometry', 'music', 'travel', 'sports', 'chemistry', 'arithmetic', 'language', 'shopping'];

/** 10 categories × 20 tools; arithmetic_tool_13 really computes (the calculator), finance_tool_4 has no implementation. */
function writeCatalog(): string {
  const categories = TOPICS.map((topic) => ({
    name: topic,
    description: `Tools about ${topic}.`,
    tools: Array.from({ length: 20 }, (_, i) => ({
      name: `${topic}_tool_${i}`,
      description: `${topic} helper number ${i}.`,
      parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'], additionalProperties: false },
      ...(topic === 'arithmetic' && i === 13 ? { implementation: 'calculator' } : {}),
    })),
  }));
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify({ categories }));
  return file;
}

/** The scripted model: round 1 goes to finance and fails; after the reflection it goes to arithmetic. */
function scripted(req: FakeRequest): FakeReply {
  const all = req.body.messages.map((m) => m.content).join('\n');
  const reflected = /Reflections from failed attempts/.test(all);
  if (/^You are the meta-agent/.test(all)) return { choices: [reflected ? 'arithmetic' : 'finance\nweather'] };
  if (/^You are the category agent for "finance"/.test(all)) return { choices: ['finance_tool_4'] };
  if (/^You are the category agent for "weather"/.test(all)) return { choices: ['NONE'] };
  if (/^You are the category agent for "arithmetic"/.test(all)) return { choices: ['arithmetic_tool_1\narithmetic_tool_13'] };
  if (/^You are the tool agent for "arithmetic_tool_1"/.test(all)) return { choices: ['SKIP: not for products'] };
  if (/^You are the tool agent/.test(all)) return { choices: ['USE: {"expression": "1234*5678"}'] };
  if (/^Reflect on the failed attempt/.test(all)) return { choices: ['finance tools cannot compute; search the arithmetic category.'] };
  if (/^You are the solver/.test(all)) {
    const last = req.prompt;
    const tool = req.body.tools ? ((req.body.tools as Array<{ function: { name: string } }>)[0].function.name) : /- (\w+):/.exec(all)?.[1] ?? '';
    const call = (args: string): FakeReply => (req.body.tools ? { choices: [''], toolCalls: [{ name: tool, arguments: args }] } : { choices: [`I will compute it.\nCALL ${tool} ${args}`] });
    if (tool === 'finance_tool_4') return /has no local implementation/.test(last) ? { choices: ['GIVE UP: finance_tool_4 cannot run here'] } : call('{"expression": "1234*5678"}');
    if (!/Result/.test(last)) return call('{"expr": 5}');
    if (/bad arguments/.test(last)) return call('{"expression": "1234*5678"}');
    const value = /Result 1 \(arithmetic_tool_13\): (\S+)/.exec(last)?.[1];
    return { choices: [`FINAL ANSWER: ${value}`] };
  }
  return { choices: ['?'] };
}

describe('anytool building blocks', () => {
  it('evaluates arithmetic safely and names what it cannot parse', () => {
    assert.equal(evaluateExpression('2 + 3 * 4 ^ 2 / 8'), 8);
    assert.equal(evaluateExpression('-2^2'), -4);
    assert.equal(evaluateExpression('2^3^2'), 512);
    assert.equal(evaluateExpression('sqrt(16) + max(1, 7, 3) + round(pi, 2)'), 14.14);
    for (const bad of ['process.exit()', '2 +', '1/0', 'constructor', '(1', '1 2']) assert.throws(() => evaluateExpression(bad), CalcError, bad);
  });

  it('converts units', () => {
    assert.equal(convertUnits(1, 'mi', 'km'), 1.609344);
    assert.ok(Math.abs(convertUnits(212, 'F', 'celsius') - 100) < 1e-9);
    assert.throws(() => convertUnits(1, 'kg', 'm'), /cannot convert mass/);
  });

  it('reads text-protocol calls with nested JSON and picks the longest matching names', () => {
    assert.deepEqual(parseTextCalls('ok\nCALL calc {"a": {"b": "}"}} trailing\nCALL other {}'), [
      { name: 'calc', arguments: '{"a": {"b": "}"}}' },
      { name: 'other', arguments: '{}' },
    ]);
    assert.deepEqual(pickNames('1. tool_10\n- tool_1\nTOOL_10 again', ['tool_1', 'tool_10'], 5), ['tool_10', 'tool_1']);
  });

  it('returns bad arguments, unknown tools and escapes from the workspace as errors, and runs good calls', async () => {
    const root = mkdtempSync(join(dir, 'ws-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.txt'), 'alpha\nbeta needle\ngamma\n');
    writeFileSync(join(dir, 'outside.txt'), 'secret');
    symlinkSync(join(dir, 'outside.txt'), join(root, 'link.txt'));
    const tools = Object.fromEntries(BUILTIN_CATALOG.categories.flatMap((c) => c.tools).map((t) => [t.name, t]));
    const ctx = { root, now: () => new Date('2024-03-01T12:00:00Z') };
    assert.deepEqual(await runToolCall(tools.calculator, 'calculator', '{"expression": "6*7"}', ctx), { ok: true, output: '42' });
    assert.match((await runToolCall(tools.calculator, 'calculator', '{"expression": 5}', ctx)).output, /^Error: bad arguments for calculator: "expression" must be string/);
    assert.match((await runToolCall(tools.calculator, 'calculator', '{"expression": "1", "x": 1}', ctx)).output, /must NOT have additional properties \("x"\)/);
    assert.match((await runToolCall(tools.calculator, 'calculator', '{expression', ctx)).output, /^Error: the arguments of calculator are not valid JSON/);
    assert.match((await runToolCall(undefined, 'rm_rf', '{}', ctx)).output, /no tool "rm_rf"/);
    assert.match((await runToolCall(tools.read_file, 'read_file', '{"path": "../outside.txt"}', ctx)).output, /outside the workspace folder/);
    assert.match((await runToolCall(tools.read_file, 'read_file', '{"path": "link.txt"}', ctx)).output, /leads outside the workspace folder/);
    assert.equal((await runToolCall(tools.read_file, 'read_file', '{"path": "src/a.txt", "startLine": 2, "endLine": 2}', ctx)).output, '2: beta needle');
    assert.equal((await runToolCall(tools.workspace_search, 'workspace_search', '{"query": "NEEDLE"}', ctx)).output, 'src/a.txt:2: beta needle');
    assert.match((await runToolCall(tools.datetime, 'datetime', '{"timezone": "Asia/Tokyo"}', ctx)).output, /^2024-03-01T12:00:00.000Z \(UTC\)\n.*21:00:00/);
    assert.equal((await runToolCall(tools.convert_units, 'convert_units', '{"value": 2, "from": "kg", "to": "g"}', ctx)).output, '2000');
  });

  it('runs a catalog tool written in JavaScript, and run_code, in the WebAssembly sandbox', async () => {
    after(() => disposeSharedSandbox());
    const add = { name: 'add', description: 'adds', category: 'c', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] }, implementation: { javascript: 'args.a * 1000 + args.b' } };
    assert.deepEqual(await runToolCall(add, 'add', '{"a": 7, "b": 42}', { root: dir }), { ok: true, output: 'result: 7042' });
    const code = BUILTIN_CATALOG.categories[0].tools.find((t) => t.name === 'run_code')!;
    assert.deepEqual(await runToolCall(code, 'run_code', '{"language": "javascript", "code": "console.log(6 * 7)"}', { root: dir }), { ok: true, output: '42' });
    assert.match((await runToolCall(code, 'run_code', '{"language": "javascript", "code": "throw new Error(\'boom\')"}', { root: dir })).output, /^Error: run_code failed: .*boom/);
  });

  it('rejects a bad catalog file with a one-line message naming the tool', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ categories: [{ name: 'x', tools: [{ name: 'ok', description: 'd', parameters: { type: 'string' } }] }] }));
    await assert.rejects(async () => anytoolTechnique.validate!({ catalogFile: file, builtins: true } as never, {}), (err: Error) => err instanceof ParamError && /tool "ok": "parameters" must be a JSON Schema with "type": "object"/.test(err.message));
    writeFileSync(file, '{"categories": [');
    await assert.rejects(async () => anytoolTechnique.validate!({ catalogFile: file, builtins: true } as never, {}), /not valid JSON/);
  });
});

describe('anytool technique', () => {
  const servers: FakeServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  async function runWith(handler: (req: FakeRequest) => FakeReply, params: Record<string, unknown> = {}) {
    const server = await startFakeServer(handler);
    servers.push(server);
    const run = runAt(server.baseUrl);
    const report = await runTechnique({ technique: anytoolTechnique, task: genericTask, input: 'What is 1234 times 5678?', params: { catalogFile: writeCatalog(), builtins: false, ...params }, run, host: { baseDir: dir } });
    return { server, run, report };
  }

  it('narrows 200 tools to the right one, reflects after a failing attempt, and answers from a real tool run', async () => {
    const { server, run, report } = await runWith(scripted);
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, String(1234 * 5678));
    const prompts = server.requests.map((r) => r.body.messages[0].content);
    const arithmetic = prompts.find((p) => p.startsWith('You are the category agent for "arithmetic"'))!;
    assert.equal(arithmetic.match(/^- arithmetic_tool_\d+:/gm)?.length, 20, 'a category agent sees only its 20 tools');
    assert.ok(prompts.every((p) => !/^- finance_tool_0:/m.test(p) || p.startsWith('You are the category agent for "finance"')));
    const solverTools = server.requests.filter((r) => r.body.tools).map((r) => (r.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name));
    assert.deepEqual(solverTools[0], ['finance_tool_4']);
    assert.deepEqual(solverTools[solverTools.length - 1], ['arithmetic_tool_13'], 'the solver is offered only the tool the hierarchy chose');
    // The graph: meta → categories → tools → calls → answer, the reflection as a back edge to the second meta.
    const nodes = run.graph.nodes();
    const reflection = nodes.find((n) => n.kind === 'reflection')!;
    const metas = nodes.filter((n) => n.meta?.agent === 'meta');
    assert.equal(metas.length, 2);
    assert.ok(run.graph.edges().some((e) => e.from === reflection.id && e.to === metas[1].id && e.kind === 'backtrack'));
    const calls = nodes.filter((n) => n.kind === 'execution');
    assert.deepEqual(calls.map((c) => c.status), ['failed', 'failed', 'done']);
    assert.match(calls[1].text, /bad arguments for arithmetic_tool_13: the arguments must have required property 'expression'/);
    assert.match(calls[2].text, /→ 7006652$/);
    const toolNode = run.graph.get(run.graph.parentsOf(calls[2].id)[0]);
    assert.equal(toolNode.meta?.level, 'tool');
    assert.equal(run.graph.get(run.graph.parentsOf(toolNode.id)[0]).meta?.level, 'category');
    assert.ok(run.graph.parentsOf(report.summary.answerNodeId!).includes(calls[2].id));
    assert.equal(nodes.find((n) => n.text.startsWith('Tool arithmetic_tool_1:'))?.status, 'pruned');
    // The error went back to the model, which fixed its call.
    assert.ok(server.requests.some((r) => /Result 1 \(arithmetic_tool_13\): Error: bad arguments/.test(r.prompt)));
  });

  it('falls back to the text protocol when the server refuses tools', async () => {
    const { server, report, run } = await runWith((req) => (req.body.tools ? { status: 400 } : scripted(req)));
    assert.equal(report.summary.answer, '7006652');
    assert.ok(server.requests.some((r) => /CALL arithmetic_tool_13 \{"expression": "1234\*5678"\}/.test(r.body.messages.map((m) => m.content).join('\n'))));
    assert.ok(run.graph.nodes().some((n) => n.meta?.protocol === 'text (the server refused tools)'));
  });

  it('says there is no answer after the last round instead of inventing one', async () => {
    const { report, run } = await runWith((req) => (/^You are the meta-agent/.test(req.body.messages[0].content) ? { choices: ['nothing useful'] } : { choices: ['?'] }), { rounds: 2 });
    assert.equal(report.summary.outcome, 'done');
    assert.match(report.summary.answer ?? '', /^No answer: the meta-agent chose no known category/);
    assert.equal(run.graph.nodes().filter((n) => n.kind === 'reflection').length, 1);
  });
});
