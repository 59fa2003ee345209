import { describe, expect, it } from 'vitest';
import { argumentReplace } from '../../agents/fixers/offline/operators/argument-replace.ts';
import { argumentSwap } from '../../agents/fixers/offline/operators/argument-swap.ts';
import { arithmetic } from '../../agents/fixers/offline/operators/arithmetic.ts';
import { quotedName } from '../../agents/fixers/offline/operators/quoted-name.ts';
import { awaitInsert } from '../../agents/fixers/offline/operators/await-insert.ts';
import { conditionNarrow } from '../../agents/fixers/offline/operators/condition-narrow.ts';
import { conditionWiden } from '../../agents/fixers/offline/operators/condition-widen.ts';
import { FAMILIES } from '../../agents/fixers/offline/operators/index.ts';
import { initialise } from '../../agents/fixers/offline/operators/initialise.ts';
import { logical } from '../../agents/fixers/offline/operators/logical.ts';
import { memberReplace } from '../../agents/fixers/offline/operators/member-replace.ts';
import { memberSpelling } from '../../agents/fixers/offline/operators/member-spelling.ts';
import { mutatorResult } from '../../agents/fixers/offline/operators/mutator-result.ts';
import { callMissing } from '../../agents/fixers/offline/operators/call-missing.ts';
import { loopProgress } from '../../agents/fixers/offline/operators/loop-progress.ts';
import { loopStuck } from '../../agents/fixers/offline/operators/loop-stuck.ts';
import { recursionEnds } from '../../agents/fixers/offline/operators/recursion-ends.ts';
import { nameReplace } from '../../agents/fixers/offline/operators/name-replace.ts';
import { nameSpelling } from '../../agents/fixers/offline/operators/name-spelling.ts';
import { negate } from '../../agents/fixers/offline/operators/negate.ts';
import { offByOne } from '../../agents/fixers/offline/operators/off-by-one.ts';
import { relational } from '../../agents/fixers/offline/operators/relational.ts';
import { statementDelete } from '../../agents/fixers/offline/operators/statement-delete.ts';
import { statementInsert } from '../../agents/fixers/offline/operators/statement-insert.ts';
import { statementMove } from '../../agents/fixers/offline/operators/statement-move.ts';
import { unary } from '../../agents/fixers/offline/operators/unary.ts';
import { updateAssign } from '../../agents/fixers/offline/operators/update-assign.ts';
import { yieldFrom } from '../../agents/fixers/offline/operators/yield-from.ts';
import { applyEdits, compiles, parse, statementOn } from '../../agents/fixers/offline/source.ts';
import type { Template, TemplateFix } from '../../agents/fixers/offline/templates/types.ts';

/** The fixes a family proposes for `code` at the statement of `line`. */
function fixes(family: Template, code: string, line: number, file = 'src/x.js'): TemplateFix[] {
  const sf = parse(file, code);
  const statement = statementOn(sf, line);
  if (!statement) throw new Error(`no statement on line ${line}`);
  return family.propose({ file, sf, statement, line });
}

/** The texts a family makes of `code` at `line`. */
const texts = (family: Template, code: string, line: number, file = 'src/x.js'): string[] => fixes(family, code, line, file).map((f) => applyEdits(code, f.edits));

/** The texts a template makes of `code` at `line` for a failure with that error. */
function onError(template: Template, code: string, line: number, error: { type: string; message: string }, file = 'src/x.js'): string[] {
  const sf = parse(file, code);
  return template.propose({ file, sf, statement: statementOn(sf, line)!, line, error }).map((f) => applyEdits(code, f.edits));
}

/** The lines that differ between two texts of the same length in lines. */
const changedLines = (a: string, b: string): number => a.split('\n').filter((line, i) => line !== b.split('\n')[i]).length;

