// AnyTool against the loopback server with a scripted model over a generated catalog of 200 tools in
// 10 categories: function-calling agents (meta → category → tool) fill a pool that a check judges
// solvable, a failed attempt prunes the tool it blames and resumes the deepest unfinished agents, a
// judge decides success, bad arguments come back to the model as clear errors, and the final tool
// call really runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTechnique } from '../../src/core/engine';
import { genericTask } from '../../src/core/tasks/generic';
import { anytoolTechnique } from '../../src/core/techniques/anytool';
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

const RESUMED = /The attempt to solve the request with the tools found so far failed/;

/** A function call in whichever protocol the request allows; `slow` replies wait, so a faster branch stops them. */
function call(req: FakeRequest, name: string, args: Record<string, unknown>, slow = false): FakeReply {
  const json = JSON.stringify(args);
  const reply: FakeReply = req.body.tools ? { choices: [`I call ${name}.`], toolCalls: [{ name, arguments: json }] } : { choices: [`I call ${name}.\nCALL ${name} ${json}`] };
  return slow ? { ...reply, delayMs: 150 } : reply;
}

/** Its agent's turn: how many replies it has given in its conversation so far. */
const turn = (req: FakeRequest) => req.body.messages.filter((m) => m.role === 'assistant').length;

/**
 * The scripted model. Round 1: the meta-agent hands finance on; its tool agent pools finance_tool_4,
 * which the check calls solvable; the solver cannot run it and gives up. The tool agent, then the
 * finance category agent resume and find nothing; the meta-agent resumes and hands on arithmetic,
 * whose tool agent pools arithmetic_tool_13, which answers; the judge agrees.
 */
