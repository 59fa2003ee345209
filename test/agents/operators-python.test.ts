import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OfflineFixer } from '../../agents/fixers/offline/index.ts';
import { generatePython, runPythonHelper } from '../../agents/fixers/offline/generate-python.ts';
import { applyEdits } from '../../agents/fixers/offline/source.ts';
import type { FixRequest } from '../../agents/fixers/types.ts';
import { sandboxChecks } from '../../agents/plugin-agent/checks.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { pythonPlugin } from '../helpers/python-plugin.ts';
import { tempDir } from '../helpers/temp.ts';

const HELPER = join(STEWARD_ROOT, 'agents/fixers/offline/python/templates.py');

interface HelperFix {
  site: number;
  rank: number;
  line: number;
  template: string;
  tier: string;
  preference: number;
  edits: { start: number; end: number; text: string }[];
  rationale: string;
}

/** The helper run as generate-python runs it: one file, one frame site (or several), an error. */
function helper(code: string, line: number | number[], error: { type: string; message: string } = { type: 'ValueError', message: 'x' }) {
  const sites = (Array.isArray(line) ? line : [line]).map((l) => ({ file: 'a.py', line: l }));
  const run = spawnSync('/usr/bin/python3', ['-I', HELPER], { input: JSON.stringify({ files: { 'a.py': code }, sites, error }), encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { fixes: HelperFix[]; targets: { rank: number; line: number; why: string }[] };
}

/** The texts one family makes at the statement of `line` itself. */
function family(name: string, code: string, line: number, error?: { type: string; message: string }): string[] {
  return helper(code, line, error)
    .fixes.filter((f) => f.template === name && f.rank === 0)
    .map((f) => applyEdits(code, f.edits));
}

/** Whether CPython compiles every text (one interpreter for the lot). */
function allCompile(texts: string[]): boolean {
  const script = 'import json,sys\nfor t in json.load(sys.stdin): compile(t, "a.py", "exec", dont_inherit=True)\n';
  return spawnSync('/usr/bin/python3', ['-I', '-c', script], { input: JSON.stringify(texts), encoding: 'utf8' }).status === 0;
}

/** The lines a change touches, as a diff would show them. */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  return after.split('\n').filter((l, i) => l !== a[i] || a.length !== after.split('\n').length);
}

describe('Python operator families (the helper on real snippets)', () => {
  it('relational: strictness first, then the opposite; `is`/`in` turned round; the token only', () => {
    const code = 'def last(xs, i):\n    if i < len(xs):\n        return xs[i]\n    return None\n';
    expect(family('relational', code, 2)).toEqual([code.replace('i < len', 'i <= len'), code.replace('i < len', 'i > len')]);
    const is = 'def f(x):\n    return x is not None and x in (1, 2)\n';
    expect(family('relational', is, 2)).toEqual([is.replace('is not None', 'is None'), is.replace('x in (', 'x not in (')]);
    expect(family('relational', 'def f(x):\n    return x + 1\n', 2)).toEqual([]);
  });

  it('arithmetic: + and -, * and /, in compound assignments too; never a + of strings', () => {
    const code = 'def f(total, n):\n    total -= n * 2\n    return total\n';
    expect(family('arithmetic', code, 2)).toEqual([code.replace('-=', '+='), code.replace('n * 2', 'n / 2'), code.replace('n * 2', 'n // 2')]);
    expect(family('arithmetic', 'def f(name):\n    return "hi " + name\n', 2)).toEqual([]);
    // A mask read with the wrong operator, a shift the wrong way.
    const mask = 'def low_nibble(x):\n    return x | 15\n';
    expect(family('arithmetic', mask, 2)).toEqual([mask.replace('|', '&'), mask.replace('|', '^')]);
    expect(family('arithmetic', 'def kib(n):\n    n <<= 10\n    return n\n', 2)).toEqual(['def kib(n):\n    n >>= 10\n    return n\n']);
  });

  it('quoted-name: a literal that spells a variable nothing reads, or the key a KeyError names, becomes the variable', () => {
    const lookup = 'def lookup(table, key):\n    value = table["key"]\n    return value * 2\n';
    expect(family('quoted-name', lookup, 2, { type: 'KeyError', message: "'key'" })).toEqual([lookup.replace('["key"]', '[key]')]);
    // Read elsewhere, the variable is named by the KeyError only.
    const read = 'def get(table, key):\n    print(key)\n    return table["key"]\n';
    expect(family('quoted-name', read, 3, { type: 'KeyError', message: "'key'" })).toEqual([read.replace('["key"]', '[key]')]);
    expect(family('quoted-name', read, 3, { type: 'TypeError', message: 'x' })).toEqual([]);
    // A key that matches no variable, or a variable of another function, stays.
    expect(family('quoted-name', 'def get(user):\n    return user["name"]\n', 2, { type: 'KeyError', message: "'name'" })).toEqual([]);
    expect(family('quoted-name', 'name = 1\n\n\ndef get(user):\n    return user["name"]\n', 5, { type: 'KeyError', message: "'name'" })).toEqual([]);
  });

  it('logical: and ↔ or over the whole chain, and `x or default` that must keep 0', () => {
    const code = 'def f(a, b):\n    return a or b\n';
    expect(family('logical', code, 2)).toEqual([code.replace('a or b', 'a and b'), code.replace('a or b', '(a if a is not None else b)')]);
  });

  it('unary: a not dropped, a not added before one side, a minus before a number passed', () => {
    const code = 'def f(a, b):\n    return not a and g(3)\n';
    expect(family('unary', code, 2)).toEqual([code.replace('g(3)', 'not g(3)'), code.replace('not a', 'a'), code.replace('g(3)', 'g(-3)')]);
  });

  it('off-by-one: range and slice bounds first, in the shortest text; not the argument of len()', () => {
    const code = 'def f(rows, n):\n    for i in range(1, len(rows) + 1):\n        print(rows[i])\n';
    const made = family('off-by-one', code, 2);
    expect(made.slice(0, 4)).toEqual([
      code.replace('range(1,', 'range(0,'),
      code.replace('range(1,', 'range(2,'),
      code.replace('len(rows) + 1', 'len(rows)'),
      code.replace('len(rows) + 1', 'len(rows) + 2'),
    ]);
    expect(made.some((t) => t.includes('len(rows - 1)') || t.includes('len(rows + 1)'))).toBe(false);
    const sliced = 'def head(xs, n):\n    return xs[:n]\n';
    expect(family('off-by-one', sliced, 2).slice(0, 2)).toEqual([sliced.replace('[:n]', '[:n - 1]'), sliced.replace('[:n]', '[:n + 1]')]);
    // A divisor: the count of `first..last` is one more than their difference.
    const mean = 'def mean(total, first, last):\n    return total / (last - first)\n';
    expect(family('off-by-one', mean, 2)).toContain(mean.replace('(last - first)', '(last - first + 1)'));
    const call = 'def f(xs):\n    return g(xs, 3)\n';
    // The returned value comes before the call's arguments; `3` in its shortest text.
    expect(family('off-by-one', call, 2)).toEqual([
      call.replace('g(xs, 3)', 'g(xs, 3) - 1'),
      call.replace('g(xs, 3)', 'g(xs, 3) + 1'),
      call.replace('xs, 3', 'xs - 1, 3'),
      call.replace('xs, 3', 'xs + 1, 3'),
      call.replace('3)', '2)'),
      call.replace('3)', '4)'),
    ]);
  });

  it('argument-swap: neighbours first, then any pair; identical and starred ones left alone', () => {
    const code = 'def f(a, b, c):\n    return g(a, b, c)\n';
    expect(family('argument-swap', code, 2)).toEqual([
      code.replace('g(a, b, c)', 'g(b, a, c)'),
      code.replace('g(a, b, c)', 'g(a, c, b)'),
      code.replace('g(a, b, c)', 'g(c, b, a)'),
    ]);
    expect(family('argument-swap', 'def f(a):\n    return g(a, a)\n', 2)).toEqual([]);
    expect(family('argument-swap', 'def f(a, r):\n    return g(a, *r)\n', 2)).toEqual([]);
  });

  it("argument-replace: the variable named as the callee's parameter first, then len() of it and other locals", () => {
    const code = 'def scale(value, factor):\n    return value * factor\n\ndef run(value, factor, raw):\n    return scale(raw, factor)\n';
    const made = family('argument-replace', code, 5);
    expect(made[0]).toBe(code.replace('scale(raw, factor)', 'scale(value, factor)'));
    expect(made).toContain(code.replace('scale(raw, factor)', 'scale(len(raw), factor)'));
  });

  it('name-replace: a variable derived from the one read first, never a function or a module', () => {
    const code = 'import os\n\ndef f(raw):\n    clean = raw.strip()\n    return raw.upper()\n';
    const made = family('name-replace', code, 5);
    expect(made[0]).toBe(code.replace('return raw.upper()', 'return clean.upper()'));
    expect(made.some((t) => t.includes('return os.upper()') || t.includes('return f.upper()'))).toBe(false);
    // What is indexed is replaced only by a name the file also indexes.
    const indexing = 'def f(arr, rows):\n    n = len(arr)\n    first = rows[0]\n    return arr[n - 1] + first\n';
    const swapped = family('name-replace', indexing, 4);
    expect(swapped).toContain(indexing.replace('return arr[n - 1]', 'return rows[n - 1]'));
    expect(swapped.some((t) => t.includes('n[n - 1]') || t.includes('first[n - 1]'))).toBe(false);
  });

  it('member-replace: a method the file calls on the same receiver, or the method on another receiver', () => {
    const code = 'import math\n\ndef f(x, y):\n    a = math.ceil(y)\n    return math.floor(x)\n';
    expect(family('member-replace', code, 5)[0]).toBe(code.replace('math.floor(x)', 'math.ceil(x)'));
    const receiver = 'def f(src, dst):\n    dst.write("a")\n    src.write("b")\n';
    expect(family('member-replace', receiver, 3)).toContain(receiver.replace('src.write("b")', 'dst.write("b")'));
  });

  it('condition-widen and condition-narrow: a clause on a local the failing line reads; a side dropped', () => {
    const code = 'def f(data):\n    items = data.get("items")\n    if not data:\n        return []\n    return items[0]\n';
    const error = { type: 'TypeError', message: "'NoneType' object is not subscriptable" };
    const fixes = helper(code, 5, error);
    const control = fixes.fixes.filter((f) => f.line === 3);
    const widen = control.filter((f) => f.template === 'condition-widen').map((f) => applyEdits(code, f.edits));
    expect(widen[0]).toBe(code.replace('if not data:', 'if data is None or not data:'));
    expect(widen).toContain(code.replace('if not data:', 'if items is None or not data:'));
    const narrow = control.filter((f) => f.template === 'condition-narrow');
    expect(narrow.every((f) => f.preference === 4 && f.tier === 'costly')).toBe(true);
    const both = 'def f(a, b):\n    if a or b:\n        return 1\n    return 0\n';
    expect(family('condition-narrow', both, 2)).toContain(both.replace('a or b', 'a'));
    expect(family('condition-widen', both.replace(' or ', ' and '), 2)).toContain(both.replace('a or b', 'b'));
    expect(family('condition-narrow', 'def f(a):\n    if a < 0:\n        raise ValueError(a)\n    return a\n', 2)).toEqual([]);
  });

  it('negate: c ↔ not c in an if or a while, parenthesised where needed; never an if that only raises', () => {
    const code = 'def f(a, b):\n    while a and b:\n        a = a - 1\n    return a\n';
    expect(family('negate', code, 2)).toEqual([code.replace('while a and b', 'while not (a and b)')]);
    expect(family('negate', 'def f(a):\n    if not a:\n        a = 1\n    return a\n', 2)).toEqual(['def f(a):\n    if a:\n        a = 1\n    return a\n']);
    expect(family('negate', 'def f(a):\n    if a:\n        raise ValueError(a)\n    return a\n', 2)).toEqual([]);
  });

  it('statement-insert: a statement of the function copied before or after when its names are in scope; statement-delete never a return', () => {
    const code = 'def f(path, rows):\n    rows.sort()\n    out = open(path)\n    out.write(rows)\n    return out\n\ndef g(rows):\n    rows.reverse()\n    return rows\n';
    const made = family('statement-insert', code, 4);
    expect(made).toContain(code.replace('    out.write(rows)\n', '    rows.sort()\n    out.write(rows)\n'));
    expect(made).toContain(code.replace('    out.write(rows)\n', '    out.write(rows)\n    rows.reverse()\n'));
    // `out` is not bound before line 3, so `out.write(rows)` may not go before it.
    expect(family('statement-insert', code, 3)).not.toContain(code.replace('    out = open(path)\n', '    out.write(rows)\n    out = open(path)\n'));
    expect(family('statement-delete', code, 2)).toEqual([code.replace('    rows.sort()\n', '')]);
    expect(family('statement-delete', code, 5)).toEqual([]);
    expect(family('statement-delete', code, 3)).toEqual([]);
  });

  it("statement-move: a loop body's tail moved out, the statement after a loop moved in; never a hang or a break", () => {
    const nested = 'def merge(queues):\n    out = []\n    for q in queues:\n        for item in q:\n            out.append(item)\n            q.clear()\n    return out\n';
    const out = nested.replace('            q.clear()', '        q.clear()');
    expect(family('statement-move', nested, 6)).toEqual([out]);
    expect(family('statement-move', nested, 4)).toEqual([out]);
    // The first statement of a body would leave the loop empty.
    expect(family('statement-move', nested, 5)).toEqual([]);
    const counter = 'def count(n):\n    i = 0\n    total = 0\n    while i < n:\n        total += i\n    i += 1\n    return total\n';
    expect(family('statement-move', counter, 4)).toEqual([counter.replace('    i += 1\n', '        i += 1\n')]);
    // Moving out the only step a `while` takes would make it hang; a later statement may go.
    const drain = 'def drain(q):\n    out = []\n    while q:\n        x = q[0]\n        q.pop(0)\n        out.append(x)\n    return out\n';
    expect(family('statement-move', drain, 5)).toEqual([]);
    expect(family('statement-move', drain, 6)).toEqual([drain.replace('        out.append(x)', '    out.append(x)')]);
    const breaks = 'def first(xs):\n    for x in xs:\n        if x:\n            break\n    return x\n';
    expect(family('statement-move', breaks.replace('    for x in xs:\n', '    for x in xs:\n        x = x or 0\n'), 4)).toEqual([]);
    expect(allCompile([out, drain])).toBe(true);
  });

  it('await-insert, yield-from and update-assign', () => {
    const aio = 'async def load(k):\n    return k\n\nasync def f(k):\n    v = load(k)\n    return v.upper()\n\ndef g(k):\n    return load(k)\n';
    expect(family('await-insert', aio, 5)).toEqual([aio.replace('v = load(k)', 'v = await load(k)')]);
    expect(family('await-insert', aio, 9)).toEqual([]);
    const gen = 'def f(groups):\n    for g in groups:\n        yield g\n';
    expect(family('yield-from', gen, 3)).toEqual([gen.replace('yield g', 'yield from g')]);
    const acc = 'def f(xs):\n    total = 0\n    for x in xs:\n        total = x\n    return total\n';
    expect(family('update-assign', acc, 4)).toEqual([acc.replace('total = x', 'total += x')]);
    expect(family('update-assign', acc.replace('total = x', 'total += x'), 4)).toEqual([acc]);
    expect(family('update-assign', acc, 2)).toEqual([]);
  });

  it('initialise: a value for a variable a path never set, before the code that sets it, from what the code says', () => {
    const unbound = (name: string) => ({ type: 'UnboundLocalError', message: `cannot access local variable '${name}' where it is not associated with a value` });
    // A count only the loop's branch sets, read after the loop: 0 before the loop, once.
    const count = 'def matches(xs, y):\n    for x in xs:\n        if x == y:\n            n = n + 1\n    return n\n';
    expect(family('initialise', count, 4, unbound('n'))).toEqual([count.replace('    for x', '    n = 0\n    for x')]);
    // The best item of an argmax loop: the value its partner was given before the loop, read through the same item.
    const argmax = [
      'def oldest(people):',
      '    top = people[0][1]',
      '    for p in people:',
      '        if p[1] > top:',
      '            best = p',
      '            top = p[1]',
      '    return best',
      '',
    ].join('\n');
    expect(family('initialise', argmax, 7, unbound('best'))).toEqual([argmax.replace('    for p', '    best = people[0]\n    for p')]);
    // A range loop's index read after a loop that ran zero times: what it holds after the last pass of one that ran.
    const index = 'def place(x, xs):\n    for i in range(len(xs)):\n        if x <= xs[i]:\n            return i\n    return i + 1\n';
    expect(family('initialise', index, 5, unbound('i'))).toEqual([index.replace('    for i', '    i = -1\n    for i')]);
    expect(family('initialise', index.replace('range(len(xs))', 'range(1, len(xs))'), 5, unbound('i'))).toEqual([
      index.replace('range(len(xs))', 'range(1, len(xs))').replace('    for i', '    i = 0\n    for i'),
    ]);
    // Read before the line that computes it: the computation, where its names are bound.
    const early = 'def head(xs):\n    if copy and copy[0] > 0:\n        return copy[0]\n    copy = list(xs)\n    return None\n';
    expect(family('initialise', early, 2, unbound('copy'))).toEqual([early.replace('    if copy', '    copy = list(xs)\n    if copy')]);
    // Inside an outer loop, the value goes before the inner loop: once per outer pass.
    const nested = 'def sums(rows):\n    out = []\n    for row in rows:\n        for v in row:\n            t += v\n        out.append(t)\n    return out\n';
    expect(family('initialise', nested, 5, unbound('t'))).toEqual([nested.replace('        for v', '        t = 0\n        for v')]);
    // A flag a branch sets starts the other way (copying `True` would decide every call); a product starts at 1.
    const flag = 'def has(xs, y):\n    for x in xs:\n        if x == y:\n            found = True\n    return found\n';
    expect(family('initialise', flag, 5, unbound('found'))).toEqual([flag.replace('    for x', '    found = False\n    for x')]);
    const product = 'def prod(xs):\n    for x in xs:\n        p *= x\n    return p\n';
    expect(family('initialise', product, 3, unbound('p'))).toEqual([product.replace('    for x', '    p = 1\n    for x')]);
    // A file with CRLF line endings keeps them.
    expect(family('initialise', count.replaceAll('\n', '\r\n'), 4, unbound('n'))).toEqual([count.replace('    for x', '    n = 0\n    for x').replaceAll('\n', '\r\n')]);
    expect(allCompile([count, argmax, index, early, nested].flatMap((c, i) => family('initialise', c, [4, 7, 5, 2, 5][i]!, unbound(['n', 'best', 'i', 'copy', 't'][i]!))))).toBe(
      true,
    );
    // Not: a variable only its own update reads (a misspelt name: the value would go nowhere), a loop header reading its own index, another error.
    const typo = 'def uniq(xs):\n    seen = ()\n    for x in xs:\n        if x not in seen:\n            sen += (x,)\n    return xs\n';
    expect(family('initialise', typo, 5, unbound('sen'))).toEqual([]);
    const header = 'def pairs(xs):\n    for j in range(j + 1, len(xs)):\n        pass\n    return xs\n';
    expect(family('initialise', header, 2, unbound('j'))).toEqual([]);
    expect(family('initialise', count, 4, { type: 'NameError', message: "name 'n' is not defined" })).toEqual([]);
  });

  it('name-spelling: the name a NameError names, spelt as the closest defined one; nothing where no name is close or the name is bound', () => {
    const undefinedName = (name: string) => ({ type: 'NameError', message: `name '${name}' is not defined` });
    // A misspelt local, read in a loop: the one-letter slip, and only the token.
    const typo = 'def oldest(xs):\n    largest = xs[0]\n    for x in xs:\n        if x[1] > larget[1]:\n            largest = x\n    return largest\n';
    expect(family('name-spelling', typo, 4, undefinedName('larget'))).toEqual([typo.replace('> larget[1]', '> largest[1]')]);
    // A function's name misspelt at its call (name-replace never touches a callee), and a swapped pair of letters.
    const callee = 'def clean(xs):\n    for x in xs:\n        remove_mutiple(x, xs)\n    return xs\n\ndef remove_multiple(n, xs):\n    return xs\n';
    expect(family('name-spelling', callee, 3, undefinedName('remove_mutiple'))).toEqual([callee.replace('remove_mutiple(x', 'remove_multiple(x')]);
    const swapped = 'def size(xs):\n    return lne(xs)\n';
    expect(family('name-spelling', swapped, 2, undefinedName('lne'))).toEqual([swapped.replace('lne(', 'len(')]);
    expect(family('name-spelling', swapped.replace('lne(', 'Len('), 2, undefinedName('Len'))).toEqual([swapped.replace('lne(', 'len(')]);
    // Another language's constants: a wrong case, and null for None.
    const literal = 'def unique(xs):\n    if len(xs) <= 1:\n        return true\n    return null\n';
    expect(family('name-spelling', literal, 3, undefinedName('true'))).toEqual([literal.replace('return true', 'return True')]);
    expect(family('name-spelling', literal, 4, undefinedName('null'))).toEqual([literal.replace('return null', 'return None')]);
    expect(
      allCompile([typo, callee, swapped, literal].map((c, i) => family('name-spelling', c, [4, 3, 2, 3][i]!, undefinedName(['larget', 'remove_mutiple', 'lne', 'true'][i]!))[0]!)),
    ).toBe(true);
    // Every use in the statement changes at once.
    const twice = 'def span(xs):\n    lowest = min(xs)\n    return max(xs) - lowst if lowst else 0\n';
    expect(family('name-spelling', twice, 3, undefinedName('lowst'))).toEqual([twice.replaceAll('lowst', 'lowest')]);
    // The same typo on a later line too, but not a comprehension's own variable of that name.
    const later = 'def f(xs):\n    lowest = min(xs)\n    ys = [lowst for lowst in xs]\n    a = lowst + 1\n    return lowst * a\n';
    expect(family('name-spelling', later, 4, undefinedName('lowst'))).toEqual([
      later.replace('a = lowst', 'a = lowest'),
      later.replace('a = lowst', 'a = lowest').replace('return lowst', 'return lowest'),
    ]);
    // A builtin only where the use fits it; else a constant only by case: a missing `value` is not False, nor `num` sum.
    for (const [code, name] of [
      ['def f(xs):\n    return value\n', 'value'],
      ['def f(xs):\n    return num + 1\n', 'num'],
      ['def f(xs):\n    for x in mylist:\n        pass\n', 'mylist'],
      ['def f(xs):\n    return text.strip()\n', 'text'],
    ] as const)
      expect(family('name-spelling', code, 2, undefinedName(name))).toEqual([]);
    // Not: no defined name is close (a missing definition is no typo), a name the error does not name, a name that is bound, another error.
    expect(family('name-spelling', 'def f(xs):\n    return new_list + xs\n', 2, undefinedName('new_list'))).toEqual([]);
    expect(family('name-spelling', typo, 4, undefinedName('other'))).toEqual([]);
    expect(family('name-spelling', typo.replace('larget[1]', 'largest[1]'), 4, undefinedName('largest'))).toEqual([]);
    expect(family('name-spelling', typo, 4, { type: 'TypeError', message: "name 'larget' is not defined" })).toEqual([]);
    // name-replace leaves a typo to its spelling, but still offers variables for an undefined name spelt like none.
    expect(family('name-replace', typo, 4, undefinedName('larget')).filter((t) => !t.includes('larget'))).toEqual([]);
    expect(family('name-replace', literal, 3, undefinedName('true')).filter((t) => !t.includes('return true'))).toEqual([]);
    const missing = 'def f(xs, seq):\n    return list1[0] + seq[1]\n';
    expect(family('name-replace', missing, 2, undefinedName('list1'))).toContain(missing.replace('list1[0]', 'seq[0]'));
    // A numbered name is no slip of the builtin it extends; read as a sequence, it stands for a variable the function reads as one (not `xs`).
    expect(family('name-spelling', missing, 2, undefinedName('list1'))).toEqual([missing.replace('list1[0]', 'seq[0]')]);
    const loop = 'def last(x, seq):\n    i = 0\n    for item in seq:\n        i += 1\n    return x if x > values[i - 1] else len(seq)\n';
    expect(family('name-spelling', loop, 5, undefinedName('values'))).toEqual([loop.replace('values[', 'seq[')]);
  });

  it('member-spelling: the attribute an AttributeError says a builtin type or a class of the file lacks, spelt as one it has', () => {
    const noAttribute = (type: string, name: string) => ({ type: 'AttributeError', message: `'${type}' object has no attribute '${name}'` });
    const removal = 'def drop(xs, x):\n    xs.removal(x)\n    return xs\n';
    expect(family('member-spelling', removal, 2, noAttribute('list', 'removal'))).toEqual([removal.replace('.removal(', '.remove(')]);
    const twice = 'def shout(s):\n    return s.uppper() + s.uppper()\n';
    expect(family('member-spelling', twice, 2, noAttribute('str', 'uppper'))).toEqual([twice.replaceAll('.uppper(', '.upper(')]);
    const own = 'class Cart:\n    def __init__(self):\n        self.items = []\n\n    def total(self):\n        return len(self.items)\n\ndef f(c):\n    return c.totl()\n';
    expect(family('member-spelling', own, 9, noAttribute('Cart', 'totl'))).toEqual([own.replace('c.totl()', 'c.total()')]);
    expect(allCompile([...family('member-spelling', removal, 2, noAttribute('list', 'removal')), ...family('member-spelling', own, 9, noAttribute('Cart', 'totl'))])).toBe(true);
    // Not: a type it cannot see into, no member that close, another error.
    const imported = 'from shop import Cart\n\ndef f(c):\n    return c.totl()\n';
    expect(family('member-spelling', imported, 4, noAttribute('Cart', 'totl'))).toEqual([]);
    expect(family('member-spelling', removal.replace('removal', 'discard_all'), 2, noAttribute('list', 'discard_all'))).toEqual([]);
    expect(family('member-spelling', removal, 2, { type: 'TypeError', message: "'list' object has no attribute 'removal'" })).toEqual([]);
  });

  it('name-spelling: an UnboundLocalError of a name only updated in place is the spelling of a variable bound before', () => {
    const unbound = { type: 'UnboundLocalError', message: "cannot access local variable 'occurences' where it is not associated with a value" };
    const code = 'def f(lst):\n    occurrences = ()\n    for x in lst:\n        if x not in occurrences:\n            occurences += (x,)\n    return occurrences\n';
    expect(family('name-spelling', code, 5, unbound)).toEqual([code.replace('occurences +=', 'occurrences +=')]);
    // Not: a name also set by plain assignment (a definition in the wrong place: initialise's), no variable spelt close.
    expect(family('name-spelling', code.replace('    return occurrences', '    occurences = 0\n    return occurrences'), 5, unbound)).toEqual([]);
    expect(family('name-spelling', code.replaceAll('occurrences', 'found'), 5, unbound)).toEqual([]);
  });

  it('call-brackets: a method or function subscripted where it was to be called becomes a call; a container is left alone', () => {
    const subscripted = { type: 'TypeError', message: "'builtin_function_or_method' object is not subscriptable" };
    const pop = 'def take(xs, i):\n    xs.pop[i]\n    return xs\n';
    expect(family('call-brackets', pop, 2, subscripted)).toEqual([pop.replace('xs.pop[i]', 'xs.pop(i)')]);
    const nested = 'def top(out, xs):\n    out.append(xs.pop[0])\n    return out\n';
    expect(family('call-brackets', nested, 2, subscripted)).toEqual([nested.replace('xs.pop[0]', 'xs.pop(0)')]);
    const builtin = 'def size(xs):\n    return len[xs] + xs[0]\n';
    expect(family('call-brackets', builtin, 2, subscripted)).toEqual([builtin.replace('len[xs]', 'len(xs)')]);
    const two = 'def f(d):\n    return d.get["k", 0]\n';
    expect(family('call-brackets', two, 2, subscripted)).toEqual([two.replace('d.get["k", 0]', 'd.get("k", 0)')]);
    expect(allCompile([pop, nested, builtin, two].map((c) => family('call-brackets', c, 2, subscripted)[0]!))).toBe(true);
    // The same slip two lines on: the statement's alone first, then every one in the function.
    const again = 'def top(lst, k):\n    r = []\n    big = max(lst)\n    r.append[big]\n    lst.remove[big]\n    return r\n';
    expect(family('call-brackets', again, 4, subscripted)).toEqual([
      again.replace('r.append[big]', 'r.append(big)'),
      again.replace('r.append[big]', 'r.append(big)').replace('lst.remove[big]', 'lst.remove(big)'),
    ]);
    // Not: a list's subscript, a slice, another error.
    expect(family('call-brackets', 'def f(xs):\n    return xs[0]\n', 2, subscripted)).toEqual([]);
    expect(family('call-brackets', 'def f(xs):\n    return xs.copy[1:]\n', 2, subscripted)).toEqual([]);
    expect(family('call-brackets', pop, 2, { type: 'TypeError', message: "'int' object is not subscriptable" })).toEqual([]);
  });

  it('mutator-result: an in-place method used for its value is split into its calls, the object taking its place', () => {
    const none = (what: string) => ({ type: 'AttributeError', message: `'NoneType' object has no attribute '${what}'` });
    const back = 'def unique(lst):\n    new = []\n    for x in lst:\n        if x not in new:\n            new = new.append(x)\n    return new\n';
    expect(family('mutator-result', back, 5, none('append'))).toEqual([back.replace('new = new.append(x)', 'new.append(x)')]);
    // A chain: the calls in the order Python makes them, each on its own line, grouping brackets dropped.
    const chain = 'def drop(lst, i):\n    lst = ((lst.reverse()).remove(i)).reverse()\n    return lst\n';
    expect(family('mutator-result', chain, 2, none('remove'))).toEqual([
      chain.replace('lst = ((lst.reverse()).remove(i)).reverse()', 'lst.reverse()\n    lst.remove(i)\n    lst.reverse()'),
    ]);
    // Used as an argument: hoisted before the statement; the failing line is elsewhere, so the function's candidate.
    const arg = 'def sort_age(lst):\n    if lst == []:\n        return []\n    top = max(lst)\n    for x in lst:\n        pass\n    return [top] + sort_age(lst.remove(top))\n';
    const split = arg.replace('    return [top] + sort_age(lst.remove(top))', '    lst.remove(top)\n    return [top] + sort_age(lst)');
    expect(family('mutator-result', arg, 5, { type: 'TypeError', message: "'NoneType' object is not iterable" })).toEqual([split]);
    expect(allCompile([...family('mutator-result', back, 5, none('append')), ...family('mutator-result', chain, 2, none('remove')), split])).toBe(true);
    // Not: a call whose object is itself a call (it would run twice), one under `or` (it may not run), another error.
    expect(family('mutator-result', 'def f(g):\n    xs = g().sort()\n    return xs[0]\n', 2, none('sort'))).toEqual([]);
    expect(family('mutator-result', 'def f(xs):\n    ys = xs.sort() or []\n    return ys[0]\n', 2, none('sort'))).toEqual([]);
    // Nor where the statement reads the object before the call (hoisted, the call would change what that read sees), nor before an `elif`.
    expect(family('mutator-result', 'def f(xs):\n    return [min(xs)] + f(xs.remove(min(xs)))\n', 2, none('remove'))).toEqual([]);
    expect(family('mutator-result', 'def f(xs):\n    if not xs:\n        return 0\n    elif xs.sort():\n        return 1\n', 4, none('sort'))).toEqual([]);
    expect(family('mutator-result', back, 5, { type: 'AttributeError', message: "'int' object has no attribute 'append'" })).toEqual([]);
  });

  it('call-missing: a function named where its result was meant is called, with the variables named as its parameters', () => {
    const notIterable = { type: 'TypeError', message: "'function' object is not iterable" };
    const code = 'def days(month, data):\n    return [d for m, d in data if m == month]\n\ndef first(month, data):\n    for d in days:\n        return d\n';
    expect(family('call-missing', code, 5, notIterable)).toEqual([code.replace('for d in days:', 'for d in days(month, data):')]);
    const method = 'def count(d):\n    return len(d.keys)\n';
    const noLen = { type: 'TypeError', message: "object of type 'builtin_function_or_method' has no len()" };
    expect(family('call-missing', method, 2, noLen)).toEqual([method.replace('d.keys', 'd.keys()')]);
    expect(allCompile([...family('call-missing', code, 5, notIterable), ...family('call-missing', method, 2, noLen)])).toBe(true);
    // Not: a parameter with no namesake in scope, a callee already called, another error.
    expect(family('call-missing', code.replace('def first(month, data)', 'def first(m, data)'), 5, notIterable)).toEqual([]);
    expect(family('call-missing', 'def g():\n    return 1\n\ndef f():\n    return g() + 1\n', 5, notIterable)).toEqual([]);
    expect(family('call-missing', code, 5, { type: 'TypeError', message: "'int' object is not iterable" })).toEqual([]);
  });

  it('loop-iterable: a loop over the wrong iterable gets the one its header needs: indices, items, a range, enumerate', () => {
    const range = 'def f(t):\n    n = 0\n    for i in range(t):\n        n += i\n    return n\n';
    const notInt = { type: 'TypeError', message: "'tuple' object cannot be interpreted as an integer" };
    expect(family('loop-iterable', range, 3, notInt)).toEqual([range.replace('range(t)', 'range(len(t))'), range.replace('range(t)', 't')]);
    const count = 'def f(xs):\n    for i in len(xs):\n        print(xs[i])\n';
    expect(family('loop-iterable', count, 2, { type: 'TypeError', message: "'int' object is not iterable" })).toEqual([count.replace('in len(xs)', 'in range(len(xs))')]);
    // The error is raised inside the loop's body: the loop around it is mended.
    const pairs = 'def find(x, seq):\n    for i, v in seq:\n        if v == x:\n            return i\n';
    const unpack = { type: 'TypeError', message: 'cannot unpack non-iterable int object' };
    expect(family('loop-iterable', pairs, 2, unpack)).toEqual([pairs.replace('in seq:', 'in enumerate(seq):'), pairs.replace('in seq:', 'in seq.items():')]);
    const intNotIterable = { type: 'TypeError', message: "'int' object is not iterable" };
    expect(allCompile([...family('loop-iterable', range, 3, notInt), ...family('loop-iterable', count, 2, intNotIterable), ...family('loop-iterable', pairs, 2, unpack)])).toBe(
      true,
    );
    // Not: a range of a number, a loop over a call's pairs, a loop of one target, another error.
    expect(family('loop-iterable', range.replace('range(t)', 'range(len(t))'), 3, notInt)).toEqual([]);
    expect(family('loop-iterable', pairs.replace('in seq:', 'in zip(seq, seq):'), 2, unpack)).toEqual([]);
    expect(family('loop-iterable', 'def f(xs):\n    for v in xs:\n        return v\n', 2, unpack)).toEqual([]);
    expect(family('loop-iterable', pairs, 2, { type: 'KeyError', message: 'x' })).toEqual([]);
  });

  it('loop-progress: a hang in a while loop whose counter never moves gets the step towards its bound', () => {
    const hang = { type: 'Timeout', message: 'did not finish within the time limit' };
    const missing = 'def f(lst):\n    i = 0\n    while i < len(lst):\n        j = i + 1\n        while j < len(lst):\n            j += 1\n    return lst\n';
    // The stack points into the inner loop; the outer one is where nothing moves `i`: the step goes at the end of its body.
    expect(family('loop-progress', missing, 6, hang)).toEqual([missing.replace('            j += 1\n', '            j += 1\n        i += 1\n')]);
    const doubled =
      'def search(x, seq):\n    position = 0\n    while position < len(seq):\n        if x < seq[position]:\n            break\n        position += position\n    return position\n';
    expect(family('loop-progress', doubled, 4, hang)).toEqual([doubled.replace('position += position', 'position += 1')]);
    const down = 'def f(m):\n    total = 0\n    n = m\n    while n > 0:\n        total += n  # sum\n    return total\n';
    expect(family('loop-progress', down, 5, hang)).toEqual([down.replace('        total += n  # sum\n', '        total += n  # sum\n        n -= 1\n')]);
    // A parameter is the input, not a counter: `while n < x` where `power` was meant is name-replace's.
    expect(family('loop-progress', 'def f(x, n):\n    power = 1\n    while n < x:\n        power = power * n\n    return power == x\n', 4, hang)).toEqual([]);
    expect(allCompile([...family('loop-progress', missing, 6, hang), ...family('loop-progress', doubled, 4, hang), ...family('loop-progress', down, 5, hang)])).toBe(true);
    // Not: a counter that moves, a loop on a flag, an error that is no hang.
    expect(family('loop-progress', 'def f(n):\n    while n > 0:\n        n -= 2\n    return n\n', 3, hang)).toEqual([]);
    expect(family('loop-progress', 'def f(xs):\n    while xs:\n        print(xs)\n', 3, hang)).toEqual([]);
    expect(family('loop-progress', down, 5, { type: 'ValueError', message: 'x' })).toEqual([]);
  });

  it('text-bytes: text where bytes were meant, or bytes where text was, as the TypeError says', () => {
    const wantsBytes = { type: 'TypeError', message: 'Strings must be encoded before hashing' };
    const sign = 'import hashlib\n\n\ndef sign(secret, payload):\n    return hashlib.sha256(secret + payload).hexdigest()\n';
    expect(family('text-bytes', sign, 5, wantsBytes)).toEqual([
      sign.replace('(secret + payload)', '((secret + payload).encode())'),
      sign.replace('secret + payload', 'secret.encode() + payload'),
      sign.replace('secret + payload', 'secret + payload.encode()'),
    ]);
    // A literal that spells a variable in scope is the variable, quoted by mistake; any other literal becomes bytes.
    const quoted = 'import hashlib\n\n\ndef checksum(body):\n    return hashlib.md5("body").hexdigest()\n';
    expect(family('text-bytes', quoted, 5, wantsBytes)).toEqual([quoted.replace('"body"', 'body.encode()')]);
    const tagged = 'import hmac\n\n\ndef tag(key, msg):\n    return hmac.new("k1", msg, "sha256").digest()\n';
    expect(family('text-bytes', tagged, 5, { type: 'TypeError', message: "key: expected bytes or bytearray, but got 'str'" })[0]).toBe(tagged.replace('"k1"', "b'k1'"));
    const emit = 'import sys\n\n\ndef emit(data):\n    sys.stdout.write(data)\n    return len(data)\n';
    const wantsText = { type: 'TypeError', message: 'write() argument must be str, not bytes' };
    expect(family('text-bytes', emit, 5, wantsText)).toEqual([emit.replace('write(data)', 'write(data.decode())')]);
    // Bytes joined to text are decoded, not written out as "b'…'" by str().
    const label = 'def label(raw):\n    return "id-" + raw\n';
    const joined = { type: 'TypeError', message: 'can only concatenate str (not "bytes") to str' };
    expect(family('text-bytes', label, 2, joined)).toEqual([label.replace('+ raw', '+ raw.decode()')]);
    expect(family('concat-operand', label, 2, joined)).toEqual([]);
    expect(
      allCompile([
        ...family('text-bytes', sign, 5, wantsBytes),
        ...family('text-bytes', tagged, 5, { type: 'TypeError', message: "key: expected bytes or bytearray, but got 'str'" }),
      ]),
    ).toBe(true);
    // Not: another TypeError, a value already converted.
    expect(family('text-bytes', emit, 5, { type: 'TypeError', message: "unsupported operand type(s) for +: 'int' and 'str'" })).toEqual([]);
    expect(family('text-bytes', 'def emit(out, data):\n    out.write(data.decode())\n', 2, wantsText)).toEqual([]);
  });

  it('loop-stuck: a hang in a while loop whose condition reads nothing its body changes reads it through the counter or shrinks it', () => {
    const hang = { type: 'Timeout', message: 'did not finish within the time limit' };
    // The body steps a counter the condition never reads: the sequence is read from it on, or at it.
    const prefix = 'def strip_zeros(digits):\n    start = 0\n    while digits.startswith("0"):\n        start += 1\n    return digits[start:]\n';
    expect(family('loop-stuck', prefix, 4, hang)).toEqual([prefix.replace('while digits.', 'while digits[start:].')]);
    const index = 'def find(xs, target):\n    i = 0\n    while xs[0] != target:\n        i = i + 1\n    return i\n';
    expect(family('loop-stuck', index, 3, hang)).toEqual([index.replace('xs[0]', 'xs[i]')]);
    // A collection the body takes an item of and never shrinks: that item removed, where the body has it.
    const taken = 'def by_deadline(pending):\n    done = []\n    while pending:\n        job = min(pending)\n        done.append(job)  # next\n    return done\n';
    expect(family('loop-stuck', taken, 5, hang)).toEqual([taken.replace('# next\n', '# next\n        pending.remove(job)\n')]);
    // A CRLF file gets a CRLF line.
    const crlf = taken.replaceAll('\n', '\r\n');
    expect(family('loop-stuck', crlf, 5, hang)).toEqual([crlf.replace('# next\r\n', '# next\r\n        pending.remove(job)\r\n')]);
    const walked =
      'def drain(queue, ready):\n    out = []\n    while len(queue) > 0:\n        for item in queue:\n            if ready(item):\n                out.append(item)\n    return out\n';
    expect(family('loop-stuck', walked, 6, hang)).toEqual([walked.replace('out.append(item)\n', 'out.append(item)\n                queue.remove(item)\n')]);
    // Nothing taken of it: popped, from the end or the front.
    const counted = 'def count(stack):\n    n = 0\n    while len(stack) > 0:\n        n += 1\n    return n\n';
    expect(family('loop-stuck', counted, 4, hang)).toEqual([
      counted.replace('n += 1\n', 'n += 1\n        stack.pop()\n'),
      counted.replace('n += 1\n', 'n += 1\n        stack.pop(0)\n'),
    ]);
    expect(allCompile([prefix, index, taken, walked, counted].flatMap((c, i) => family('loop-stuck', c, [4, 3, 5, 6, 4][i]!, hang)))).toBe(true);
    // Not: a condition on what the body changes, a loop left by `break`, a condition that reads nothing, another error.
    expect(family('loop-stuck', 'def f(xs):\n    while xs:\n        xs.pop()\n    return xs\n', 3, hang)).toEqual([]);
    expect(family('loop-stuck', 'def f(xs, k):\n    i = 0\n    while xs:\n        i += 1\n        if i > k:\n            break\n    return i\n', 4, hang)).toEqual([]);
    expect(family('loop-stuck', 'def f(n):\n    while True:\n        n += 1\n', 3, hang)).toEqual([]);
    expect(family('loop-stuck', taken, 5, { type: 'ValueError', message: 'x' })).toEqual([]);
  });

  it('recursion-ends: a RecursionError gets the recursive step one off, a step on an input passed through, or its base case widened', () => {
    const deep = { type: 'RecursionError', message: 'maximum recursion depth exceeded' };
    // The argument that moves is one off; the ones passed through are left alone.
    const search =
      'def first_at_least(xs, x, lo, hi):\n    if lo >= hi:\n        return lo\n    mid = (lo + hi) // 2\n    if xs[mid] < x:\n        return first_at_least(xs, x, mid, hi)\n    return first_at_least(xs, x, lo, mid)\n';
    expect(family('recursion-ends', search, 6, deep)).toEqual([search.replace('x, mid, hi)', 'x, mid + 1, hi)'), search.replace('x, mid, hi)', 'x, mid - 1, hi)')]);
    // A constant step changed by one; an equality base case on the moved parameter widened, downwards first.
    const even = 'def is_even(n):\n    if n == 0:\n        return True\n    if 1 == n:\n        return False\n    return is_even(n - 1)\n';
    expect(family('recursion-ends', even.replace('n - 1', 'n - 2'), 6, deep)).toEqual([
      even.replace('n - 1', 'n - 3'),
      even.replace('n - 1', 'n - 1'),
      even.replace('n - 1', 'n - 2').replace('n == 0', 'n <= 0'),
      even.replace('n - 1', 'n - 2').replace('n == 0', 'n >= 0'),
      even.replace('n - 1', 'n - 2').replace('1 == n', '1 >= n'),
      even.replace('n - 1', 'n - 2').replace('1 == n', '1 <= n'),
    ]);
    // Every argument passed through: each stepped, or a sequence's rest.
    const same = 'class Walker:\n    def total(self, xs):\n        if xs == []:\n            return 0\n        return xs[0] + self.total(xs)\n';
    // `xs == []` is no number's base case: it is left alone.
    expect(family('recursion-ends', same, 5, deep)).toEqual(['xs - 1', 'xs + 1', 'xs[1:]'].map((t) => same.replace('self.total(xs)', `self.total(${t})`)));
    expect(allCompile([search, even, same].flatMap((c, i) => family('recursion-ends', c, [6, 6, 5][i]!, deep)))).toBe(true);
    // Not: a function that does not call itself, another error.
    expect(family('recursion-ends', 'def f(n):\n    if n == 0:\n        return 0\n    return g(n)\n', 4, deep)).toEqual([]);
    expect(family('recursion-ends', search, 6, { type: 'IndexError', message: 'list index out of range' })).toEqual([]);
  });

  it('concat-operand: an item added to a sequence becomes one of the kind the error names, the right operand first', () => {
    const list = { type: 'TypeError', message: 'can only concatenate list (not "int") to list' };
    const code = 'def f(lst):\n    out = []\n    for i in lst:\n        out = out + i\n    return out\n';
    expect(family('concat-operand', code, 4, list)).toEqual([code.replace('out + i', 'out + [i]'), code.replace('out + i', '[out] + i')]);
    const str = 'def label(n):\n    return "item " + n\n';
    expect(family('concat-operand', str, 2, { type: 'TypeError', message: 'can only concatenate str (not "int") to str' })).toEqual([str.replace('+ n', '+ str(n)')]);
    // An accumulator added to itself as well loses the second copy first.
    const doubled = code.replace('out = out + i', 'out += out + i');
    expect(family('concat-operand', doubled, 4, list)[0]).toBe(code.replace('out = out + i', 'out += [i]'));
    expect(family('concat-operand', doubled.replace('out += out + i', 'out += lst + i'), 4, list)).not.toContain(code.replace('out = out + i', 'out += [i]'));
    const tuple = 'def f(t, x):\n    t += x\n    return t\n';
    expect(family('concat-operand', tuple, 2, { type: 'TypeError', message: 'can only concatenate tuple (not "int") to tuple' })).toEqual([tuple.replace('t += x', 't += (x,)')]);
    expect(
      allCompile([
        ...family('concat-operand', code, 4, list),
        ...family('concat-operand', tuple, 2, { type: 'TypeError', message: 'can only concatenate tuple (not "int") to tuple' }),
      ]),
    ).toBe(true);
    // Not: a sequence written out, another error.
    expect(family('concat-operand', 'def f():\n    return [1] + "a"\n', 2, list)).toEqual([]);
    expect(family('concat-operand', code, 4, { type: 'TypeError', message: "unsupported operand type(s) for -: 'list' and 'int'" })).toEqual([]);
  });

  it('null-guard: optional access with a default by what is read, for the member the error names', () => {
    const code = 'def f(d):\n    return d.get("name").strip()\n';
    expect(family('null-guard', code, 2, { type: 'AttributeError', message: "'NoneType' object has no attribute 'strip'" })).toEqual([
      code.replace('d.get("name").strip()', '(d.get("name") or \'\').strip()'),
    ]);
    const key = 'def f(d):\n    return d["name"]\n';
    expect(family('null-guard', key, 2, { type: 'KeyError', message: "'name'" })).toEqual([key.replace('d["name"]', 'd.get("name")')]);
    expect(family('null-guard', key, 2, { type: 'ValueError', message: 'x' })).toEqual([]);
  });

  it('every fix compiles, is one small edit where one token is wrong, and cheap ones come before costly ones at a statement', () => {
    const code = [
      'import math',
      '',
      'def window(rows, start, size):',
      '    end = start + size',
      '    out = []',
      '    i = start',
      '    while i <= end:',
      '        out.append(rows[i] * math.floor(size / 2))',
      '        i += 1',
      '    return out[0:size]',
      '',
    ].join('\n');
    const { fixes } = helper(code, 8, { type: 'IndexError', message: 'list index out of range' });
    const texts = fixes.map((f) => applyEdits(code, f.edits));
    expect(allCompile(texts)).toBe(true);
    for (const f of fixes.filter((f) => f.tier !== 'costly' && f.template !== 'guard')) {
      expect(changedLines(code, applyEdits(code, f.edits))).toHaveLength(1);
      for (const e of f.edits) expect(e.end - e.start).toBeLessThanOrEqual(45);
    }
    for (const rank of new Set(fixes.map((f) => f.rank))) {
      const tiers = fixes.filter((f) => f.rank === rank).map((f) => f.tier);
      expect(tiers.lastIndexOf('cheap')).toBeLessThan(tiers.includes('costly') ? tiers.indexOf('costly') : Infinity);
    }
    // Per-family caps: one busy statement brings at most ten of off-by-one, six of any other family.
    const atLine = fixes.filter((f) => f.rank === 0);
    for (const name of new Set(atLine.map((f) => f.template))) expect(atLine.filter((f) => f.template === name).length).toBeLessThanOrEqual(name === 'off-by-one' ? 10 : 6);
  });
});

describe('the Python helper as the fixer runs it', () => {
  it('runs beside the event loop, and a helper that fails is one clear problem', async () => {
    let ticked = false;
    const running = runPythonHelper({ 'a.py': 'def f(x):\n    return x + 1\n' }, [{ file: 'a.py', line: 2 }], { type: 'TypeError', message: 'x' });
    setImmediate(() => (ticked = true));
    const helped = await running;
    // A helper run synchronously would have answered before the loop turned.
    expect(ticked).toBe(true);
    expect('fixes' in helped && helped.fixes.length > 0).toBe(true);
    const broken = await runPythonHelper({ 'a.py': 'x = 1\n' }, [{ file: 'a.py' } as unknown as { file: string; line: number }], null);
    expect(broken).toEqual({ problem: expect.stringMatching(/^the Python template helper failed: KeyError: 'line'$/) as unknown });
  });
});

describe('Python sites: the statements that control the failing line', () => {
  it('the while whose condition is wrong is among the first five statements visited, and its fix among the first candidates', async () => {
    const code = [
      'def window(rows, start, size):',
      '    end = start + size',
      '    out = []',
      '    i = start',
      '    while i <= end:',
      '        out.append(rows[i])',
      '        i += 1',
      '    return out',
      '',
    ].join('\n');
    const { targets } = helper(code, 6, { type: 'IndexError', message: 'list index out of range' });
    expect(targets.slice(0, 5).map((t) => [t.line, t.why])).toContainEqual([5, 'control']);
    // The definitions of what the line reads come too: `out = []` and `i = start` (rows is a parameter).
    expect(targets.slice(0, 5).map((t) => t.line)).toEqual(expect.arrayContaining([3, 4]));
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.py'), code);
    const request = {
      dir,
      suspects: [{ file: 'src/a.py', line: 6, score: 1, reason: 'in-app frame 1', inApp: true }],
      reproduction: { error: { type: 'IndexError', message: 'list index out of range' } },
    } as unknown as FixRequest;
    const { candidates } = await generatePython(request, 60);
    const fixed = code.replace('while i <= end', 'while i < end');
    const at = candidates.findIndex((c) => c.files['src/a.py'] === fixed);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(30);
    expect(candidates[at]?.template).toBe('relational');
  });

  it('a statement-level fix at the failing line comes among the cheap changes of the statements below it', async () => {
    const code = [
      'def flatten(pages, width):',
      '    lines = []',
      '    total = 0',
      '    while pages:',
      '        page = pages[0]',
      '        for line in page:',
      '            text = line.strip()[:width]',
      '            total += len(text)',
      '            lines.append(text)',
      '            pages.remove(page)',
      '    return lines, total',
      '',
    ].join('\n');
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.py'), code);
    const request = {
      dir,
      suspects: [{ file: 'src/a.py', line: 10, score: 1, reason: 'in-app frame 1', inApp: true }],
      reproduction: { error: { type: 'ValueError', message: 'list.remove(x): x not in list' } },
    } as unknown as FixRequest;
    const { candidates } = await generatePython(request, 60);
    const at = candidates.findIndex((c) => c.files['src/a.py'] === code.replace('            pages.remove(page)', '        pages.remove(page)'));
    expect(candidates[at]?.template).toBe('statement-move');
    // Before the replacements of the less suspicious statements, inside the half of the budget the families keep.
    expect(at).toBeLessThan(candidates.findLastIndex((c) => c.template === 'name-replace'));
    expect(candidates.length - at).toBeGreaterThan(15);
  });

  it("a caller's frame is a site at its call, before the callee's earlier statements", () => {
    const code = [
      'def scale(value, factor):',
      '    if factor <= 0:',
      '        raise ValueError("factor")',
      '    return value * factor',
      '',
      'def run(p):',
      '    return scale(p["factor"], p["value"])',
      '',
    ].join('\n');
    const { targets } = helper(code, [3, 7]);
    expect(targets.slice(0, 3).map((t) => [t.line, t.why])).toEqual([
      [3, 'frame'],
      [7, 'frame'],
      [2, 'control'],
    ]);
  });
});

/** The offline fixer on the plugin, through the real sandbox, for a call that raised `error` at `line` of src/calc.py. */
async function propose(dir: string, input: unknown, error: { type: string; message: string }, lines: number[]) {
  const manifest = loadManifest(dir, 'calc/plugin.json');
  const call = { op: 'execute' as const, input };
  const signal = new AbortController().signal;
  const events: { kind: string; data: Record<string, unknown> }[] = [];
  const fix = {
    plugin: 'calc',
    dir,
    manifest,
    suspects: lines.map((line, i) => ({ file: 'src/calc.py', line, score: 1, reason: `in-app frame ${i + 1}`, inApp: true })),
    context: { error: { firstSeen: '1970-01-01T00:00:00.000Z' } },
    reproduction: { request: call, error },
    budget: {},
    signal,
    emit: (kind: string, data: unknown) => void events.push({ kind, data: data as Record<string, unknown> }),
    ...sandboxChecks(manifest, call, {}, signal),
  } as unknown as FixRequest;
  return { found: await new OfflineFixer().propose(fix), events };
}

describe('the offline fixer on Python plugins, end to end in the sandbox', () => {
  it('finds a swapped-argument defect at the caller frame', async () => {
    const module = [
      'def scale(value, factor):',
      '    if factor <= 0:',
      '        raise ValueError(f"factor must be positive, not {factor}")',
      '    return value * factor',
      '',
      'def run(payload):',
      '    return {"result": scale(payload["factor"], payload["value"])}',
      '',
    ].join('\n');
    const tests = [
      'class T(unittest.TestCase):',
      '    def test_scale(self):',
      '        self.assertEqual(scale(2, 3), 6)',
      '        self.assertRaises(ValueError, scale, 2, -1)',
      '    def test_run(self):',
      '        self.assertEqual(run({"value": 4, "factor": 2}), {"result": 8})',
    ].join('\n');
    const dir = pythonPlugin(module, tests);
    const { found, events } = await propose(dir, { value: -3, factor: 2 }, { type: 'ValueError', message: 'factor must be positive, not -3' }, [3, 7]);
    expect(
      found[0]?.template,
      JSON.stringify([found.map((f) => f.rationale), events.filter((e) => e.kind === 'candidate-tried').map((e) => [e.data.template, e.data.verdict])]),
    ).toBe('argument-swap');
    expect(found[0]?.files['src/calc.py']).toBe(module.replace('scale(payload["factor"], payload["value"])', 'scale(payload["value"], payload["factor"])'));
  }, 240_000);

  it('finds a wrong range bound on the loop around the line that raised', async () => {
    const module = [
      'def price(row):',
      '    return row["qty"] * row["price"]',
      '',
      'def totals(rows):',
      '    out = []',
      '    for i in range(len(rows) + 1):',
      '        out.append(price(rows[i]))',
      '    return out',
      '',
      'def run(payload):',
      '    return {"totals": totals(payload["rows"])}',
      '',
    ].join('\n');
    // A suite that passes on the defect (it never reaches the loop), as production defects' suites do.
    const tests = ['class T(unittest.TestCase):', '    def test_price(self):', '        self.assertEqual(price({"qty": 2, "price": 3}), 6)'].join('\n');
    const dir = pythonPlugin(module, tests);
    const input = {
      rows: [
        { qty: 2, price: 3 },
        { qty: 1, price: 5 },
      ],
    };
    const { found, events } = await propose(dir, input, { type: 'IndexError', message: 'list index out of range' }, [7, 11]);
    // Neither suite nor reproduction tells `range(len(rows))` from `range(len(rows) - 1)`, so both may validate: the right one must be among them.
    const fixed = found.find((f) => f.files['src/calc.py'] === module.replace('range(len(rows) + 1)', 'range(len(rows))'));
    expect(fixed?.template, JSON.stringify(events.filter((e) => e.kind === 'candidate-tried').map((e) => [e.data.template, e.data.verdict]))).toBe('off-by-one');
    expect(fixed?.rationale).toMatch(/^off by one: `len\(rows\) \+ 1` became `len\(rows\)` at src\/calc\.py:6/);
  }, 240_000);
  it('goes on from a change that moves the failure on: two slips on one road are mended together', async () => {
    // A misspelt local updated in place, then a method called with brackets: no one change passes.
    const module = [
      'def run(payload):',
      '    seen = ()',
      '    out = []',
      '    for item in payload["items"]:',
      '        if item not in seen:',
      '            sen += (item,)',
      '            out.append[item]',
      '    return out',
      '',
    ].join('\n');
    const tests = ['class T(unittest.TestCase):', '    def test_empty(self):', '        self.assertEqual(run({"items": []}), [])'].join('\n');
    const dir = pythonPlugin(module, tests);
    const unbound = { type: 'UnboundLocalError', message: "cannot access local variable 'sen' where it is not associated with a value" };
    const { found, events } = await propose(dir, { items: [1, 2, 1] }, unbound, [6]);
    const verdicts = events.filter((e) => e.kind === 'candidate-tried').map((e) => [e.data.template, e.data.verdict]);
    expect(verdicts, JSON.stringify(verdicts)).toContainEqual(['name-spelling', 'moves']);
    const stone = events.find((e) => e.kind === 'stepping-stone');
    expect(stone?.data).toMatchObject({ template: 'name-spelling', failure: "TypeError: 'builtin_function_or_method' object is not subscriptable" });
    // Among what passed (validate, not this search, rejects the ones that only skip the loop's body): both mended at once.
    const both = found.find((f) => f.files['src/calc.py'] === module.replace('sen +=', 'seen +=').replace('out.append[item]', 'out.append(item)'));
    expect(both?.template, JSON.stringify(found.map((f) => f.rationale))).toBe('two-step');
    expect(both?.rationale).toMatch(/`sen` became `seen`.*object is not subscriptable.*`out.append\[item\]` became `out.append\(item\)`/);
  }, 240_000);
});