describe('operator families: operators', () => {
  it('relational: the first alternative of every comparison (strictness, equality negated) before the second (direction)', () => {
    const code = 'function last(xs) {\n  for (let i = 0; i < xs.length; i++) if (xs[i] === null) return i;\n}\n';
    expect(texts(relational, code, 2)).toEqual([code.replace('i < xs', 'i <= xs'), code.replace('=== null', '!== null'), code.replace('i < xs', 'i > xs')]);
    expect(fixes(relational, code, 2).every((f) => f.template === 'relational')).toBe(true);
    expect(fixes(relational, code, 2)[0]?.rationale).toBe('operator changed at src/x.js:2: `<` became `<=` in `i < xs.length`');
    expect(texts(relational, 'const n = a + b;\n', 1)).toEqual([]);
  });

  it('arithmetic: a wrong operator, compound ones included; a string concatenation is left alone', () => {
    expect(texts(arithmetic, 'const mid = (lo + hi) / 2;\n', 1)).toEqual(['const mid = (lo + hi) * 2;\n', 'const mid = (lo - hi) / 2;\n']);
    expect(texts(arithmetic, 'total -= fee;\n', 1)).toEqual(['total += fee;\n']);
    expect(texts(arithmetic, "const label = 'n=' + n;\n", 1)).toEqual([]);
    expect(texts(arithmetic, 'flags |= bit;\n', 1)).toEqual(['flags &= bit;\n', 'flags ^= bit;\n']);
    expect(texts(arithmetic, 'const hi = (x >> 4) & 15;\n', 1)).toEqual(['const hi = (x >> 4) | 15;\n', 'const hi = (x << 4) & 15;\n', 'const hi = (x >> 4) ^ 15;\n']);
  });

  it('logical: && and || for each other, || for ?? (wrapped, since ?? may not mix unparenthesised)', () => {
    const code = 'const port = options.port || 8080;\n';
    const out = texts(logical, code, 1);
    expect(out).toEqual(['const port = options.port && 8080;\n', 'const port = (options.port ?? 8080);\n']);
    for (const text of out) expect(compiles('src/x.js', text)).toBe(true);
    for (const text of texts(logical, 'const ok = a && b || c;\n', 1)) expect(compiles('src/x.js', text)).toBe(true);
  });

  it('unary: a ! or - dropped, ! put before one side of && or ||, - before a number passed; !! left whole', () => {
    expect(texts(unary, 'if (!seen && ready) go();\n', 1)).toEqual(['if (seen && ready) go();\n', 'if (!seen && !ready) go();\n']);
    expect(texts(unary, 'const tail = text.slice(1);\n', 1)).toEqual(['const tail = text.slice(-1);\n']);
    expect(texts(unary, 'const ok = !!flag;\n', 1)).toEqual([]);
  });

  it('quoted-name: a literal that spells a name nothing else uses becomes the name; a key that matches a used name stays', () => {
    const lookup = "function lookup(table, key) {\n  return table['key'].value;\n}\n";
    expect(texts(quotedName, lookup, 2)).toEqual([lookup.replace("['key']", '[key]')]);
    const local = "function label(user) {\n  const field = pick(user);\n  return user['name'] + format('field');\n}\n";
    expect(texts(quotedName, local, 3)).toEqual([local.replace("format('field')", 'format(field)')]);
    // `key` is used elsewhere: its spelling in a literal is a key of its own.
    expect(texts(quotedName, "function get(table, key) {\n  log(key);\n  return table['key'];\n}\n", 3)).toEqual([]);
    // A module name, an object key, a literal at module level: none is a variable's use.
    expect(texts(quotedName, "function load(fs) {\n  return require('fs');\n}\n", 2)).toEqual([]);
    expect(texts(quotedName, "function make(id) {\n  return { 'id': 1 };\n}\n", 2)).toEqual([]);
  });

  it('update-assign: += for = on an accumulator, = for +=; not a first write nor a declaration', () => {
    const code = "function join(parts) {\n  let out = '';\n  for (const p of parts) out = p;\n  return out;\n}\n";
    expect(texts(updateAssign, code, 3)).toEqual([code.replace('out = p', 'out += p')]);
    expect(texts(updateAssign, 'function f(xs) {\n  let n = 0;\n  for (const x of xs) n += x;\n}\n', 3)).toEqual([
      'function f(xs) {\n  let n = 0;\n  for (const x of xs) n = x;\n}\n',
    ]);
    expect(texts(updateAssign, 'function f(xs) {\n  let rows;\n  rows = xs.map(String);\n}\n', 3)).toEqual([]);
  });

  it('yield-from: yield of a call or an iterable becomes yield*; one already delegating is left alone', () => {
    const code = 'function* all(groups) {\n  for (const g of groups) yield items(g);\n}\n';
    expect(texts(yieldFrom, code, 2)).toEqual([code.replace('yield items', 'yield* items')]);
    expect(texts(yieldFrom, 'function* f(g) {\n  yield* items(g);\n  yield 1;\n}\n', 2)).toEqual([]);
  });
});

