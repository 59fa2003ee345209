import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callCoverage, suiteCoverage } from '../../agents/plugin-agent/checks.ts';
import { changedConditions, constantConditions } from '../../agents/plugin-agent/silencing/constant-condition.ts';
import { changedFunction, describeSwitchedOff, handlerLines, lineMapOf, switchedOff, unreached } from '../../agents/plugin-agent/silencing/switched-off.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { pythonPlugin } from '../helpers/python-plugin.ts';

describe('the lines of the original a change keeps, and where they went', () => {
  it('maps the lines before and after a change, and none inside it', () => {
    const map = lineMapOf('a\nb\nc\nd\n', 'a\nB1\nB2\nc\nd\n');
    expect([1, 2, 3, 4].map(map)).toEqual([1, undefined, 4, 5]);
  });

  it('a line the failing call ran that it no longer runs is switched off; the stack and the changed lines are not counted', () => {
    const before = 'def f(xs):\n    out = []\n    while xs:\n        x = xs[0]\n        out.append(x)\n        xs.removal(x)\n    return out\n';
    const after = before.replace('while xs:', 'while out:');
    const ranBefore = new Map([['src/f.py', new Set([1, 2, 3, 4, 5, 6])]]);
    const ranAfter = new Map([['src/f.py', new Set([1, 2, 3, 7])]]);
    const texts = new Map([['src/f.py', { before, after }]]);
    const lost = switchedOff(ranBefore, ranAfter, texts, [{ file: '/tmp/steward-wc-x/plugin/src/f.py', line: 6 }]);
    expect(lost).toEqual([{ file: 'src/f.py', lines: [4, 5] }]);
    expect(describeSwitchedOff(lost)).toContain('src/f.py lines 4, 5 no longer run');
    // Without the stack, the line that threw counts too.
    expect(switchedOff(ranBefore, ranAfter, texts, [])).toEqual([{ file: 'src/f.py', lines: [4, 5, 6] }]);
  });

  it('a mend that keeps the road (the failing line changed, every line before it still run) switches nothing off', () => {
    const before = 'def f(xs):\n    out = []\n    while xs:\n        x = xs[0]\n        out.append(x)\n        xs.removal(x)\n    return out\n';
    const after = before.replace('xs.removal(x)', 'xs.remove(x)');
    const ranBefore = new Map([['src/f.py', new Set([1, 2, 3, 4, 5, 6])]]);
    const ranAfter = new Map([['src/f.py', new Set([1, 2, 3, 4, 5, 6, 7])]]);
    expect(switchedOff(ranBefore, ranAfter, new Map([['src/f.py', { before, after }]]), [])).toEqual([]);
  });

  it('only the changed files count, and not their exception handlers: what the failure alone ran, a fix rightly skips', () => {
    const before = 'def f(x):\n    try:\n        y = g(x)\n    except KeyError as e:\n        log(e)\n        raise\n    return y\n';
    const after = before.replace('g(x)', 'g(x or {})');
    const lost = switchedOff(
      new Map([
        ['src/f.py', new Set([1, 2, 3, 4, 5, 6])],
        ['src/main.py', new Set([7, 8])],
      ]),
      new Map([['src/f.py', new Set([1, 2, 3, 7])]]),
      new Map([['src/f.py', { before, after }]]),
      [],
    );
    expect(lost).toEqual([]);
  });

  it('a line that ran and is deleted with nothing (or pass) in its place is switched off, the line that threw too', () => {
    const before = 'def f(xs):\n    for x in xs:\n        remove_mutiple(x, xs)\n    return xs\n';
    const passed = before.replace('remove_mutiple(x, xs)', 'pass');
    const ran = new Map([['src/f.py', new Set([1, 2, 3])]]);
    const stack = [{ file: 'src/f.py', line: 3 }];
    expect(switchedOff(ran, new Map([['src/f.py', new Set([1, 2, 3, 4])]]), new Map([['src/f.py', { before, after: passed }]]), stack)).toEqual([{ file: 'src/f.py', lines: [3] }]);
    // Replaced by other code, the line is the change itself, not a deletion.
    const mended = before.replace('remove_mutiple(x, xs)', 'remove_multiple(x, xs)');
    expect(switchedOff(ran, new Map([['src/f.py', new Set([1, 2, 3, 4])]]), new Map([['src/f.py', { before, after: mended }]]), stack)).toEqual([]);
  });

  it("counts only the changed function's lines: an error class's constructor ran for the failure alone", () => {
    const before = [
      'export class CsvError extends Error {',
      '  constructor(message) {',
      '    super(message);',
      "    this.name = 'CsvError';",
      '  }',
      '}',
      'export function parse(text) {',
      '  const rows = [];',
      '  for (const ch of text) {',
      "    if (ch === '\"') throw new CsvError('unterminated');",
      '    rows.push(ch);',
      '  }',
      '  return rows;',
      '}',
      '',
    ].join('\n');
    const after = before.replace("if (ch === '\"')", "if (ch === '\"' && rows.length === 0)");
    expect(changedFunction('src/parse.js', before, after)).toEqual([7, 14]);
    const lost = switchedOff(
      new Map([['src/parse.js', new Set([1, 2, 3, 4, 7, 8, 9, 10])]]),
      new Map([['src/parse.js', new Set([7, 8, 9, 10, 11, 13])]]),
      new Map([['src/parse.js', { before, after }]]),
      [],
    );
    expect(lost).toEqual([]);
    const py = 'class E(Exception):\n    def __init__(self, m):\n        self.m = m\n\ndef f(xs):\n    for x in xs:\n        if x:\n            raise E(x)\n    return xs\n';
    expect(changedFunction('a.py', py, py.replace('if x:', 'if not x:'))).toEqual([5, 10]);
    expect(changedFunction('a.py', py, py.replace('self.m = m', 'self.m = str(m)'))).toEqual([2, 4]);
  });

  it('finds the handler lines of Python and of braces', () => {
    expect([...handlerLines('try:\n    a()\nexcept E:\n    b()\n    c()\nd()\nfinally_x = 1\n', true)]).toEqual([3, 4, 5]);
    expect([...handlerLines('try {\n  a();\n} catch (e) {\n  if (x) {\n    b();\n  }\n}\nc();\n', false)]).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('the road the failing call takes, from real coverage in the sandbox', () => {
  const copies: WorkingCopy[] = [];
  afterEach(() => {
    for (const copy of copies.splice(0)) copy.dispose();
  });

  const module = [
    'def run(data):',
    '    items = list(data["items"])',
    '    out = []',
    '    while items:',
    '        first = items[0]',
    '        out.append(first * 2)',
    '        items.removal(first)',
    '    return out',
    '',
  ].join('\n');

  async function road(dir: string, text: string) {
    const manifest = loadManifest(dir, 'calc/plugin.json');
    const copy = createWorkingCopy(dir);
    copies.push(copy);
    writeFileSync(join(copy.dir, 'src/calc.py'), text);
    const covered = await callCoverage(manifest, copy, { op: 'execute', input: { items: [1, 2] } }, {}, new AbortController().signal);
    if (!covered) throw new Error('no coverage was taken');
    return covered;
  }

  it('a loop that is no longer entered cuts the road; mending the line that threw keeps it', async () => {
    const dir = pythonPlugin(module, 'class T(unittest.TestCase):\n    def test_empty(self):\n        self.assertEqual(run({"items": []}), [])');
    const original = await road(dir, module);
    expect(original.lines.get('src/calc.py')).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
    expect(original.frames.some((f) => f.file.endsWith('src/calc.py') && f.line === 7)).toBe(true);

    const silenced = module.replace('while items:', 'while out:');
    const cut = switchedOff(original.lines, (await road(dir, silenced)).lines, new Map([['src/calc.py', { before: module, after: silenced }]]), original.frames);
    expect(cut).toEqual([{ file: 'src/calc.py', lines: [5, 6] }]);

    const mended = module.replace('items.removal(first)', 'items.remove(first)');
    const kept = await road(dir, mended);
    expect(kept.frames).toEqual([]);
    expect(switchedOff(original.lines, kept.lines, new Map([['src/calc.py', { before: module, after: mended }]]), original.frames)).toEqual([]);
    // The measurement leaves nothing in the copy the suite then runs in.
    expect(readFileSync(join(copies[2]!.dir, 'src/calc.py'), 'utf8')).toBe(mended);
  });

  it('a call that hangs is killed, and what it ran up to then is still known', async () => {
    const hangs = ['def run(data):', '    n = data["items"][0]', '    total = 0', '    while n != 0:', '        total += n', '        n -= 2', '    return total', ''].join('\n');
    const dir = pythonPlugin(hangs, 'class T(unittest.TestCase):\n    def test_zero(self):\n        self.assertEqual(run({"items": [0]}), 0)');
    const manifest = JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8')) as { limits: { timeoutMs: number } };
    manifest.limits.timeoutMs = 2000;
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest));
    const original = await road(dir, hangs);
    expect(original.lines.get('src/calc.py')).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });
});

describe('a changed condition that goes one way only', () => {
  const copies: WorkingCopy[] = [];
  afterEach(() => {
    for (const copy of copies.splice(0)) copy.dispose();
  });

  it('finds the if/elif/while/for headers a change wrote and where each leads, in Python', () => {
    const before = 'def f(xs):\n    out = []\n    for x in xs:\n        if xs.count(x) > 1:\n            out += []\n        else:\n            out.append(x)\n    return out\n';
    const after = before.replace('> 1', '> 0');
    expect(changedConditions(before, after, true)).toEqual([{ line: 4, kind: 'branch', then: 5, otherwise: 7 }]);
    const loop = before.replace('for x in xs:', 'for x in out:');
    expect(changedConditions(before, loop, true)).toEqual([{ line: 3, kind: 'loop', then: 4 }]);
    const elif = 'if a:\n    b()\nelif c:\n    d()\n';
    expect(changedConditions(elif, elif.replace('if a:', 'if not a:'), true)).toEqual([{ line: 1, kind: 'branch', then: 2, otherwise: 3 }]);
  });

  it('and in JavaScript, by braces', () => {
    const before = 'function f(xs) {\n  if (xs.length > 1) {\n    a();\n  } else {\n    b();\n  }\n  while (xs.length) xs.pop();\n}\n';
    expect(changedConditions(before, before.replace('> 1', '> 0'), false)).toEqual([{ line: 2, kind: 'branch', then: 3, otherwise: 5 }]);
    expect(changedConditions(before, before.replace('while (xs.length)', 'while (ys.length)'), false)).toEqual([{ line: 7, kind: 'loop', then: 8 }]);
  });

  it('is constant when one way never ran while the condition did; a condition that never ran says nothing', () => {
    const branch = { line: 4, kind: 'branch' as const, then: 5, otherwise: 7 };
    expect(constantConditions('f.py', [branch], new Set([3, 4, 5]))).toEqual(['f.py:4: the changed condition always holds in every test and the failing call']);
    expect(constantConditions('f.py', [branch], new Set([3, 4, 7]))).toEqual(['f.py:4: the changed condition never holds in any test or the failing call']);
    expect(constantConditions('f.py', [branch], new Set([3, 4, 5, 7]))).toEqual([]);
    expect(constantConditions('f.py', [branch], new Set([3]))).toEqual([]);
    expect(constantConditions('f.py', [{ line: 3, kind: 'loop', then: 4 }], new Set([3]))).toEqual(['f.py:3: the changed loop is never entered in any test or the failing call']);
  });

  it('from real coverage of the suite: a flipped comparison the tests never tell apart is constant, the mend is not', async () => {
    const module = [
      'def run(data):',
      '    new = []',
      '    for x in data["items"]:',
      '        if data["items"].count(x) > 1:',
      '            new += []',
      '        else:',
      '            new = new.append(x)',
      '    return new',
      '',
    ].join('\n');
    const tests = 'class T(unittest.TestCase):\n    def test_one(self):\n        run({"items": [1]})\n    def test_two(self):\n        run({"items": [2, 2]})';
    const dir = pythonPlugin(module, tests);
    const manifest = loadManifest(dir, 'calc/plugin.json');
    const covered = async (text: string) => {
      const copy = createWorkingCopy(dir);
      try {
        writeFileSync(join(copy.dir, 'src/calc.py'), text);
        return (await suiteCoverage(manifest, copy, new AbortController().signal))?.get('src/calc.py') ?? new Set<number>();
      } finally {
        copy.dispose();
      }
    };
    const flipped = module.replace('> 1', '> 0');
    expect(constantConditions('src/calc.py', changedConditions(module, flipped, true), await covered(flipped))).toEqual([
      'src/calc.py:4: the changed condition always holds in every test and the failing call',
    ]);
    const mended = module.replace('> 1', '>= 2').replace('new = new.append(x)', 'new.append(x)');
    expect(constantConditions('src/calc.py', changedConditions(module, mended, true), await covered(mended))).toEqual([]);
  });

  it('a flipped guard that routes every known input around the work the failing call did leaves it unreached; a widened one does not', async () => {
    const module = [
      'def run(data):',
      '    items = data["items"]',
      '    if items == []:',
      '        return []',
      '    out = []',
      '    for x in items:',
      '        doubled = x * 2',
      '        out.append(doubled // x)',
      '    return out',
      '',
    ].join('\n');
    // The suite calls the empty case only, as a sparse suite does; the failing call is [0].
    const dir = pythonPlugin(module, 'class T(unittest.TestCase):\n    def test_empty(self):\n        self.assertEqual(run({"items": []}), [])');
    const manifest = loadManifest(dir, 'calc/plugin.json');
    const signal = new AbortController().signal;
    const check = async (text: string, probes: unknown[]) => {
      const copy = createWorkingCopy(dir);
      copies.push(copy);
      writeFileSync(join(copy.dir, 'src/calc.py'), text);
      const known = (await suiteCoverage(manifest, copy, signal)) ?? new Map<string, Set<number>>();
      const call = await callCoverage(manifest, copy, { op: 'execute', input: { items: [0] } }, {}, signal);
      for (const [file, lines] of call?.lines ?? []) known.set(file, new Set([...(known.get(file) ?? []), ...lines]));
      const probed: unknown[] = [];
      const cover = async (input: unknown) => {
        probed.push(input);
        return (await callCoverage(manifest, copy, { op: 'execute', input }, {}, signal))?.lines;
      };
      return {
        call,
        known,
        probed,
        lost: (before: typeof known, frames: { file: string; line: number | null }[]) =>
          unreached(before, known, new Map([['src/calc.py', { before: module, after: text }]]), frames, probes, cover),
      };
    };
    const original = await check(module, []);
    const onOriginal = original.call?.lines ?? new Map<string, Set<number>>();
    expect(onOriginal.get('src/calc.py')).toEqual(new Set([1, 2, 3, 5, 6, 7, 8]));
    const frames = original.call?.frames ?? [];
    const probes = [{ items: [] }, { items: [3, 5] }, { items: [1] }];

    const flipped = await check(module.replace('items == []', 'items != []'), probes);
    const lost = await flipped.lost(onOriginal, frames);
    // Line 8 threw (the stack's); lines 5 and 6 the empty case still runs; no input reaches the loop's body.
    expect(lost).toEqual([{ file: 'src/calc.py', lines: [7] }]);
    expect(flipped.probed).toEqual(probes);
    expect(describeSwitchedOff(lost, 'for any known input')).toBe(
      'it switches off code the failing call ran on the original: src/calc.py line 7 no longer runs for any known input',
    );

    // Widened: the suite and the failing call both return early, but the second probe takes the loop; probing stops there.
    const widened = await check(module.replace('items == []', 'items == [] or 0 in items'), probes);
    expect(await widened.lost(onOriginal, frames)).toEqual([]);
    expect(widened.probed).toEqual(probes.slice(0, 2));
  });
});
