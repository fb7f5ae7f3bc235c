// import-prompts: a Python prompt module's top-level string constants read without Python (literal
// forms, escapes, joined literals, skipped statements), str.format fields as Liquid variables, and the
// written templates rendering what Python's str.format would give.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ImportError, convertPromptModule, formatToLiquid, importPromptModule } from '../../src/core/prompts/importPrompts';
import { readPythonConstants } from '../../src/core/prompts/pythonStrings';
import { TemplateLibrary } from '../../src/core/templates/library';

const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-import-'));

// A module in the style of the ToT repository's prompts/ folder, with the literal forms Python allows.
const MODULE = [
  '# Prompts for a puzzle. "quotes" in a comment are not strings.',
  '"""The module docstring is not a constant."""',
  'import os',
  '',
  "standard_prompt = '''Use numbers and basic arithmetic operations (+ - * /) to obtain 24.",
  'Input: {input}',
  "'''",
  '',
  'cot_prompt = (',
  '    "Think step by step.\\n"   # a comment between the parts',
  "    'Input: {input}\\n'",
  '    r"Raw \\n stays"',
  ')',
  'braces = "A JSON object: {{\\"a\\": {value}}} and a Liquid-looking {{% tag %}}"',
  "escapes = 'tab\\there, A=\\x41, e=\\u00e9, octal \\101, kept \\q'",
  'positional = "{} and {0} and {name:>5} and {item.attr}"',
  "f_string = f'{input} is filled by Python'",
  'number = 42',
  'def helper():',
  '    inner = "not top level"',
  '    return inner',
  'value_last_step_prompt = """Judge: {answer}',
  'multi"line with "quotes" inside"""',
  'standard_prompt = "reassigned: {input}"',
].join('\n');

/** What Python's str.format gives for these few cases, worked out by hand. */
describe('reading a Python prompt module', () => {
  it('keeps top-level string constants, joins adjacent literals, applies escapes, and skips the rest with reasons', () => {
    const { constants, skipped } = readPythonConstants(MODULE);
    const byName = Object.fromEntries(constants.map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['braces', 'cot_prompt', 'escapes', 'positional', 'standard_prompt', 'value_last_step_prompt']);
    assert.equal(byName.standard_prompt.value, 'reassigned: {input}', 'a later assignment wins');
    assert.equal(byName.cot_prompt.value, 'Think step by step.\nInput: {input}\nRaw \\n stays');
    assert.equal(byName.cot_prompt.line, 9);
    assert.equal(byName.escapes.value, 'tab\there, A=A, e=é, octal A, kept \\q');
    assert.equal(byName.value_last_step_prompt.value, 'Judge: {answer}\nmulti"line with "quotes" inside');
    assert.deepEqual(
      skipped.map((s) => [s.name, s.reason]),
      [
        ['f_string', 'an f-string (its fields are filled when Python runs it)'],
        ['number', 'not a string literal'],
      ],
    );
  });

  it('turns str.format fields into Liquid variables, keeping escaped braces and Liquid-looking text verbatim', () => {
    const lib = (text: string) => TemplateLibrary.of([{ name: 'm/t', text, source: 'user', file: 'm/t.liquid', hash: 'h' }]);
    const braces = formatToLiquid('A JSON object: {{"a": {value}}} and a Liquid-looking {{% tag %}}');
    assert.deepEqual(braces.variables, ['value']);
    assert.equal(lib(braces.text).render('m/t', { value: 3 }).text, 'A JSON object: {"a": 3} and a Liquid-looking {% tag %}');
    const positional = formatToLiquid('{} and {0} and {name:>5} and {item.attr}', {}, 'm.py:1 positional');
    assert.deepEqual(positional.variables, ['arg0', 'name', 'item']);
    assert.deepEqual(positional.warnings, ['m.py:1 positional: "{name:>5}": the conversion or format spec ":>5" is dropped']);
    assert.equal(lib(positional.text).render('m/t', { arg0: 'x', name: 'n', item: { attr: 'a' } }).text, 'x and x and n and a');
    const renamed = formatToLiquid('Input: {input}\n', { input: 'numbers' });
    assert.equal(renamed.text, 'Input: {{ numbers }}\n');
  });

  it('writes each constant as <prefix>/<name>.liquid, refuses to overwrite without force, and names the line of a broken literal', () => {
    const module = join(dir, 'puzzle.py');
    writeFileSync(module, MODULE);
    const out = join(dir, 'templates');
    const result = importPromptModule(module, { outDir: out });
    assert.deepEqual(result.templates.map((t) => t.name).sort(), ['puzzle/braces', 'puzzle/cot-prompt', 'puzzle/escapes', 'puzzle/positional', 'puzzle/standard-prompt', 'puzzle/value-last-step-prompt']);
    assert.equal(readFileSync(join(out, 'puzzle', 'cot-prompt.liquid'), 'utf8'), 'Think step by step.\nInput: {{ input }}\nRaw \\n stays');
    const lib = TemplateLibrary.builtIn().withDir(out, 'user');
    assert.equal(lib.render('puzzle/value-last-step-prompt', { answer: '(1+2)*8' }).text, 'Judge: (1+2)*8\nmulti"line with "quotes" inside');
    assert.deepEqual(lib.variablesOf('puzzle/cot-prompt'), ['input']);
    assert.throws(() => importPromptModule(module, { outDir: out }), (err: Error) => err instanceof ImportError && /puzzle\/cot-prompt\.liquid exists \(and 5 more\); pass --force to replace$/.test(err.message));
    assert.equal(importPromptModule(module, { outDir: out, overwrite: true, prefix: 'puzzle' }).templates.length, 6);
    assert.throws(() => convertPromptModule('ok = "x"\nbad = """never closed\n', 'bad.py'), /^ImportError: bad\.py:2: a string literal is not closed$/);
    assert.throws(() => convertPromptModule('x = 1\n', 'none.py'), /none\.py: no top-level string constants to import \(skipped: x, not a string literal\)/);
  });
});