describe('operator families: bounds and arguments', () => {
  it('off-by-one: a call argument, a slice end, a loop bound and a returned count, with the shortest text', () => {
    const code = 'function head(text, n) {\n  return text.substring(0, n + 1);\n}\n';
    expect(texts(offByOne, code, 2)).toEqual([code.replace('0, n + 1', '1, n + 1'), code.replace('n + 1)', 'n)'), code.replace('n + 1)', 'n + 2)')]);
    const loop = 'function sum(xs) {\n  let s = 0;\n  for (let i = 1; i < xs.length; i++) s += xs[i];\n  return s;\n}\n';
    const out = texts(offByOne, loop, 3);
    expect(out).toContain(loop.replace('i < xs.length', 'i < xs.length - 1'));
    expect(out).toContain(loop.replace('let i = 1', 'let i = 0'));
    expect(out).toContain(loop.replace('xs[i]', 'xs[i - 1]'));
    // An operand of `*` is shifted in parentheses; a string is no index.
    expect(texts(offByOne, 'const w = cols * size(xs);\n', 1)).toEqual([]);
    expect(texts(offByOne, 'const w = pad(width * 2);\n', 1)).toEqual([]);
    expect(texts(offByOne, "const v = row['name'];\n", 1)).toEqual([]);
    expect(texts(offByOne, 'const p = pages(count * 2, count);\n', 1)).toEqual(['const p = pages(count * 2, count - 1);\n', 'const p = pages(count * 2, count + 1);\n']);
  });

  it('argument-swap: the two arguments of a TypeScript call in the wrong order', () => {
    const code = 'export function window(from: number, to: number): number[] {\n  return range(to, from);\n}\n';
    const out = texts(argumentSwap, code, 2, 'src/x.ts');
    expect(out).toEqual([code.replace('range(to, from)', 'range(from, to)')]);
    expect(compiles('src/x.ts', out[0]!)).toBe(true);
  });

  it("argument-replace: the callee's parameter name in scope first, then what the file passes there elsewhere", () => {
    const code = [
      'function pad(text, width) {',
      '  return text.padStart(width);',
      '}',
      'function cell(value, width, size) {',
      '  return pad(value, size);',
      '}',
      'function other(value, width) {',
      '  return pad(value, width);',
      '}',
      '',
    ].join('\n');
    expect(texts(argumentReplace, code, 5)[0]).toBe(code.replace('pad(value, size)', 'pad(value, width)'));
    expect(fixes(argumentReplace, code, 5).every((f) => f.template === 'argument-replace')).toBe(true);
    // Nothing fits better: no candidate.
    expect(texts(argumentReplace, 'function f(a) {\n  return g(a);\n}\n', 2)).toEqual([]);
  });

  it('name-replace: a derived variable first, then the function’s own variables; another kind or a name out of scope is no candidate', () => {
    const code = ['function label(names) {', "  const code = 'eur';", '  const upper = code.toUpperCase();', '  const count = 3;', '  return names[code];', '}', ''].join('\n');
    const out = texts(nameReplace, code, 5);
    expect(out[0]).toBe(code.replace('names[code]', 'names[upper]'));
    expect(out).not.toContain(code.replace('names[code]', 'names[count]'));
    expect(out.every((t) => compiles('src/x.js', t))).toBe(true);
    // What is indexed is replaced only by a name the file also indexes: a count or a character reads undefined at every index.
    const indexing = [
      'function sorted(arr, rows) {',
      '  const len = arr.length;',
      '  const first = rows[0];',
      '  for (let j = 1; j < len; j++) if (arr[j] < arr[j - 1]) return false;',
      '  return first;',
      '}',
      '',
    ].join('\n');
    const swapped = texts(nameReplace, indexing, 4);
    expect(swapped).toContain(indexing.replace('if (arr[j] <', 'if (rows[j] <'));
    expect(swapped.some((t) => t.includes('len[j]') || t.includes('first[j]'))).toBe(false);
    const scoped = 'function f(a) {\n  if (a) { const inner = 1; }\n  return g(a);\n}\n';
    expect(texts(nameReplace, scoped, 3).some((t) => t.includes('inner)'))).toBe(false);
  });

  it('name-replace: a name bound nowhere in scope (what a ReferenceError names) is replaced by one that is; a global is left alone', () => {
    const code = [
      'function rotate(arr) {',
      '  let k = 0;',
      '  for (let i = 0; i < arr.length; i++) {',
      '    for (let j = 1; j < arr.length; j++) k += j;',
      '    arr.push(arr[j]);',
      '  }',
      '  return Math.max(k, 0);',
      '}',
      '',
    ].join('\n');
    const out = texts(nameReplace, code, 5);
    expect(out).toContain(code.replace('arr.push(arr[j])', 'arr.push(arr[i])'));
    expect(out).toContain(code.replace('arr.push(arr[j])', 'arr.push(arr[k])'));
    expect(out.every((t) => compiles('src/x.js', t))).toBe(true);
    expect(texts(nameReplace, code, 7).some((t) => !t.includes('Math.max'))).toBe(false);
  });

  it('member-replace: a sibling property, or a method the file calls on the same receiver or one alike in name', () => {
    const code = 'function norm(text) {\n  const key = text.toLowerCase();\n  return key.trim() + text.toUpperCase();\n}\n';
    const out = texts(memberReplace, code, 2);
    expect(out[0]).toBe(code.replace('text.toLowerCase()', 'text.toUpperCase()'));
    expect(fixes(memberReplace, code, 2)[0]?.template).toBe('member-replace');
    expect(texts(memberReplace, 'const n = list.length;\n', 1)).toEqual([]);
    // A flag is replaced by a flag only, a value by a value only.
    const flags = "const sign = input.accounting && 'accounting';\nconst code = lookup(input.currency);\nif (input.compact) short();\n";
    expect(texts(memberReplace, flags, 1)).toEqual([flags.replace('input.accounting &&', 'input.compact &&')]);
    expect(texts(memberReplace, flags, 2)).toEqual([]);
  });

  it('await-insert: a call to an async function of the file, or one imported from a promise module', () => {
    const code =
      "import { readFile } from 'node:fs/promises';\nexport async function load(path: string) {\n  const text = readFile(path, 'utf8');\n  return JSON.parse(text);\n}\n";
    expect(texts(awaitInsert, code, 3, 'src/x.ts')).toEqual([code.replace('= readFile', '= await readFile')]);
    expect(fixes(awaitInsert, code, 3, 'src/x.ts')[0]?.template).toBe('await-insert');
  });
});