function scripted(req: FakeRequest): FakeReply {
  const system = req.body.messages[0].content;
  const all = req.body.messages.map((m) => m.content).join('\n');
  const resumed = RESUMED.test(all);
  if (/^You are the meta-agent/.test(system)) {
    if (resumed) return /create_agent_category_level \{"category":"arithmetic"\}/.test(all) ? call(req, 'Finish', {}) : call(req, 'create_agent_category_level', { category: 'arithmetic' });
    return turn(req) === 0 ? call(req, 'create_agent_category_level', { category: 'finance' }) : call(req, 'get_tools_in_category', { category: 'travel' }, true);
  }
  if (/^You are the category agent for "finance"/.test(system)) {
    if (resumed) return call(req, 'Finish', {});
    return turn(req) === 0 ? call(req, 'create_agent_tool_level', { tools: ['finance_tool_4'] }) : call(req, 'get_tools_descriptions', { tools: ['finance_tool_5'] }, true);
  }
  if (/^You are the category agent for "arithmetic"/.test(system)) return turn(req) === 0 ? call(req, 'create_agent_tool_level', { tools: ['arithmetic_tool_1', 'arithmetic_tool_13'] }) : call(req, 'Finish', {});
  if (/^You are a tool agent for the tools finance_tool_4:/.test(system)) return resumed || turn(req) > 0 ? call(req, 'Finish', {}) : call(req, 'add_tools_into_pool', { tools: ['finance_tool_4'] });
  if (/^You are a tool agent for the tools arithmetic_tool_1, arithmetic_tool_13:/.test(system)) return turn(req) === 0 ? call(req, 'add_tools_into_pool', { tools: ['arithmetic_tool_13'] }) : call(req, 'Finish', {});
  if (/Can these tools, called as needed, fully solve the request\?/.test(req.prompt)) return { choices: ['Solvable'] };
  if (/Does this answer solve the request completely and correctly\?/.test(req.prompt)) return { choices: [/The final answer: 7006652/.test(req.prompt) ? 'Solved: the calculator computed it.' : 'Unsolved: no computation backs it.'] };
  if (/^You are the solver/.test(all)) {
    const last = req.prompt;
    const tool = req.body.tools ? (req.body.tools as Array<{ function: { name: string } }>)[0].function.name : (/^- (\w+):/m.exec(all)?.[1] ?? '');
    const solverCall = (args: string): FakeReply => (req.body.tools ? { choices: [''], toolCalls: [{ name: tool, arguments: args }] } : { choices: [`I will compute it.\nCALL ${tool} ${args}`] });
    if (tool === 'finance_tool_4') return /has no local implementation/.test(last) ? { choices: ['GIVE UP: finance_tool_4 cannot run here'] } : solverCall('{"expression": "1234*5678"}');
    if (!/Result/.test(last)) return solverCall('{"expr": 5}');
    if (/bad arguments/.test(last)) return solverCall('{"expression": "1234*5678"}');
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
    const report = await runTechnique({ technique: anytoolTechnique, task: genericTask, input: 'What is 1234 times 5678?', params: { catalogFile: writeCatalog(), builtins: false, rounds: 4, agentSteps: 6, ...params }, run, host: { baseDir: dir } });
    return { server, run, report };
  }
  const agentOf = (req: FakeRequest) => /^You are (?:the meta-agent|the category agent for "\w+"|a tool agent for the tools [\w, ]+)/.exec(req.body.messages[0].content)?.[0];

  it('agents fill a pool checked for solvability; a failure prunes its tool and resumes the deepest unfinished agents; a judge confirms the answer', async () => {
    const { server, run, report } = await runWith(scripted);
    assert.equal(report.summary.outcome, 'done', report.summary.message);
    assert.equal(report.summary.answer, String(1234 * 5678));
    // The agents are multi-turn function-calling loops: the meta-agent took several turns, with its exploration functions.
    const metaTurns = server.requests.filter((r) => agentOf(r) === 'You are the meta-agent');
    assert.ok(metaTurns.length >= 2);
    assert.deepEqual((metaTurns[0].body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name), ['get_tools_in_category', 'create_agent_category_level', 'Finish']);
    assert.match(metaTurns[1].prompt, /^Result of create_agent_category_level: Category finance assigned\.$/);
    const arithmetic = server.requests.find((r) => agentOf(r) === 'You are the category agent for "arithmetic"')!.body.messages[0].content;
    assert.equal(arithmetic.match(/^- arithmetic_tool_\d+:/gm)?.length, 20, 'a category agent sees only its 20 tools');
    // Each pool addition is checked; "Solvable" stopped the search, leaving agents unfinished.
    const checks = run.graph.nodes().filter((n) => n.meta?.agent === 'solvability check');
    assert.deepEqual(checks.map((n) => n.text), ['Solvable with 1 tool: Solvable', 'Solvable with 1 tool: Solvable']);
    // The solver is offered the pool: finance_tool_4 first, then (pruned after its failure) arithmetic_tool_13 alone.
    const solverTools = server.requests.filter((r) => /^You are the solver/.test(r.body.messages[0].content) && r.body.tools).map((r) => (r.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name).join());
    assert.equal(solverTools[0], 'finance_tool_4');
    assert.equal(solverTools[solverTools.length - 1], 'arithmetic_tool_13');
    const solvers = run.graph.nodes().filter((n) => n.meta?.agent === 'solver');
    assert.equal(solvers[0].meta?.pruned, 'finance_tool_4');
    // Resumed bottom-up: the finance tool agent, then the finance category agent, then the meta-agent, each told why.
    const resumedOrder = server.requests.filter((r) => RESUMED.test(r.prompt)).map(agentOf);
    assert.deepEqual([...new Set(resumedOrder)], ['You are a tool agent for the tools finance_tool_4', 'You are the category agent for "finance"', 'You are the meta-agent']);
    assert.match(server.requests.find((r) => RESUMED.test(r.prompt))!.prompt, /failed: the solver gave up: finance_tool_4 cannot run here/);
    const resumeEdges = run.graph.edges().filter((e) => e.kind === 'backtrack' && e.label === 'resume');
    assert.equal(resumeEdges.length, 3);
    // The meta-agent kept its conversation: the resumed turn carries its first turns.
    const metaResumed = metaTurns.find((r) => RESUMED.test(r.prompt))!;
    assert.ok(metaResumed.body.messages.some((m) => /create_agent_category_level \{"category":"finance"\}/.test(m.content)));
    // Success is the judge's call.
    const judge = run.graph.nodes().filter((n) => n.meta?.agent === 'judge');
    assert.deepEqual(judge.map((n) => n.score), [1]);
    assert.ok(run.graph.parentsOf(report.summary.answerNodeId!).includes(judge[0].id));
    const calls = run.graph.nodes().filter((n) => n.kind === 'execution');
    assert.deepEqual(calls.map((c) => c.status), ['failed', 'failed', 'done']);
    assert.match(calls[1].text, /bad arguments for arithmetic_tool_13: the arguments must have required property 'expression'/);
    assert.match(calls[2].text, /→ 7006652$/);
    const toolAgent = run.graph.get(run.graph.parentsOf(calls[2].id)[0]);
    assert.equal(toolAgent.meta?.level, 'tool');
    assert.equal(toolAgent.meta?.added, 'arithmetic_tool_13');
    assert.equal(run.graph.get(run.graph.parentsOf(toolAgent.id)[0]).meta?.level, 'category');
    assert.ok(server.requests.some((r) => /Result 1 \(arithmetic_tool_13\): Error: bad arguments/.test(r.prompt)));
  });

  it('an answer the judge finds unsolved is not the result, however confident the solver', async () => {
    const { report, run } = await runWith((req) => (/Does this answer solve the request/.test(req.prompt) ? { choices: ['Unsolved: it was never checked.'] } : scripted(req)), { rounds: 1 });
    assert.match(report.summary.answer ?? '', /^No answer: /);
    assert.equal(run.graph.nodes().filter((n) => n.meta?.agent === 'judge').length, 0, 'round 1 gave up before an answer');
    const direct = await runWith((req) => {
      if (/^You are the meta-agent/.test(req.body.messages[0].content)) return turn(req) === 0 ? call(req, 'create_agent_category_level', { category: 'arithmetic' }) : call(req, 'Finish', {});
      if (/Does this answer solve the request/.test(req.prompt)) return { choices: ['Unsolved: it was never checked.'] };
      return scripted(req);
    }, { rounds: 2 });
    assert.match(direct.report.summary.answer ?? '', /^No answer: the judge found the answer "7006652" unsolved: it was never checked\./);
    assert.deepEqual(direct.report.candidates, ['7006652', '7006652']);
    assert.deepEqual(direct.run.graph.nodes().filter((n) => n.meta?.agent === 'judge').map((n) => n.score), [0, 0]);
  });

  it('falls back to the text protocol when the server refuses tools', async () => {
    const { server, report, run } = await runWith((req) => (req.body.tools ? { status: 400 } : scripted(req)));
    assert.equal(report.summary.answer, '7006652');
    assert.ok(server.requests.some((r) => /CALL arithmetic_tool_13 \{"expression": "1234\*5678"\}/.test(r.body.messages.map((m) => m.content).join('\n'))));
    assert.ok(server.requests.some((r) => /CALL create_agent_category_level \{"category":"finance"\}/.test(r.body.messages.map((m) => m.content).join('\n'))), 'the agents too');
    assert.ok(run.graph.nodes().some((n) => n.meta?.agent === 'solver' && n.meta?.protocol === 'text'));
    // The rules come from the anytool/text-protocol template, recorded with the calls that sent them.
    const textCalls = run.graph.nodes().flatMap((n) => n.calls).filter((c) => c.templates?.some((t) => t.name === 'anytool/text-protocol'));
    assert.ok(textCalls.length >= 2, 'the solver and the agents record the text-protocol template');
    assert.ok(server.requests.some((r) => /arguments schema: \{"type":"object"/.test(r.body.messages[0].content)));
  });

  it('a model error in one agent ends the run with it, and the other agents stop calling', async () => {
    const { report, server } = await runWith((req) => (/^You are the category agent for "finance"/.test(req.body.messages[0].content) ? { status: 401 } : scripted(req)));
    assert.equal(report.summary.outcome, 'failed');
    assert.match(report.summary.message ?? '', /401/);
    const count = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(server.requests.length, count, 'no agent went on after the run ended');
  });

  it('says there is no answer when the search finds nothing, instead of inventing one', async () => {
    const { report, run, server } = await runWith((req) => (/^You are the meta-agent/.test(req.body.messages[0].content) ? { choices: ['nothing useful'] } : { choices: ['?'] }), { rounds: 2, agentSteps: 2 });
    assert.equal(report.summary.outcome, 'done');
    assert.match(report.summary.answer ?? '', /^No answer: no tool was added to the pool/);
    assert.equal(server.requests.length, 2, 'two meta turns, each nudged to call a function; nothing to resume');
    assert.match(server.requests[1].prompt, /At each step, call a function/);
    assert.equal(run.graph.nodes().filter((n) => n.meta?.agent === 'solver').length, 0);
  });
});