describe('operator families: conditions and statements', () => {
  const guard = ['function first(rows) {', '  const head = rows[0];', '  if (rows.length > 1) return head.id;', '  return head;', '}', ''].join('\n');

  it('condition-widen: x == null || and an empty clause about what the condition reads, locals included; && loses a side', () => {
    const out = texts(conditionWiden, guard, 3);
    expect(out[0]).toBe(guard.replace('if (rows.length > 1)', 'if (rows == null || rows.length > 1)'));
    expect(out).toContain(guard.replace('if (rows.length > 1)', 'if (rows.length === 0 || rows.length > 1)'));
    expect(out).toContain(guard.replace('if (rows.length > 1)', 'if (head == null || rows.length > 1)'));
    expect(texts(conditionWiden, 'if (a && b) go();\n', 1).slice(-2)).toEqual(['if (a) go();\n', 'if (b) go();\n']);
    expect(texts(conditionWiden, 'go(a);\n', 1)).toEqual([]);
  });

  it('condition-narrow: x != null && about what the condition reads, ranked last; never on an if that only throws', () => {
    const out = fixes(conditionNarrow, guard, 3);
    expect(applyEdits(guard, out[0]!.edits)).toBe(guard.replace('if (rows.length > 1)', 'if (rows != null && rows.length > 1)'));
    expect(out.every((f) => (f.preference ?? 1) >= 4)).toBe(true);
    expect(texts(conditionNarrow, 'function f(a, b) {\n  if (a > b) throw new RangeError("x");\n}\n', 2)).toEqual([]);
    for (const text of texts(conditionNarrow, 'function f(a, b) {\n  if (a || b) go(a);\n}\n', 2)) expect(compiles('src/x.js', text)).toBe(true);
  });

  it('negate: a condition the wrong way round, ranked last; a !c loses its !; an if that only throws is left alone', () => {
    const out = fixes(negate, 'if (a > b) go();\n', 1);
    expect(out.map((f) => applyEdits('if (a > b) go();\n', f.edits))).toEqual(['if (!(a > b)) go();\n']);
    expect(out[0]?.preference).toBe(4);
    expect(texts(negate, 'while (!done) step();\n', 1)).toEqual(['while (done) step();\n']);
    expect(texts(negate, 'if (a > b) throw new Error("x");\n', 1)).toEqual([]);
  });

  it("statement-move: a loop body's tail moved out, the statement after a loop moved in; never a hang or a break", () => {
    const nested = [
      'function merge(queues) {',
      '  const out = [];',
      '  for (const q of queues) {',
      '    for (const item of q) {',
      '      out.push(item);',
      '      q.length = 0;',
      '    }',
      '  }',
      '  return out;',
      '}',
      '',
    ].join('\n');
    const out = nested.replace('      q.length = 0;\n    }\n', '    }\n    q.length = 0;\n');
    expect(texts(statementMove, nested, 6)).toEqual([out]);
    expect(texts(statementMove, nested, 4)).toEqual([out]);
    expect(texts(statementMove, nested, 5)).toEqual([]);
    expect(fixes(statementMove, nested, 6)[0]?.rationale).toMatch(/^`q.length = 0;` moved out of the loop, to run once after it at src\/x.js:6/);
    const counter = ['function count(n) {', '  let i = 0;', '  let total = 0;', '  while (i < n) {', '    total += i;', '  }', '  i++;', '  return total;', '}', ''].join('\n');
    expect(texts(statementMove, counter, 4)).toEqual([counter.replace('    total += i;\n  }\n  i++;\n', '    total += i;\n    i++;\n  }\n')]);
    // Moving out the only step a `while` takes would make it hang; a later statement may go.
    const drain = [
      'function drain(q) {',
      '  const out = [];',
      '  while (q.length) {',
      '    const x = q[0];',
      '    q.shift();',
      '    out.push(x);',
      '  }',
      '  return out;',
      '}',
      '',
    ].join('\n');
    expect(texts(statementMove, drain, 5)).toEqual([]);
    expect(texts(statementMove, drain, 6)).toEqual([drain.replace('    out.push(x);\n  }\n', '  }\n  out.push(x);\n')]);
    const breaks = ['function first(xs) {', '  let x;', '  for (x of xs) {', '    x = x || 0;', '    if (x) break;', '  }', '  return x;', '}', ''].join('\n');
    expect(texts(statementMove, breaks, 5)).toEqual([]);
    expect([out, drain].every((t) => compiles('src/x.js', t))).toBe(true);
  });

  it('statement-insert: a statement of the same function copied before or after, only when its names are in scope', () => {
    const code = [
      'function scan(text) {',
      '  let i = 0;',
      '  while (i < text.length) {',
      "    if (text[i] === ' ') {",
      '      i++;',
      '      continue;',
      '    }',
      '    emit(text[i]);',
      '  }',
      '}',
      '',
    ].join('\n');
    const out = texts(statementInsert, code, 8);
    expect(out).toContain(code.replace('    emit(text[i]);\n', '    emit(text[i]);\n    i++;\n'));
    for (const text of out) expect(compiles('src/x.js', text)).toBe(true);
    expect(fixes(statementInsert, code, 8).every((f) => f.template === 'statement-insert' && f.preference === 3)).toBe(true);
    // A donor that reads a name not in scope at the site is not copied.
    const closed = 'function a(x) {\n  log(x);\n}\nfunction b(y) {\n  return y;\n}\n';
    expect(texts(statementInsert, closed, 5)).toEqual([]);
  });

  it('name-spelling: the name a ReferenceError names, spelt as the closest defined one; nothing where no name is close or the name is bound', () => {
    const at = (code: string, line: number, name: string, type = 'ReferenceError'): string[] => onError(nameSpelling, code, line, { type, message: `${name} is not defined` });
    // A misspelt local and a misspelt function: only the token.
    const typo = 'function total(xs) {\n  let sum = 0;\n  for (const x of xs) sum += x;\n  return summ;\n}\n';
    expect(at(typo, 4, 'summ')).toEqual([typo.replace('return summ', 'return sum')]);
    const callee = 'export function clean(xs) {\n  return removeMutiple(xs);\n}\nfunction removeMultiple(xs) {\n  return xs;\n}\n';
    expect(at(callee, 2, 'removeMutiple')).toEqual([callee.replace('removeMutiple(xs)', 'removeMultiple(xs)')]);
    // Another language's constants: a wrong case, None for null; a global misspelt by a swap.
    const literal = 'function f(xs) {\n  if (xs.length) return True;\n  return None;\n}\n';
    expect(at(literal, 2, 'True')).toEqual([literal.replace('return True', 'return true')]);
    expect(at(literal, 3, 'None')).toEqual([literal.replace('return None', 'return null')]);
    expect(at('const n = Mtah.max(1, 2);\n', 1, 'Mtah')).toEqual(['const n = Math.max(1, 2);\n']);
    for (const text of [...at(typo, 4, 'summ'), ...at(callee, 2, 'removeMutiple'), ...at(literal, 2, 'True')]) expect(compiles('src/x.js', text)).toBe(true);
    // Every use in the statement changes at once.
    const twice = 'function span(xs) {\n  const lowest = Math.min(...xs);\n  return lowst ? Math.max(...xs) - lowst : 0;\n}\n';
    expect(at(twice, 3, 'lowst')).toEqual([twice.replaceAll('lowst', 'lowest')]);
    // The same typo on a later line too, but not a block's own binding of that name.
    const later = 'function f(xs) {\n  const total = 0;\n  for (const totl of xs) console.log(totl);\n  const a = totl + 1;\n  return totl * a;\n}\n';
    expect(at(later, 4, 'totl')).toEqual([later.replace('a = totl', 'a = total'), later.replace('a = totl', 'a = total').replace('return totl', 'return total')]);
    // A global only where the use fits it; else a constant only by case: a missing `value` is not false, `error` not Error.
    expect(at('function f() {\n  return value ?? 0;\n}\n', 2, 'value')).toEqual([]);
    expect(at('function f() {\n  return error.message;\n}\n', 2, 'error')).toEqual([]);
    expect(at('function f() {\n  return date;\n}\n', 2, 'date')).toEqual([]);
    expect(at('function f() {\n  return new date();\n}\n', 2, 'date')).toEqual(['function f() {\n  return new Date();\n}\n']);
    expect(at('function f(list) {\n  return list1.length;\n}\n', 2, 'list1')).toEqual([]);
    // Read as a sequence, a name spelt like none stands for a variable the function reads as one: not `x`, not the counter.
    const stand = 'function last(x, seq) {\n  let i = 0;\n  for (const item of seq) i += 1;\n  return x > items[i - 1] ? x : seq.length;\n}\n';
    expect(at(stand, 4, 'items')).toEqual([stand.replace('items[', 'seq[')]);
    // Not: no defined name is close, a name the error does not name, a name bound in scope, another error.
    expect(at('function f(xs) {\n  return newList.concat(xs);\n}\n', 2, 'newList')).toEqual([]);
    expect(at(typo, 4, 'other')).toEqual([]);
    expect(at(typo.replace('return summ', 'return sum'), 4, 'sum')).toEqual([]);
    expect(at(typo, 4, 'summ', 'TypeError')).toEqual([]);
    // name-replace leaves a typo to its spelling, but still offers variables for an undefined name spelt like none.
    const replaced = (code: string, line: number, name: string): string[] => {
      const sf = parse('src/x.js', code);
      return nameReplace
        .propose({ file: 'src/x.js', sf, statement: statementOn(sf, line)!, line, error: { type: 'ReferenceError', message: `${name} is not defined` } })
        .map((f) => applyEdits(code, f.edits));
    };
    expect(replaced(typo, 4, 'summ')).toEqual([]);
    const missing = 'function f(xs) {\n  let seq = xs;\n  return list1[0] + seq[1];\n}\n';
    expect(replaced(missing, 3, 'list1')).toContain(missing.replace('list1[0]', 'seq[0]'));
  });

  it('member-spelling: the method a "is not a function" TypeError calls, spelt as one of the file or of the common prototypes', () => {
    const at = (code: string, line: number, message: string, type = 'TypeError'): string[] => onError(memberSpelling, code, line, { type, message });
    const push = 'function add(xs, x) {\n  xs.pussh(x);\n  return xs;\n}\n';
    expect(at(push, 2, 'xs.pussh is not a function')).toEqual([push.replace('.pussh(', '.push(')]);
    const own = 'class Cart {\n  total() {\n    return 1;\n  }\n}\nfunction f(c) {\n  return c.totl() + c.totl();\n}\n';
    expect(at(own, 7, 'c.totl is not a function')).toEqual([own.replaceAll('c.totl()', 'c.total()')]);
    for (const text of [...at(push, 2, 'xs.pussh is not a function'), ...at(own, 7, 'c.totl is not a function')]) expect(compiles('src/x.js', text)).toBe(true);
    // The same slip on a later line: the statement's alone first, then every one in the function.
    const again = 'function f(xs, ys) {\n  xs.pussh(1);\n  ys.pussh(2);\n  return xs;\n}\n';
    expect(at(again, 2, 'xs.pussh is not a function')).toEqual([again.replace('xs.pussh', 'xs.push'), again.replaceAll('.pussh', '.push')]);
    // Not: no method that close, a property read rather than called, another error.
    expect(at(push.replace('pussh', 'appendAll'), 2, 'xs.appendAll is not a function')).toEqual([]);
    expect(at('function f(xs) {\n  return xs.lenght.toFixed();\n}\n', 2, 'xs.lenght is not a function')).toEqual([]);
    expect(at(push, 2, 'xs.pussh is not a function', 'ReferenceError')).toEqual([]);
  });

  it('mutator-result: an in-place method whose answer was assigned back to its array becomes the call alone', () => {
    const at = (code: string, line: number, message: string, type = 'TypeError'): string[] => onError(mutatorResult, code, line, { type, message });
    const push = 'function evens(xs) {\n  let out = [];\n  for (const x of xs) {\n    if (x % 2 === 0) out = out.push(x);\n  }\n  return out;\n}\n';
    expect(at(push, 4, 'out.push is not a function')).toEqual([push.replace('out = out.push(x)', 'out.push(x)')]);
    // The failing line reads the number; the assignment is elsewhere in the function: the function's candidate.
    const later = 'function f(xs, x) {\n  xs = xs.unshift(x);\n  return xs.map((v) => v * 2);\n}\n';
    expect(at(later, 3, 'xs.map is not a function')).toEqual([later.replace('xs = xs.unshift(x)', 'xs.unshift(x)')]);
    const each = 'function f(xs) {\n  xs = xs.forEach((x) => x);\n  return xs.length;\n}\n';
    expect(at(each, 3, "Cannot read properties of undefined (reading 'length')")).toEqual([each.replace('xs = xs.forEach((x) => x)', 'xs.forEach((x) => x)')]);
    for (const text of [...at(push, 4, 'out.push is not a function'), ...at(later, 3, 'xs.map is not a function')]) expect(compiles('src/x.js', text)).toBe(true);
    // Not: a method that answers the array, another array, another error.
    expect(at('function f(xs) {\n  xs = xs.sort();\n  return xs.map(String);\n}\n', 3, 'xs.map is not a function')).toEqual([]);
    expect(at('function f(xs, ys) {\n  ys = xs.push(1);\n  return ys.map(String);\n}\n', 3, 'ys.map is not a function')).toEqual([]);
    expect(at(push, 4, 'out.push is not a function', 'RangeError')).toEqual([]);
  });

  it('call-missing: a function the file declares, named where its result was meant, is called with the variables named as its parameters', () => {
    const at = (code: string, line: number, message: string, type = 'TypeError'): string[] => onError(callMissing, code, line, { type, message });
    const loop = 'function days(month, data) {\n  return data.filter((d) => d[0] === month);\n}\nexport function first(month, data) {\n  for (const d of days) return d;\n}\n';
    expect(at(loop, 5, 'days is not iterable')).toEqual([loop.replace('of days)', 'of days(month, data))')]);
    const mapped = 'function items(list) {\n  return list.slice();\n}\nexport function f(list) {\n  return items.map((x) => x * 2);\n}\n';
    expect(at(mapped, 5, 'items.map is not a function')).toEqual([mapped.replace('items.map', 'items(list).map')]);
    for (const text of [...at(loop, 5, 'days is not iterable'), ...at(mapped, 5, 'items.map is not a function')]) expect(compiles('src/x.js', text)).toBe(true);
    // Not: a parameter with no namesake, a name that is no function of the file, another error.
    expect(at(loop.replace('first(month, data)', 'first(m, data)'), 5, 'days is not iterable')).toEqual([]);
    // A reference passed on is left alone; only the receiver V8 read is called.
    const passed = 'function days(month) {\n  return [month];\n}\nexport function f(month, list) {\n  return list.map(days).concat(days.map(String));\n}\n';
    expect(at(passed, 5, 'days.map is not a function')).toEqual([passed.replace('days.map(String)', 'days(month).map(String)')]);
    expect(at('export function f(xs) {\n  for (const x of xs) return x;\n}\n', 2, 'xs is not iterable')).toEqual([]);
    expect(at(loop, 5, 'days is not iterable', 'RangeError')).toEqual([]);
  });

  it('loop-progress: a hang in a loop whose counter never moves gets the step towards its bound', () => {
    const at = (code: string, line: number, type = 'Timeout'): string[] => onError(loopProgress, code, line, { type, message: 'did not finish within the time limit' });
    const missing = 'export function f(xs) {\n  let i = 0;\n  let n = 0;\n  while (i < xs.length) {\n    n += xs[i];\n  }\n  return n;\n}\n';
    expect(at(missing, 5)).toEqual([missing.replace('    n += xs[i];\n', '    n += xs[i];\n    i += 1;\n')]);
    const doubled = 'export function f(x, seq) {\n  let pos = 0;\n  for (; pos < seq.length; pos += pos) {\n    if (x < seq[pos]) break;\n  }\n  return pos;\n}\n';
    expect(at(doubled, 4)).toEqual([doubled.replace('pos += pos)', 'pos += 1)')]);
    const down = 'export function f(m) {\n  let t = 0;\n  let n = m;\n  while (0 < n) {\n    t += n; // sum\n  }\n  return t;\n}\n';
    expect(at(down, 5)).toEqual([down.replace('    t += n; // sum\n', '    t += n; // sum\n    n -= 1;\n')]);
    // A parameter is the input, not a counter: `while (n < x)` where `power` was meant is name-replace's.
    expect(at('export function f(x, n) {\n  let power = 1;\n  while (n < x) {\n    power = power * n;\n  }\n  return power === x;\n}\n', 4)).toEqual([]);
    for (const text of [...at(missing, 5), ...at(doubled, 4), ...at(down, 5)]) expect(compiles('src/x.js', text)).toBe(true);
    // Not: a counter that moves, a loop on a flag, an error that is no hang.
    expect(at('export function f(n) {\n  while (n > 0) {\n    n -= 2;\n  }\n  return n;\n}\n', 3)).toEqual([]);
    expect(at('export function f(xs) {\n  while (xs.length) {\n    console.log(xs);\n  }\n}\n', 3)).toEqual([]);
    expect(at(missing, 5, 'RangeError')).toEqual([]);
  });

  it('loop-stuck: a hang in a loop whose condition reads nothing its body changes reads it through the counter or shrinks it', () => {
    const at = (code: string, line: number, type = 'Timeout'): string[] => onError(loopStuck, code, line, { type, message: 'did not finish within the time limit' });
    // The body steps a counter the condition never reads: the sequence is read from it on, or at it.
    const prefix = "export function stripZeros(digits) {\n  let start = 0;\n  while (digits.startsWith('0')) start++;\n  return digits.slice(start);\n}\n";
    expect(at(prefix, 3)).toEqual([prefix.replace('while (digits.', 'while (digits.slice(start).')]);
    const index = 'export function find(xs, target) {\n  let i = 0;\n  while (xs[0] !== target) {\n    i = i + 1;\n  }\n  return i;\n}\n';
    expect(at(index, 4)).toEqual([index.replace('xs[0]', 'xs[i]')]);
    // An array the body takes an item of and never shrinks: that item spliced out, where the body has it.
    const taken =
      'export function byDeadline(pending) {\n  const done = [];\n  while (pending.length > 0) {\n    const job = Math.min(...pending);\n    done.push(job); // next\n  }\n  return done;\n}\n';
    expect(at(taken, 5)).toEqual([taken.replace('// next\n', '// next\n    pending.splice(pending.indexOf(job), 1);\n')]);
    const crlf = taken.replaceAll('\n', '\r\n');
    expect(at(crlf, 5)).toEqual([crlf.replace('// next\r\n', '// next\r\n    pending.splice(pending.indexOf(job), 1);\r\n')]);
    const walked =
      'export function drain(queue, ready) {\n  const out = [];\n  while (queue.length) {\n    for (const item of queue) {\n      if (ready(item)) out.push(item);\n    }\n  }\n  return out;\n}\n';
    expect(at(walked, 5)).toEqual([walked.replace('out.push(item);\n', 'out.push(item);\n      queue.splice(queue.indexOf(item), 1);\n')]);
    // Nothing taken of it: popped from the end, or shifted from the front.
    const counted = 'export function count(stack) {\n  let n = 0;\n  while (stack.length !== 0) {\n    n += 1;\n  }\n  return n;\n}\n';
    expect(at(counted, 4)).toEqual([counted.replace('n += 1;\n', 'n += 1;\n    stack.pop();\n'), counted.replace('n += 1;\n', 'n += 1;\n    stack.shift();\n')]);
    for (const text of [...at(prefix, 3), ...at(index, 4), ...at(taken, 5), ...at(walked, 5), ...at(counted, 4)]) expect(compiles('src/x.js', text)).toBe(true);
    // Not: a condition on what the body changes, a loop left by `break`, a condition that reads no variable, another error.
    expect(at('export function f(xs) {\n  while (xs.length) {\n    xs.pop();\n  }\n}\n', 3)).toEqual([]);
    expect(at('export function f(xs, k) {\n  let i = 0;\n  while (xs.length) {\n    i++;\n    if (i > k) break;\n  }\n  return i;\n}\n', 4)).toEqual([]);
    expect(at('export function f(n) {\n  while (true) {\n    n++;\n  }\n}\n', 3)).toEqual([]);
    expect(at(taken, 5, 'RangeError')).toEqual([]);
  });

  it('recursion-ends: a stack overflow gets the recursive step one off, a step on an input passed through, or its base case widened', () => {
    const at = (code: string, line: number, type = 'RangeError'): string[] => onError(recursionEnds, code, line, { type, message: 'Maximum call stack size exceeded' });
    const search =
      'export function firstAtLeast(xs, x, lo, hi) {\n  if (lo >= hi) return lo;\n  const mid = (lo + hi) >> 1;\n  if (xs[mid] < x) return firstAtLeast(xs, x, mid, hi);\n  return firstAtLeast(xs, x, lo, mid);\n}\n';
    expect(at(search, 4)).toEqual([search.replace('x, mid, hi)', 'x, mid + 1, hi)'), search.replace('x, mid, hi)', 'x, mid - 1, hi)')]);
    const even = 'export const isEven = (n) => {\n  if (n === 0) return true;\n  return isEven(n - 2);\n};\n';
    expect(at(even, 3)).toEqual([even.replace('n - 2', 'n - 3'), even.replace('n - 2', 'n - 1'), even.replace('n === 0', 'n <= 0'), even.replace('n === 0', 'n >= 0')]);
    const same = 'class Walker {\n  total(xs) {\n    if (xs.length === 0) return 0;\n    return xs[0] + this.total(xs);\n  }\n}\n';
    expect(at(same, 4)).toEqual(['xs - 1', 'xs + 1', 'xs.slice(1)'].map((t) => same.replace('this.total(xs)', `this.total(${t})`)));
    for (const text of [...at(search, 4), ...at(even, 3), ...at(same, 4)]) expect(compiles('src/x.js', text)).toBe(true);
    // Not: a function that does not call itself, another error.
    expect(at('export function f(n) {\n  if (n === 0) return 0;\n  return g(n);\n}\n', 3)).toEqual([]);
    expect(at(search, 4, 'TypeError')).toEqual([]);
  });

  it('initialise: a variable read where nothing set it gets a value before the code that sets it, from what the code says', () => {
    const at = (code: string, line: number, error: { type: string; message: string }, file = 'src/x.js'): string[] => onError(initialise, code, line, error, file);
    const undef = (prop: string) => ({ type: 'TypeError', message: `Cannot read properties of undefined (reading '${prop}')` });
    // The best item of an argmax loop, declared without a value: the value its partner was given, read through the same item.
    const argmax = [
      'function oldest(people) {',
      '  let best;',
      '  let top = people[0].age;',
      '  for (const p of people) {',
      '    if (p.age > top) {',
      '      best = p;',
      '      top = p.age;',
      '    }',
      '  }',
      '  return best.name;',
      '}',
      '',
    ].join('\n');
    expect(at(argmax, 10, undef('name'))).toEqual([argmax.replace('  for (const p', '  best = people[0];\n  for (const p')]);
    // A list only a branch sets, read after the loop: the empty value of its kind, before the loop.
    const list = 'function evens(xs) {\n  let out;\n  for (const x of xs) {\n    if (x % 2 === 0) out = [...(out ?? []), x];\n  }\n  return out.length;\n}\n';
    expect(at(list, 6, undef('length'))).toEqual([list.replace('  for (const x', '  out = [];\n  for (const x')]);
    // Read before its `let`: the declaration moves up, where its names are bound.
    const tdz = 'function head(xs) {\n  if (copy.length > 0) return copy[0];\n  const copy = [...xs];\n  return null;\n}\n';
    expect(at(tdz, 2, { type: 'ReferenceError', message: "Cannot access 'copy' before initialization" })).toEqual([
      'function head(xs) {\n  const copy = [...xs];\n  if (copy.length > 0) return copy[0];\n  return null;\n}\n',
    ]);
    for (const text of [...at(argmax, 10, undef('name')), ...at(list, 6, undef('length'))]) expect(compiles('src/x.js', text)).toBe(true);
    // A flag a branch sets starts the other way; a product starts at 1; CRLF stays CRLF.
    const flag = 'function has(xs, y) {\n  let found;\n  for (const x of xs) {\n    if (x === y) found = true;\n  }\n  return found.valueOf();\n}\n';
    expect(at(flag, 6, undef('valueOf'))).toEqual([flag.replace('  for (const x', '  found = false;\n  for (const x')]);
    const product = 'function prod(xs) {\n  let p;\n  for (const x of xs) p *= x;\n  return p.toFixed(2);\n}\n';
    expect(at(product, 4, undef('toFixed'))).toEqual([product.replace('  for (const x', '  p = 1;\n  for (const x')]);
    expect(at(product.replaceAll('\n', '\r\n'), 4, undef('toFixed'))).toEqual([product.replace('  for (const x', '  p = 1;\n  for (const x').replaceAll('\n', '\r\n')]);
    // A `let` that shares its line with other code is not moved (the line would go with it).
    expect(
      at(tdz.replace('const copy = [...xs];', 'const copy = [...xs]; log(copy);'), 2, { type: 'ReferenceError', message: "Cannot access 'copy' before initialization" }),
    ).toEqual([]);
    // Not: a variable declared with a value, a parameter, another error.
    expect(at('function f(o) {\n  const v = o.value;\n  return v.x;\n}\n', 3, undef('x'))).toEqual([]);
    expect(at('function f(o) {\n  return o.x;\n}\n', 2, undef('x'))).toEqual([]);
    // Only the declaration the read sees: a `let` of the same name in a nested block is another variable.
    const shadow = 'function f(xs) {\n  for (const x of xs) {\n    let best;\n    if (x) best = x;\n  }\n  const best = xs[0];\n  return best.name;\n}\n';
    expect(at(shadow, 7, undef('name'))).toEqual([]);
    expect(at(argmax, 10, { type: 'RangeError', message: 'x' })).toEqual([]);
  });

  it('statement-delete: a stray expression statement, the whole line; never a declaration, a return or a throw', () => {
    const code = 'function f(xs) {\n  xs.pop();\n  return xs;\n}\n';
    expect(texts(statementDelete, code, 2)).toEqual(['function f(xs) {\n  return xs;\n}\n']);
    expect(texts(statementDelete, code, 3)).toEqual([]);
    expect(texts(statementDelete, 'function f(x) {\n  if (!x) throw new Error("x");\n}\n', 2)).toEqual([]);
  });
});

describe('operator families: every family', () => {
  const samples: [string, string, number][] = [
    [
      'src/a.js',
      'export function page(items, size, n) {\n  const start = (n - 1) * size;\n  if (start >= items.length || !size) return [];\n  return items.slice(start, start + size);\n}\n',
      3,
    ],
    [
      'src/a.js',
      'export function page(items, size, n) {\n  const start = (n - 1) * size;\n  if (start >= items.length || !size) return [];\n  return items.slice(start, start + size);\n}\n',
      4,
    ],
    [
      'src/b.ts',
      'export async function total(rows: number[], load: () => Promise<number>): Promise<number> {\n  let sum = 0;\n  for (const r of rows) sum += r;\n  return sum + (await load());\n}\n',
      3,
    ],
  ];

  it('each fix parses, changes at most one line (two for an insertion) and names its family', () => {
    for (const [file, code, line] of samples) {
      for (const family of FAMILIES) {
        for (const f of fixes(family, code, line, file)) {
          const text = applyEdits(code, f.edits);
          expect(text, `${family.name} ${f.rationale}`).not.toBe(code);
          expect(compiles(file, text), `${family.name}: ${text}`).toBe(true);
          if (text.split('\n').length === code.split('\n').length) expect(changedLines(code, text), f.rationale).toBeLessThanOrEqual(1);
          expect(f.template === family.name || family.name === 'coercion').toBe(true);
        }
      }
    }
  });
});
