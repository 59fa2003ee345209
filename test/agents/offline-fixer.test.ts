import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OfflineFixer } from '../../agents/fixers/offline/index.ts';
import { byRank } from '../../agents/fixers/offline/candidates.ts';
import { generatePython } from '../../agents/fixers/offline/generate-python.ts';
import { suspectSites } from '../../agents/fixers/offline/sites.ts';
import { ochiai, readCoverage } from '../../agents/fixers/offline/spectrum.ts';
import { decodeMappings } from '../../agents/fixers/offline/source-map.ts';
import { coverageEnv } from '../../agents/plugin-agent/checks.ts';
import { applyEdits, compiles, descendants, parse, statementOn } from '../../agents/fixers/offline/source.ts';
import ts from 'typescript';
import { offByOne } from '../../agents/fixers/offline/operators/off-by-one.ts';
import { relational } from '../../agents/fixers/offline/operators/relational.ts';
import { arithmetic } from '../../agents/fixers/offline/operators/arithmetic.ts';
import { coercion } from '../../agents/fixers/offline/templates/coercion.ts';
import { narrowState as conditionClause } from '../../agents/fixers/offline/operators/narrow-state.ts';
import { regex } from '../../agents/fixers/offline/templates/regex.ts';
import { argumentSwap } from '../../agents/fixers/offline/operators/argument-swap.ts';
import { jsonParse } from '../../agents/fixers/offline/templates/json-parse.ts';
import { awaitInsert } from '../../agents/fixers/offline/operators/await-insert.ts';
import { missingDefault } from '../../agents/fixers/offline/templates/missing-default.ts';
import { nullGuard } from '../../agents/fixers/offline/templates/null-guard.ts';
import { radix } from '../../agents/fixers/offline/templates/radix.ts';
import { narrowNullish as nullishCheck } from '../../agents/fixers/offline/operators/narrow-nullish.ts';
import { siblingProperty as wrongProperty } from '../../agents/fixers/offline/operators/member-sibling.ts';
import { rounding } from '../../agents/fixers/offline/templates/rounding.ts';
import type { Template } from '../../agents/fixers/offline/templates/types.ts';
import { derivedName as wrongVariable } from '../../agents/fixers/offline/operators/name-derived.ts';
import type { FixRequest } from '../../agents/fixers/types.ts';
import { OTHER_INPUTS, otherCalls, sandboxChecks } from '../../agents/plugin-agent/checks.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { loadManifest, type Manifest } from '../../orchestrator/library/manifest.ts';
import { makeLibrary, sh, STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

/** The texts a template makes of `code` at `line`, and their rationales. */
function apply(template: Template, code: string, line: number, options: { file?: string; error?: { type: string; message: string } } = {}): { text: string; rationale: string }[] {
  const file = options.file ?? 'src/x.js';
  const sf = parse(file, code);
  const statement = statementOn(sf, line);
  if (!statement) throw new Error(`no statement on line ${line}`);
  return template
    .propose({ file, sf, statement, line, ...(options.error ? { error: options.error } : {}) })
    .map((fix) => ({ text: applyEdits(code, fix.edits), rationale: fix.rationale }));
}

const texts = (fixes: { text: string }[]): string[] => fixes.map((f) => f.text);
const trimError = { type: 'TypeError', message: "Cannot read properties of undefined (reading 'trim')" };

describe('the offline fixer: templates', () => {
  it('null guard: a default by what is read, at the use and where the variable is set, or optional chaining; only for the member the error names', () => {
    const code = ['function cell(fields, c) {', '  // the raw cell', '  const value = fields[c];', '  return value.trim();', '}', ''].join('\n');
    const fixes = apply(nullGuard, code, 4, { error: trimError });
    expect(texts(fixes)).toEqual([
      code.replace('return value.trim();', "return (value ?? '').trim();"),
      code.replace('const value = fields[c];', "const value = fields[c] ?? '';"),
      code.replace('return value.trim();', 'return value?.trim();'),
    ]);
    expect(fixes[1]?.rationale).toBe("guard added at src/x.js:3: the reproduction reads `.trim` of undefined at line 4; `value` now defaults to '' where it is set");
    // Everything else, the comment and the indentation included, is as it was.
    for (const { text } of fixes) expect(text.split('\n').filter((l, i) => l !== code.split('\n')[i])).toHaveLength(1);
    expect(apply(nullGuard, code, 4, { error: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'length')" } })).toEqual([]);
    // A call that hung threw no TypeError a guard could stop, unless a catch in the file swallowed one.
    const hung = { type: 'Timeout', message: 'did not finish within the time limit' };
    expect(apply(nullGuard, code, 4, { error: hung })).toEqual([]);
    const retried = code.replace('  return value.trim();', '  try { return value.trim(); } catch { return cell(fields, c); }');
    expect(apply(nullGuard, retried, 4, { error: hung }).length).toBeGreaterThan(0);
    // Passed on to a function of the file: the default that function's use asks for.
    const passed = ['function names(list) {', '  return list.map((n) => n.trim());', '}', 'function columns(first) {', '  return names(first.fields);', '}', ''].join('\n');
    const onward = apply(nullGuard, passed, 5, { error: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'fields')" } });
    expect(texts(onward)).toContain(passed.replace('names(first.fields)', 'names(first?.fields ?? [])'));
    expect(onward.find((f) => f.text.includes('first?.fields ??'))?.rationale).toBe(
      'guard added at src/x.js:5: the reproduction reads `.fields` of undefined; `first.fields` now defaults to [], as `names` uses it',
    );
    // An array method defaults to [], and null is named as null.
    expect(texts(apply(nullGuard, 'const n = rows.map((r) => r.id);\n', 1, { error: { type: 'TypeError', message: "Cannot read properties of null (reading 'map')" } }))[0]).toBe(
      'const n = (rows ?? []).map((r) => r.id);\n',
    );
  });

  it("null guard's third fallback: a contract error before the statement, for what the function was given only", () => {
    const code = ['export function render(input) {', '  const width = input.options.width;', '  return String(width);', '}', ''].join('\n');
    const error = { type: 'TypeError', message: "Cannot read properties of undefined (reading 'width')" };
    const sf = parse('src/x.js', code);
    const fixes = nullGuard.propose({ file: 'src/x.js', sf, statement: statementOn(sf, 2)!, line: 2, error });
    const refusal = fixes.find((f) => f.refuses);
    expect(refusal?.refuses).toEqual({ type: 'TypeError', message: 'input.options is required' });
    expect(applyEdits(code, refusal?.edits ?? [])).toBe(
      code.replace('  const width', '  if (input.options == null) throw new TypeError("input.options is required");\n  const width'),
    );
    expect(refusal?.rationale).toBe(
      'contract error added at src/x.js:2: the reproduction reads `.width` of undefined; a call without `input.options` is now refused with TypeError: input.options is required, instead of crashing',
    );
    expect(fixes.filter((f) => f.refuses)).toHaveLength(1);
    // Not for a local the function made, nor where no statement can go before the read.
    const local = 'function f(rows) {\n  const first = rows.find(Boolean);\n  return first.width;\n}\n';
    expect(apply(nullGuard, local, 3, { error }).some((f) => f.text.includes('throw'))).toBe(false);
    const inline = 'function f(input) {\n  if (input.ok) return input.options.width;\n}\n';
    const inlineSf = parse('src/x.js', inline);
    const ret = descendants(inlineSf, ts.isReturnStatement)[0]!;
    expect(nullGuard.propose({ file: 'src/x.js', sf: inlineSf, statement: ret, line: 2, error }).some((f) => f.refuses)).toBe(false);
    // Only a read made whenever the statement runs: a guard before it must not refuse calls the statement would have handled.
    const refused = (body: string, line = 2) => {
      const code = `function f(input, xs) {\n${body}\n}\n`;
      const parsed = parse('src/x.js', code);
      return nullGuard
        .propose({ file: 'src/x.js', sf: parsed, statement: statementOn(parsed, line)!, line, error })
        .filter((f) => f.refuses)
        .map((f) => applyEdits(code, f.edits).split('\n')[1]);
    };
    expect(refused('  if (input.options.width > 0) return 1;')).toEqual(['  if (input.options == null) throw new TypeError("input.options is required");']);
    for (const lazy of [
      '  if (input.ok) { return input.options.width; }',
      '  try { return input.options.width; } catch { return 0; }',
      '  const w = xs.map(() => input.options.width);',
      '  const w = input.legacy ? input.options.width : 1;',
      '  const w = input.ok && input.options.width;',
      '  const w = input?.options.width;',
      '  for (const x of xs) console.log(input.options.width);',
    ])
      expect(refused(lazy), lazy).toEqual([]);
    // A name the function declares again may not be the parameter where it is read.
    expect(refused('  const w = input.options.width;\n  for (const input of xs) console.log(input);')).toEqual([]);
    // A chain split over lines is named on one.
    expect(refused('  const w = input\n    .options.width;')[0]).toBe('  if (input.options == null) throw new TypeError("input.options is required");');
  });

  it('rounding: Math.round where ceil, floor or trunc was meant, in TypeScript with its types kept', () => {
    const code = 'export function pageCount(total: number, size: number): number {\n  return Math.max(1, Math.round(total / size));\n}\n';
    expect(texts(apply(rounding, code, 2, { file: 'src/pages.ts' }))).toEqual(['ceil', 'floor', 'trunc'].map((m) => code.replace('Math.round', `Math.${m}`)));
    expect(apply(rounding, 'const n = Math.max(a, b);\n', 1)).toEqual([]);
  });

  it('wrong variable: a use of x where a variable derived from x was meant', () => {
    const code = ['function resolve(table, code) {', '  const upper = code.toUpperCase();', '  return { code: upper, ...table[code] };', '}', ''].join('\n');
    const fixes = apply(wrongVariable, code, 3);
    expect(texts(fixes)).toEqual([code.replace('...table[code]', '...table[upper]')]);
    expect(fixes[0]?.rationale).toBe('variable changed at src/x.js:3: `code` became `upper`, which line 2 derives from it');
    expect(apply(wrongVariable, 'function f(a) {\n  const b = 2;\n  return a + 1;\n}\n', 3)).toEqual([]);
    // Never the same variable twice in one call: `toRecords(rows, rows)` silences a swap, it does not undo it.
    const twice = 'function run(text, options) {\n  const rows = parse(text, options.delimiter);\n  return toRecords(options, rows, { text });\n}\n';
    expect(texts(apply(wrongVariable, twice, 3))).toEqual([]);
    expect(texts(apply(wrongVariable, twice.replace('return toRecords(', 'return new Records('), 3))).toEqual([]);
  });

  it('await-insert: only in an async function, for a call the file knows to give a promise, and not where the promise is returned', () => {
    const known = 'async function fetchJson(url) {\n  return url;\n}\n';
    const code = `${known}async function load(url) {\n  const data = fetchJson(url);\n  return data.items;\n}\n`;
    expect(texts(apply(awaitInsert, code, 5))).toEqual([code.replace('= fetchJson', '= await fetchJson')]);
    expect(apply(awaitInsert, `${known}function load(url) {\n  const data = fetchJson(url);\n}\n`, 5)).toEqual([]);
    expect(apply(awaitInsert, `${known}async function load(url) {\n  return fetchJson(url);\n}\n`, 5)).toEqual([]);
    // A call the file knows nothing of (a synchronous helper, a library's) gets no await.
    expect(apply(awaitInsert, 'async function load(url) {\n  const data = parseUrl(url);\n  return data;\n}\n', 2)).toEqual([]);
  });

  it('nullish-check: a falsy test or a strict comparison with undefined or null becomes a test for absence', () => {
    const code = 'if (!input.items && !input.total) throw new TypeError("items or total required");\n';
    expect(texts(apply(nullishCheck, code, 1))).toEqual([code.replace('!input.items', 'input.items == null'), code.replace('!input.total', 'input.total == null')]);
    expect(texts(apply(nullishCheck, 'if (cursor !== undefined) return decode(cursor);\n', 1))).toEqual(['if (cursor != null) return decode(cursor);\n']);
    expect(texts(apply(nullishCheck, 'if (null === row) return;\n', 1))).toEqual(['if (row == null) return;\n']);
    // A double negation, a call's result and a loose comparison say something else.
    expect(apply(nullishCheck, 'const ok = !!flag && !ready() && x == null;\n', 1)).toEqual([]);
  });

  it('wrong-property: a sibling of the same object first, then one of the same kind elsewhere in the file; never a write or a method', () => {
    const code = ['function check(at, bucket, next) {', '  if (at >= bucket.endMs) return bucket.label;', '  return next.nextMs + bucket.startMs;', '}', ''].join('\n');
    const fixes = apply(wrongProperty, code, 2);
    expect(texts(fixes)).toEqual([
      code.replace('bucket.endMs', 'bucket.startMs'),
      code.replace('bucket.endMs', 'bucket.label'),
      code.replace('bucket.endMs', 'bucket.nextMs'),
      code.replace('return bucket.label', 'return bucket.endMs'),
      code.replace('return bucket.label', 'return bucket.startMs'),
    ]);
    expect(fixes[2]?.rationale).toBe('property changed at src/x.js:2: `bucket.endMs` became `bucket.nextMs`, which the file reads elsewhere');
    expect(apply(wrongProperty, 'row.total = row.count;\nrow.items.push(row.total);\n', 1).map((f) => f.text)).toEqual([
      'row.total = row.items;\nrow.items.push(row.total);\n',
      'row.total = row.total;\nrow.items.push(row.total);\n',
    ]);
  });

  it('radix: parseInt without one reads base 10; one with a radix is left alone', () => {
    expect(texts(apply(radix, 'const n = parseInt(text);\n', 1))).toEqual(['const n = parseInt(text, 10);\n']);
    expect(apply(radix, 'const n = parseInt(text, 16);\n', 1)).toEqual([]);
  });

  it('relational, off-by-one and arithmetic: a bound one step either way, an index shifted, an operator swapped', () => {
    const code = 'if (i < items.length) return items[i];\n';
    expect(texts(apply(relational, code, 1))).toEqual(['if (i <= items.length) return items[i];\n', 'if (i > items.length) return items[i];\n']);
    expect(texts(apply(offByOne, code, 1))).toEqual([
      'if (i < items.length - 1) return items[i];\n',
      'if (i < items.length + 1) return items[i];\n',
      'if (i < items.length) return items[i - 1];\n',
      'if (i < items.length) return items[i + 1];\n',
    ]);
    expect(texts(apply(relational, 'if (a === b) return total - fee;\n', 1))).toEqual(['if (a !== b) return total - fee;\n']);
    expect(texts(apply(arithmetic, 'if (a === b) return total - fee;\n', 1))).toEqual(['if (a === b) return total + fee;\n']);
    expect(apply(relational, 'return f(a);\n', 1)).toEqual([]);
  });
});

describe('the offline fixer: more templates', () => {
  it('argument-swap: neighbours swapped first, then any pair, one pair at a time; identical or spread ones left alone', () => {
    expect(texts(apply(argumentSwap, 'const part = text.slice(end, start);\n', 1))).toEqual(['const part = text.slice(start, end);\n']);
    expect(texts(apply(argumentSwap, 'f(a, b, c);\n', 1))).toEqual(['f(b, a, c);\n', 'f(a, c, b);\n', 'f(c, b, a);\n']);
    expect(apply(argumentSwap, 'f(a, a);\ng(...rest, x);\n', 1)).toEqual([]);
  });

  it('coercion: an operand read as a number before arithmetic, either side of a strict equality as a number or a string', () => {
    expect(texts(apply(coercion, 'const total = input.amount + fee;\n', 1))).toEqual([
      'const total = Number(input.amount) + fee;\n',
      'const total = input.amount + Number(fee);\n',
    ]);
    expect(texts(apply(coercion, 'if (id === wanted) return true;\n', 1))).toEqual([
      'if (Number(id) === wanted) return true;\n',
      'if (String(id) === wanted) return true;\n',
      'if (id === Number(wanted)) return true;\n',
      'if (id === String(wanted)) return true;\n',
    ]);
    expect(apply(coercion, 'const ok = a && b;\n', 1)).toEqual([]);
  });

  it('regex: a missing anchor added, a quantifier made stricter or looser, flags kept; escaped and class characters left alone', () => {
    expect(texts(apply(regex, 'const ok = /[a-z]+-\\d*/i.test(id);\n', 1))).toEqual([
      'const ok = /^[a-z]+-\\d*/i.test(id);\n',
      'const ok = /[a-z]+-\\d*$/i.test(id);\n',
      'const ok = /^[a-z]+-\\d*$/i.test(id);\n',
      'const ok = /[a-z]*-\\d*/i.test(id);\n',
      'const ok = /[a-z]-\\d*/i.test(id);\n',
      'const ok = /[a-z]+-\\d+/i.test(id);\n',
    ]);
    // Escaped and class characters are no quantifiers: only the repetition of the whole applies.
    expect(texts(apply(regex, 'const ok = /^[+*]\\+$/.test(s);\n', 1))).toEqual(['const ok = /^(?:[+*]\\+)+$/.test(s);\n']);
    // Leading digits may carry a sign; an anchored token may repeat ("1h30m").
    const amount = texts(apply(regex, 'if (!/^\\d+$/.test(text)) throw new Error("bad");\n', 1));
    expect(amount.slice(0, 2)).toEqual(['if (!/^-?\\d+$/.test(text)) throw new Error("bad");\n', 'if (!/^(?:\\d+)+$/.test(text)) throw new Error("bad");\n']);
    expect(texts(apply(regex, 'const ok = /^\\d+(?:ms|s|m|h)$/.test(d);\n', 1))).toContain('const ok = /^(?:\\d+(?:ms|s|m|h))+$/.test(d);\n');
  });
});

describe('the offline fixer: a clause about the state', () => {
  const scan = [
    'function scan(text) {',
    "  let field = '';",
    '  let fields = [];',
    '  let open = false;',
    '  for (const ch of text) {',
    "    if (ch === '\"') {",
    '      open = true;',
    '      continue;',
    '    }',
    "    if (ch === ',' || ch === ';') { fields.push(field); field = ''; continue; }",
    '    field += ch;',
    '  }',
    "  if (open) throw new Error('unterminated');",
    '  return [...fields, field];',
    '}',
    '',
  ].join('\n');

  it('narrows an if with the state its loop uses most, the start state first, and keeps the rest of the text', () => {
    const fixes = apply(conditionClause, scan, 6);
    expect(texts(fixes).slice(0, 3)).toEqual([
      scan.replace(`if (ch === '"') {`, `if (ch === '"' && field === '') {`),
      scan.replace(`if (ch === '"') {`, `if (ch === '"' && !open) {`),
      scan.replace(`if (ch === '"') {`, `if (ch === '"' && fields.length === 0) {`),
    ]);
    expect(texts(fixes)).toContain(scan.replace(`if (ch === '"') {`, `if (ch === '"' && field !== '') {`));
    expect(fixes).toHaveLength(6);
    expect(fixes[0]?.rationale).toBe(
      "condition narrowed at src/x.js:6: `ch === '\"'` now also asks `field === ''`, so it no longer holds in every state the function reaches there",
    );
    // An `||` is kept whole; the variables the condition already names are not asked about again.
    const either = texts(apply(conditionClause, scan, 10));
    expect(either[0]).toBe(scan.replace(`if (ch === ',' || ch === ';') {`, `if ((ch === ',' || ch === ';') && field === '') {`));
    for (const text of either) expect(compiles('src/x.js', text)).toBe(true);
    // An assignment is kept whole too; a `let` of a closure, or declared after the `if`, is out of scope there.
    const assigned = [
      'function f(xs) {',
      "  let seen = '';",
      '  let m;',
      '  const g = () => { let inner = false; return inner; };',
      '  if ((m = xs.pop())) g();',
      "  let late = '';",
      '  return late + seen;',
      '}',
      '',
    ].join('\n');
    expect(texts(apply(conditionClause, assigned, 5))).toEqual([
      assigned.replace('if ((m = xs.pop())) g();', "if ((m = xs.pop()) && seen === '') g();"),
      assigned.replace('if ((m = xs.pop())) g();', "if ((m = xs.pop()) && seen !== '') g();"),
    ]);
    const looped = ['function f(xs) {', "  for (let seen = ''; xs.length; ) xs.pop();", '  if (xs.length === 0) return 1;', '  return 0;', '}', ''].join('\n');
    expect(apply(conditionClause, looped, 3)).toEqual([]);
    const bare = 'function f(xs) {\n  let seen = [];\n  let m;\n  while (xs.length) if (m = xs.pop()) seen.push(m);\n  return seen;\n}\n';
    const bareSf = parse('src/x.js', bare);
    const inner = descendants(bareSf, ts.isIfStatement)[0]!;
    const wrapped = conditionClause.propose({ file: 'src/x.js', sf: bareSf, statement: inner.expression, line: 4 });
    expect(applyEdits(bare, wrapped[0]?.edits ?? [])).toBe(bare.replace('if (m = xs.pop())', 'if ((m = xs.pop()) && seen.length === 0)'));
  });

  it('leaves alone an if that only throws, code outside a function, and state it cannot tell the kind of', () => {
    expect(apply(conditionClause, scan, 13)).toEqual([]);
    expect(apply(conditionClause, 'let seen = false;\nif (ready) start();\n', 2)).toEqual([]);
    expect(apply(conditionClause, 'function f(xs) {\n  let n = 0;\n  if (xs.length) n += 1;\n  return n;\n}\n', 3)).toEqual([]);
  });

  it('localisation: where the state a throw checks was set comes right after the frame', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/scan.js'), scan);
    const sites = suspectSites({
      dir,
      suspects: [{ file: 'src/scan.js', line: 13, score: 1, reason: 'in-app frame 1' }],
      reproduction: { error: { type: 'Error', message: 'unterminated' } },
    } as unknown as FixRequest);
    expect(sites.slice(0, 3).map((s) => `${s.line}:${s.statement.getText(s.sf)}`)).toEqual([`13:if (open) throw new Error('unterminated');`, `6:ch === '"'`, '7:open = true;']);
  });
});

describe('the offline fixer: templates for inputs', () => {
  it('json-parse: an unchecked parse yields undefined, or a TypeError that says so; the result loads in Node', () => {
    const code = 'export function read(body) {\n  const data = JSON.parse(body);\n  return data;\n}\n';
    const fixes = texts(apply(jsonParse, code, 2));
    expect(fixes).toEqual([
      code.replace('JSON.parse(body)', '(() => { try { return JSON.parse(body); } catch (error) { return undefined; } })()'),
      code.replace('JSON.parse(body)', '(() => { try { return JSON.parse(body); } catch (error) { throw new TypeError(`invalid JSON: ${(error).message}`); } })()'),
    ]);
    for (const text of fixes) expect(compiles('src/x.js', text)).toBe(true);
    expect(apply(jsonParse, 'const n = Number(body);\n', 1)).toEqual([]);
  });

  it('missing-default: destructured options may be left out, as a parameter or a declaration', () => {
    const code = 'export function render(text, { width, indent }) {\n  return pad(text, width, indent);\n}\n';
    expect(texts(apply(missingDefault, code, 2))).toEqual([code.replace('{ width, indent })', '{ width, indent } = {})')]);
    const typed = 'export function render(text: string, { width }: Options) {\n  return width;\n}\n';
    expect(texts(apply(missingDefault, typed, 2, { file: 'src/x.ts' }))).toEqual([typed.replace('{ width }: Options)', '{ width }: Options = {})')]);
    expect(texts(apply(missingDefault, 'const { retries } = config.http || defaults;\n', 1))).toEqual(['const { retries } = (config.http || defaults) ?? {};\n']);
    expect(apply(missingDefault, 'export function f(a, { b } = {}) {\n  return b;\n}\n', 2)).toEqual([]);
  });
});

describe('the offline fixer: localisation', () => {
  const request = (plugin: string, suspects: FixRequest['suspects']): FixRequest =>
    ({ dir: join(STEWARD_ROOT, 'plugins', plugin), suspects, reproduction: { error: { type: 'RangeError', message: 'x' } } }) as unknown as FixRequest;

  it("reaches the function whose value does harm after it returned: paginate's page count", () => {
    const sites = suspectSites(request('paginate', [{ file: 'src/pages.ts', line: 42, score: 1, reason: 'in-app frame 1' }]));
    expect(sites[0]).toMatchObject({ file: 'src/pages.ts', line: 42 });
    expect(sites.map((s) => `${s.file}:${s.line}`)).toContain('src/pages.ts:20');
  });

  it("follows an import to another file of the plugin: money-format's currency lookup", () => {
    const sites = suspectSites(request('money-format', [{ file: 'src/index.js', line: 42, score: 1, reason: 'in-app frame 3' }]));
    expect(sites.map((s) => `${s.file}:${s.line}`)).toContain('src/currencies.js:25');
    // Frames outside the plugin and files that are not the plugin's are no sites.
    expect(
      suspectSites(
        request('money-format', [
          { file: 'node:events', line: 524, score: 1, reason: 'outside' },
          { file: '../escape.js', line: 1, score: 1, reason: 'x' },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('the offline fixer: spectrum-based localisation (Ochiai over V8 coverage)', () => {
  const covered = (dir: string, root: string) => readCoverage(dir, root).map((run) => run.lines);

  it('ranks first the line only the failing run executed, then the lines fewer passing runs reached', () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/a.js'), ['export function f(x) {', '  const y = x * 2;', '  if (x === 0) {', '    return y - 1;', '  }', '  return y + 1;', '}', ''].join('\n'));
    const run = (dir: string, arg: number) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `const { f } = await import(${JSON.stringify(join(root, 'src/a.js'))}); f(${arg});`], {
        env: { ...process.env, NODE_V8_COVERAGE: join(root, dir) },
      });
    run('failing', 0);
    run('pass-1', 1);
    run('pass-2', 2);
    const failing = covered(join(root, 'failing'), root);
    const passing = [...covered(join(root, 'pass-1'), root), ...covered(join(root, 'pass-2'), root)];
    expect([...(failing[0]?.get('src/a.js') ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 7]);
    const ranked = ochiai(failing, passing);
    expect(ranked[0]).toEqual({ file: 'src/a.js', line: 4, score: 1 });
    // Lines every run reached: 1 / sqrt(1 × (1 + 2)).
    expect(ranked.find((r) => r.line === 2)?.score).toBeCloseTo(1 / Math.sqrt(3), 6);
    // The line only passing runs reached is no suspect; files outside the root are not read.
    expect(ranked.some((r) => r.line === 6)).toBe(false);
    expect(covered(join(root, 'failing'), join(root, 'elsewhere'))).toEqual([]);
  });

  it('decodes source-map VLQ mappings: relative fields, negative steps, new lines', () => {
    expect(decodeMappings('AAAA,CAAC;AACA,ECAD')).toEqual([
      { genLine: 0, genCol: 0, source: 0, line: 0, col: 0 },
      { genLine: 0, genCol: 1, source: 0, line: 0, col: 1 },
      { genLine: 1, genCol: 0, source: 0, line: 1, col: 1 },
      { genLine: 1, genCol: 2, source: 1, line: 1, col: 0 },
    ]);
    // A segment of one field (a generated column with no origin) moves the column only.
    expect(decodeMappings('AAAA,E,CAAC')).toEqual([
      { genLine: 0, genCol: 0, source: 0, line: 0, col: 0 },
      { genLine: 0, genCol: 3, source: 0, line: 0, col: 1 },
    ]);
  });

  it('ranks TypeScript lines through the source map the loader leaves in the coverage file', () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    symlinkSync(join(STEWARD_ROOT, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(root, 'src/a.ts'),
      ['export function f(x: number): number {', '  const y: number = x * 2;', '  if (x === 0) {', '    return y - 1;', '  }', '  return y + 1;', '}', ''].join('\n'),
    );
    const run = (dir: string, arg: number) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const { f } = await import(${JSON.stringify(join(root, 'src/a.ts'))}); f(${arg});`], {
        cwd: root,
        env: { ...process.env, NODE_V8_COVERAGE: join(root, dir) },
      });
    run('failing', 0);
    run('pass-1', 1);
    const failing = covered(join(root, 'failing'), root);
    expect([...(failing[0]?.get('src/a.ts') ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 7]);
    const ranked = ochiai(failing, covered(join(root, 'pass-1'), root));
    expect(ranked[0]).toEqual({ file: 'src/a.ts', line: 4, score: 1 });
    expect(ranked.some((r) => r.line === 6)).toBe(false);
  });

  it('ranks Python lines the same way, from the trace module run by the sitecustomize the checks install', () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/a.py'), ['def f(x):', '    y = x * 2', '    if x == 0:', '        return y - 1', '    return y + 1', ''].join('\n'));
    writeFileSync(join(root, 'main.py'), ['import sys', 'sys.path.insert(0, "src")', 'from a import f', 'f(int(sys.argv[1]))', ''].join('\n'));
    const manifest = { runtime: 'python' } as Manifest;
    const run = (dir: string, arg: number) =>
      spawnSync('python3', ['main.py', String(arg)], { cwd: root, env: { PATH: process.env.PATH ?? '', ...coverageEnv(manifest, join(root, '.cov', dir)) } });
    expect(run('failing', 0).status).toBe(0);
    run('pass-1', 1);
    run('pass-2', 2);
    const failing = covered(join(root, '.cov', 'failing'), root);
    expect([...(failing[0]?.get('src/a.py') ?? [])].sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    const ranked = ochiai(failing, [...covered(join(root, '.cov', 'pass-1'), root), ...covered(join(root, '.cov', 'pass-2'), root)]);
    expect(ranked[0]).toEqual({ file: 'src/a.py', line: 4, score: 1 });
    expect(ranked.some((r) => r.file === 'src/a.py' && r.line === 5)).toBe(false);
    // Paths that climb out of the copy are not taken from the file.
    writeFileSync(join(root, '.cov', 'failing', 'lies.json'), JSON.stringify({ stewardPythonCoverage: 1, files: { '../../etc/x.py': [1], 'src/a.py': ['x', 2] } }));
    expect(covered(join(root, '.cov', 'failing'), root).some((lines) => lines.has('../../etc/x.py'))).toBe(false);
  });

  it('takes coverage a test at a time where the runner tells tests apart: node --test through its hook, unittest through the sitecustomize', () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'test'));
    writeFileSync(join(root, 'src/a.js'), ['export function f(x) {', '  const y = x * 2;', '  if (x === 0) {', '    return y - 1;', '  }', '  return y + 1;', '}', ''].join('\n'));
    writeFileSync(
      join(root, 'test/a.test.mjs'),
      [
        "import { test } from 'node:test';",
        "import { execFileSync } from 'node:child_process';",
        "import { f } from '../src/a.js';",
        "test('zero', () => { f(0); });",
        "test('one', () => { f(1); });",
        "test('broken', () => { throw new Error('no'); });",
        // A process a test starts inherits the hook's environment; its stdout must stay its own.
        "test('spawns', () => { JSON.parse(execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify(1))'], { encoding: 'utf8' })); });",
        "test('parent', async (t) => { await t.test('child', () => { throw new Error('no'); }); });",
        '',
      ].join('\n'),
    );
    const node = spawnSync(process.execPath, ['--test', 'test/'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...coverageEnv({ runtime: 'node' } as Manifest, join(root, '.steward-coverage', 'node')) },
    });
    expect(node.status).toBe(1);
    const tests = readCoverage(join(root, '.steward-coverage', 'node'), root);
    const ran = (run: { lines: Map<string, Set<number>> } | undefined) => [...(run?.lines.get('src/a.js') ?? [])].sort((a, b) => a - b);
    // One run a test, in the order they ran; the load (the import's top level) counts in each.
    // A parent whose subtest failed did not pass.
    expect(tests.map((t) => t.passed)).toEqual([true, true, false, true, false, false]);
    expect(ran(tests[0])).toEqual([1, 2, 3, 4, 5, 7]);
    expect(ran(tests[1])).toEqual([1, 2, 3, 6, 7]);
    expect(ran(tests[2])).toEqual([1]);
    expect([...(tests[0]?.lines.keys() ?? [])].some((file) => file.startsWith('.steward'))).toBe(false);

    writeFileSync(join(root, 'src/a.py'), ['def f(x):', '    y = x * 2', '    if x == 0:', '        return y - 1', '    return y + 1', ''].join('\n'));
    writeFileSync(
      join(root, 'test/test_a.py'),
      [
        'import sys, unittest',
        'sys.path.insert(0, "src")',
        'from a import f',
        '',
        'class A(unittest.TestCase):',
        '    def test_1_zero(self):',
        '        f(0)',
        '',
        '    def test_2_one(self):',
        '        f(1)',
        '',
        '    def test_3_broken(self):',
        '        self.assertEqual(f(1), 0)',
        '',
        'unittest.main()',
        '',
      ].join('\n'),
    );
    const python = spawnSync('python3', ['test/test_a.py'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...coverageEnv({ runtime: 'python' } as Manifest, join(root, '.cov', 'python')) },
    });
    expect(python.status).toBe(1);
    const cases = readCoverage(join(root, '.cov', 'python'), root);
    expect(cases.map((t) => t.passed)).toEqual([true, true, false]);
    const py = (run: { lines: Map<string, Set<number>> } | undefined) => [...(run?.lines.get('src/a.py') ?? [])].sort((a, b) => a - b);
    expect(py(cases[0])).toEqual([1, 2, 3, 4]);
    expect(py(cases[1])).toEqual([1, 2, 3, 5]);
    // Ochiai of the reproduction against the passing tests alone: the branch only f(0) takes is still shared with one test.
    const ranked = ochiai(
      [new Map([['src/a.js', new Set([1, 2, 3, 4, 5, 7])]])],
      tests.filter((t) => t.passed).map((t) => t.lines),
    );
    expect(ranked.find((r) => r.line === 4)?.score).toBeCloseTo(1 / Math.sqrt(2), 6);
    expect(ranked.find((r) => r.line === 2)?.score).toBeCloseTo(1 / Math.sqrt(3), 6);
  });

  it("maps a TypeScript test's coverage through the source maps its process wrote", () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'test'));
    symlinkSync(join(STEWARD_ROOT, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(root, 'src/a.ts'),
      ['export function f(x: number): number {', '  const y: number = x * 2;', '  if (x === 0) {', '    return y - 1;', '  }', '  return y + 1;', '}', ''].join('\n'),
    );
    writeFileSync(
      join(root, 'test/a.test.ts'),
      ["import { test } from 'node:test';", "import { f } from '../src/a.ts';", "test('zero', () => { f(0); });", "test('one', () => { f(1); });", ''].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/a.test.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...coverageEnv({ runtime: 'node' } as Manifest, join(root, '.steward-coverage', 'ts')) },
    });
    expect(run.status).toBe(0);
    const tests = readCoverage(join(root, '.steward-coverage', 'ts'), root);
    const ran = (i: number) => [...(tests[i]?.lines.get('src/a.ts') ?? [])].sort((a, b) => a - b);
    expect(tests.map((t) => t.passed)).toEqual([true, true]);
    expect(ran(0)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(ran(1)).toEqual([1, 2, 3, 6, 7]);
  });

  it('reads what sandboxed code wrote without trusting it: a FIFO, a link out and a broken file are skipped, not waited on', () => {
    const root = tempDir();
    const dir = join(root, '.steward-coverage');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    symlinkSync('/etc/passwd', join(dir, 'link.json'));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    symlinkSync('/dev/zero', join(root, 'zero.js'));
    writeFileSync(
      join(dir, 'lies.json'),
      JSON.stringify({
        result: [
          { url: `file://${join(root, 'zero.js')}`, functions: [{ ranges: [{ startOffset: 0, endOffset: 10, count: 1 }] }] },
          { url: 'not a url', functions: [] },
        ],
      }),
    );
    // Entries of the wrong shape are passed over, not thrown on (one would have cost the whole spectrum).
    writeFileSync(
      join(dir, 'steward-test-1-000001.json'),
      JSON.stringify({ result: [null, 7, { url: `file://${join(root, 'zero.js')}`, functions: [null] }], stewardTest: { passed: 'yes' } }),
    );
    expect(readCoverage(dir, root)).toEqual([]);
    expect(covered(dir, root)).toEqual([]);
  });
});

describe('the offline fixer: a plugin of stand-in code', () => {
  /** A plugin directory with one source file, and a request whose checks the test scripts. */
  function scratch(source: string, reproduce: (text: string) => Promise<boolean>) {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.js'), source);
    const tried: string[] = [];
    const events: { kind: string; data: Record<string, unknown> }[] = [];
    const controller = new AbortController();
    const fix = {
      plugin: 'scratch',
      dir,
      manifest: { runtime: 'node' },
      suspects: [{ file: 'src/a.js', line: 2, score: 1, reason: 'in-app frame 1', inApp: true }],
      reproduction: { error: { type: 'TypeError', message: 'x' } },
      context: { error: { firstSeen: '1970-01-01T00:00:00.000Z' } },
      budget: {},
      signal: controller.signal,
      emit: (kind: string, data: unknown) => void events.push({ kind, data: data as Record<string, unknown> }),
      async reproduce(copy: { dir: string }) {
        const text = readFileSync(join(copy.dir, 'src/a.js'), 'utf8');
        tried.push(text);
        return { passes: await reproduce(text), detail: '' };
      },
      runTests: async () => ({ status: 'passed', passed: 1, failed: 0, detail: '' }),
    } as unknown as FixRequest;
    return { fix, tried, events, controller, dir };
  }

  it('proposes a contract error only where no fix makes the call succeed, and ranks it after one that does', async () => {
    const source = ['export function render(input) {', '  const width = input.options.width;', '  return String(width);', '}', ''].join('\n');
    /** The call in a real Node process: what it threw, or whether its output is a number as the contract says. */
    const call = (dir: string, strict: boolean, refusal?: { type: string; message: string }): { passes: boolean; detail: string } => {
      const script = `import(${JSON.stringify(join(dir, 'src/a.js'))}).then((m) => m.render({})).then((out) => process.stdout.write(JSON.stringify({ out })), (e) => process.stdout.write(JSON.stringify({ error: { type: e.constructor.name, message: e.message } })))`;
      const out = JSON.parse(spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).stdout) as {
        out?: string;
        error?: { type: string; message: string };
      };
      if (refusal) return { passes: out.error?.type === refusal.type && out.error.message === refusal.message, detail: '' };
      if (out.error) return { passes: false, detail: out.error.message };
      if (strict && !/^\d+$/.test(out.out ?? '')) return { passes: false, detail: 'not a number' };
      return { passes: true, detail: '' };
    };
    const run = async (strict: boolean) => {
      const { fix, events } = scratch(source, async () => true);
      const request = {
        ...fix,
        reproduction: { error: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'width')" } },
        reproduce: async (copy: { dir: string }, options?: { refusal?: { type: string; message: string } }) => call(copy.dir, strict, options?.refusal),
      } as unknown as FixRequest;
      return { found: await new OfflineFixer().propose(request), events };
    };
    // Any output will do: the defaults make the call succeed and come first; the refusal, which also held, comes last.
    const lenient = await run(false);
    expect(lenient.found.map((c) => c.refuses?.message ?? 'succeeds')).toEqual(['succeeds', 'succeeds', 'input.options is required']);
    // Ranked after any fix that makes the call succeed, however small it is.
    const small = {
      fixer: 'offline',
      template: 'null-guard',
      files: {},
      rationale: 'r',
      rank: [1, 3, 5] as [number, number, number],
      refuses: { type: 'TypeError', message: 'm' },
    };
    const large = { ...small, rank: [2, 1, 90] as [number, number, number], refuses: undefined };
    expect([small, large].sort(byRank)).toEqual([large, small]);
    // Only a number will do: nothing makes the call succeed, and the refusal is the one candidate.
    const strict = await run(true);
    expect(strict.found).toHaveLength(1);
    expect(strict.found[0]?.refuses).toEqual({ type: 'TypeError', message: 'input.options is required' });
    expect(strict.found[0]?.rationale).toMatch(/^contract error added at src\/a\.js:2: .*the reproduction now ends in that contract error\.$/);
    expect(strict.found[0]?.files['src/a.js']).toContain('if (input.options == null) throw new TypeError("input.options is required");');
    // Where interface.input declares `options`, the host let the call through: the contract allows it, and no refusal is offered.
    const declared = await (async () => {
      const { fix } = scratch(source, async () => true);
      const request = {
        ...fix,
        manifest: { runtime: 'node', interface: { input: { type: 'object', properties: { options: { type: 'object' } } } } },
        reproduction: { error: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'width')" } },
        reproduce: async (copy: { dir: string }, options?: { refusal?: { type: string; message: string } }) => call(copy.dir, true, options?.refusal),
      } as unknown as FixRequest;
      return new OfflineFixer().propose(request);
    })();
    expect(declared).toEqual([]);
  }, 60_000);

  it('never tries a candidate Node could not load, and one that cannot be checked does not end the search', async () => {
    const source = 'export function pick(a, b, c) {\n  const x = a || b && c;\n  return x.trim();\n}\n';
    let calls = 0;
    const s = scratch(source, async () => {
      // The first call measures coverage; the second is the first candidate's.
      if (++calls === 2) throw new Error('the sandbox did not start');
      return false;
    });
    await new OfflineFixer().propose(s.fix);
    expect(s.tried.shift()).toBe(source);
    // The operator swaps: `&&` for `||` and `||` for `&&` (among the other families' edits); `a ?? b && c` is a SyntaxError and never tried.
    const lines = s.tried.map((text) => text.split('\n')[1]);
    expect(lines).toEqual(expect.arrayContaining(['  const x = a && b && c;', '  const x = a || b || c;']));
    expect(lines).not.toContain('  const x = a ?? b && c;');
    for (const text of s.tried) expect(compiles('src/a.js', text)).toBe(true);
    expect(compiles('src/a.js', source.replace('a || b', 'a ?? b'))).toBe(false);
    const verdicts = s.events.filter((e) => e.kind === 'candidate-tried').map((e) => String(e.data.verdict));
    expect(verdicts.filter((v) => v.startsWith('error:'))).toEqual(['error: the sandbox did not start']);
    expect(verdicts.filter((v) => !v.startsWith('error:')).every((v) => v === 'still-fails')).toBe(true);
  });

  it('stops when the run is stopped, and says so by failing', async () => {
    const s = scratch('export function f(a) {\n  return a.b.c + a.d - 1;\n}\n', async () => {
      s.controller.abort();
      return false;
    });
    await expect(new OfflineFixer().propose(s.fix)).rejects.toThrow('stopped: the run was stopped');
    expect(s.tried.length).toBeLessThanOrEqual(2);
  });

  it('reads no file through a symlink, none under node_modules and none of a frame outside the plugin', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.js'), 'export const key = "s3cr3t";\nexport function f(a) { return a.trim(); }\n');
    const s = scratch('export function f(a) {\n  return a.trim();\n}\n', async () => false);
    symlinkSync(outside, join(s.dir, 'lib'));
    mkdirSync(join(s.dir, 'node_modules/dep'), { recursive: true });
    writeFileSync(join(s.dir, 'node_modules/dep/index.js'), 'export function g(a) {\n  return a.trim();\n}\n');
    const at = (file: string, inApp = true) => suspectSites({ ...s.fix, suspects: [{ file, line: 2, score: 1, reason: 'x', inApp }] });
    expect(at('lib/secret.js')).toEqual([]);
    expect(at('node_modules/dep/index.js')).toEqual([]);
    expect(at('src/a.js', false)).toEqual([]);
    expect(at('src/a.js').map((site) => site.file)).toEqual(['src/a.js']);
  });
});

describe('the offline fixer: search', () => {
  /** A real fix request for an example plugin's recorded defect, checked in the sandbox as the agent would. */
  function realRequest(plugin: string, suspects: FixRequest['suspects'], budget: FixRequest['budget'], where: { dir?: string; firstSeen?: string } = {}) {
    const dir = where.dir ?? join(STEWARD_ROOT, 'plugins', plugin);
    const manifest = loadManifest(dir, `${plugin}/plugin.json`);
    const defect = JSON.parse(readFileSync(join(STEWARD_ROOT, 'orchestrator/cli/demo-defects', `${plugin}.json`), 'utf8')) as {
      trigger: { input: unknown };
      expectedError: { type: string; messageIncludes: string };
    };
    const call = { op: 'execute' as const, input: defect.trigger.input };
    const events: { kind: string; data: Record<string, unknown> }[] = [];
    const signal = new AbortController().signal;
    const fix = {
      plugin,
      dir,
      manifest,
      suspects,
      // A group older than any change of the plugin, unless a test says otherwise: no revert.
      context: { error: { firstSeen: where.firstSeen ?? '1970-01-01T00:00:00.000Z' } },
      reproduction: { request: call, error: { type: defect.expectedError.type, message: defect.expectedError.messageIncludes } },
      budget,
      signal,
      emit: (kind: string, data: unknown) => void events.push({ kind, data: data as Record<string, unknown> }),
      ...sandboxChecks(manifest, call, {}, signal),
    } as unknown as FixRequest;
    return { fix, events };
  }

  it("holds the reproduction to the group's other captured inputs, deduplicated and capped, and the coverage run to its own call", async () => {
    const dir = join(STEWARD_ROOT, 'plugins', 'csv-import');
    const manifest = loadManifest(dir, 'csv-import/plugin.json');
    const good = { op: 'execute' as const, input: { text: 'a,b\n1,2\n' } };
    const short = { text: 'a,b\n1\n' };
    const others = otherCalls([good.input, short, short, ...Array.from({ length: 9 }, (_, i) => ({ text: `a\n${i}\n` }))], good);
    expect(others.slice(0, 2)).toEqual([
      { op: 'execute', input: short },
      { op: 'execute', input: { text: 'a\n0\n' } },
    ]);
    expect(others).toHaveLength(OTHER_INPUTS);
    const signal = new AbortController().signal;
    const asHeld = (calls: typeof others) => calls.map((call) => ({ call, handled: true }));
    const copy = createWorkingCopy(dir);
    try {
      // The short row crashes the original: a candidate that only fixed the first input would not pass.
      const held = await sandboxChecks(manifest, good, {}, signal, asHeld(others)).reproduce(copy);
      expect(held).toEqual({
        passes: false,
        detail: expect.stringMatching(/^the group's captured input 1 of 5 besides the reproduction's fails: TypeError: .*reading 'trim'/) as unknown as string,
      });
      expect(await sandboxChecks(manifest, good, {}, signal, asHeld(others.slice(1))).reproduce(copy)).toEqual({ passes: true, detail: '' });
      expect((await sandboxChecks(manifest, good, {}, signal, asHeld(others)).reproduce(copy, { coverageDir: join(copy.dir, '.steward-coverage', 'x') })).passes).toBe(true);
    } finally {
      copy.dispose();
    }
  });

  it("finds paginate's fix, says what it tried, and ranks a validated candidate by size", async () => {
    const { fix, events } = realRequest('paginate', [{ file: 'src/pages.ts', line: 42, score: 1, reason: 'in-app frame 1' }], {});
    const [best, ...rest] = await new OfflineFixer().propose(fix);
    expect(best?.files['src/pages.ts']).toContain('return Math.max(1, Math.ceil(total / pageSize));');
    expect(best?.rationale).toMatch(/^rounding changed at src\/pages.ts:20: `Math.round` became `Math.ceil` \(the reproduction threw RangeError: page 3 is out of range/);
    expect(rest.length).toBeLessThanOrEqual(2);
    const stopped = events.find((e) => e.kind === 'fixer-stopped')?.data;
    expect(stopped).toMatchObject({ fixer: 'offline', validated: 1 + rest.length });
    expect(Number(stopped?.tried)).toBeGreaterThan(1);
    expect(events.filter((e) => e.kind === 'candidate-tried')).toHaveLength(Number(stopped?.tried));
    // Ochiai over the TypeScript sources, through the source maps tsx leaves in the sandbox's coverage.
    const spectrum = events.find((e) => e.kind === 'spectrum')?.data as { lines: { file: string }[] };
    expect(spectrum.lines.length).toBeGreaterThan(0);
    for (const line of spectrum.lines) expect(line.file).toMatch(/^src\/[a-z]+\.ts$/);
  }, 120_000);

  it('stops at its budget of candidates, and at its wall time', async () => {
    const few = realRequest('paginate', [{ file: 'src/pages.ts', line: 42, score: 1, reason: 'in-app frame 1' }], { candidates: 2 });
    expect(await new OfflineFixer().propose(few.fix)).toEqual([]);
    expect(few.events.find((e) => e.kind === 'fixer-stopped')?.data).toMatchObject({ why: 'all 2 candidate(s) tried', generated: 2, tried: 2, validated: 0, more: false });
    const quick = realRequest('paginate', [{ file: 'src/pages.ts', line: 42, score: 1, reason: 'in-app frame 1' }], { wallSeconds: 0 });
    expect(await new OfflineFixer().propose(quick.fix)).toEqual([]);
    expect(quick.events.find((e) => e.kind === 'fixer-stopped')?.data).toMatchObject({ why: 'wall-time budget (0 s) spent', tried: 0, more: false });
  }, 120_000);

  it('goes on in a later round with the candidates an earlier one did not try', async () => {
    const suspects = [{ file: 'src/pages.ts', line: 42, score: 1, reason: 'in-app frame 1' }];
    const first = realRequest('paginate', suspects, { candidates: 3 });
    await new OfflineFixer().propose(first.fix);
    const keys = first.events.filter((e) => e.kind === 'candidate-tried').map((e) => String(e.data.key));
    expect(new Set(keys).size).toBe(3);
    const later = realRequest('paginate', suspects, { candidates: 5 });
    await new OfflineFixer().propose({ ...later.fix, skip: new Set(keys) });
    const again = later.events.filter((e) => e.kind === 'candidate-tried').map((e) => String(e.data.key));
    expect(again).toHaveLength(2);
    for (const key of again) expect(keys).not.toContain(key);
    const spent = realRequest('paginate', suspects, { candidates: 3 });
    expect(await new OfflineFixer().propose({ ...spent.fix, skip: new Set(keys) })).toEqual([]);
    expect(spent.events.find((e) => e.kind === 'fixer-stopped')?.data).toMatchObject({ why: 'every candidate of the budget was tried in an earlier round' });
  }, 120_000);

  it("finds unit-convert's fix in Python: a guard before the line that raised", async () => {
    const { fix, events } = realRequest('unit-convert', [{ file: 'src/convert.py', line: 105, score: 1, reason: 'in-app frame 1', inApp: true }], {});
    const [best] = await new OfflineFixer().propose(fix);
    expect(best?.files['src/convert.py']).toContain('    if not x:\n        return x\n    magnitude = math.floor(math.log10(abs(x)))');
    expect(best?.rationale).toMatch(/^guard added at src\/convert\.py:105: `x` may be zero or empty, where ValueError is raised/);
    expect(events.find((e) => e.kind === 'fixer-stopped')?.data).toMatchObject({ validated: 1 });
    // Ochiai over the trace module's coverage, taken in the sandbox: plugin lines the failing call ran.
    const spectrum = events.find((e) => e.kind === 'spectrum')?.data as { lines: { file: string; line: number; score: number }[] };
    expect(spectrum.lines.length).toBeGreaterThan(0);
    for (const line of spectrum.lines) expect(line.file).toMatch(/^src\/[a-z_]+\.py$/);
  }, 120_000);

  it("reverts the plugin's last change when the group is newer than it and the version before passes", async () => {
    const library = await makeLibrary();
    const dir = join(library.paths.plugins, 'csv-import');
    cpSync(join(STEWARD_ROOT, 'plugins', 'csv-import'), dir, { recursive: true, verbatimSymlinks: true });
    const records = join(dir, 'src/records.js');
    writeFileSync(records, readFileSync(records, 'utf8').replace('const value = fields[c];', "const value = fields[c] ?? '';"));
    sh(library.root, 'add', '-A');
    sh(library.root, 'commit', '-q', '-m', 'csv-import: pad short rows');
    writeFileSync(records, readFileSync(records, 'utf8').replace("const value = fields[c] ?? '';", 'const value = fields[c];'));
    sh(library.root, 'commit', '-q', '-am', 'csv-import: read cells as they are');
    const suspects = [{ file: 'src/records.js', line: 53, score: 1, reason: 'in-app frame 1', inApp: true }];

    const newer = realRequest('csv-import', suspects, {}, { dir, firstSeen: new Date(Date.now() + 1000).toISOString() });
    const candidates = await new OfflineFixer().propose(newer.fix);
    const revert = candidates.find((c) => c.rationale.startsWith("revert of the plugin's last change"));
    expect(revert?.rationale).toContain('"csv-import: read cells as they are"');
    expect(revert?.files).toEqual({ 'src/records.js': readFileSync(records, 'utf8').replace('const value = fields[c];', "const value = fields[c] ?? '';") });
    // Checks run in parallel: the revert's verdict, whenever it came.
    expect(newer.events.find((e) => e.kind === 'candidate-tried' && e.data.template === 'revert')?.data).toMatchObject({ verdict: 'passes' });

    const older = realRequest('csv-import', suspects, { candidates: 1 }, { dir, firstSeen: '2000-01-01T00:00:00.000Z' });
    await new OfflineFixer().propose(older.fix);
    expect(older.events.find((e) => e.kind === 'revert-considered')?.data.why).toMatch(/^the group was first seen before the plugin's last change \([0-9a-f]{12}, /);
    expect(older.events.filter((e) => e.kind === 'candidate-tried').map((e) => e.data.template)).not.toContain('revert');
  }, 120_000);

  it('says why it cannot help a command plugin', async () => {
    const { fix, events } = realRequest('log-summary', [{ file: 'lib/summary.jq', line: 11, score: 1, reason: 'in-app frame 1', inApp: true }], {});
    expect(await new OfflineFixer().propose(fix)).toEqual([]);
    expect(events.map((e) => e.data.why)).toEqual(['the offline fixer repairs JavaScript, TypeScript and Python plugins; a command plugin is not one']);
  });
});

describe("the offline fixer: Python templates (Python's own ast, through the helper)", () => {
  const helper = join(STEWARD_ROOT, 'agents/fixers/offline/python/templates.py');
  const fixes = (text: string, line: number, error = { type: 'ValueError', message: 'x' }) => {
    const run = spawnSync('python3', ['-I', helper], { input: JSON.stringify({ files: { 'a.py': text }, sites: [{ file: 'a.py', line }], error }), encoding: 'utf8' });
    return (JSON.parse(run.stdout) as { fixes: { template: string; rank: number; edits: { start: number; end: number; text: string }[] }[] }).fixes
      .filter((f) => f.rank === 0)
      .map((f) => [f.template, applyEdits(text, f.edits)]);
  };

  it('a line Ochiai ranked is a site by itself, after the frames; a frame brings the statements before it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.py'), ['def f(x, y):', '    a = x + 1', '    b = y - 1', '    return a < b', ''].join('\n'));
    const request = { dir, suspects: [], reproduction: { error: { type: 'ValueError', message: 'x' } } } as unknown as FixRequest;
    const lines = (candidates: { rationale: string }[]) => [...new Set(candidates.map((c) => /a\.py:(\d+)/.exec(c.rationale)?.[1]))];
    expect(
      lines(
        (
          await generatePython(request, 60, [
            { file: 'src/a.py', line: 3 },
            { file: 'src/other.js', line: 1 },
          ])
        ).candidates,
      ),
    ).toEqual(['3']);
    const framed = { ...request, suspects: [{ file: 'src/a.py', line: 4, score: 1, reason: 'in-app frame 1', inApp: true }] } as unknown as FixRequest;
    const both = await generatePython(framed, 60, [{ file: 'src/a.py', line: 2 }]);
    expect(both.sites).toBe(2);
    // Templates first (the guards of the definitions the frame's line reads), then the families from the frame's line on.
    expect(new Set(lines(both.candidates))).toEqual(new Set(['4', '2', '3']));
  });

  it('guards for the parameters the line uses, boundary and operator at the right characters past a non-ASCII name', () => {
    const code = 'def f(items, i):\n    café = items\n    if i < len(café): return café[i]\n    return None\n';
    const made = fixes(code, 3);
    expect(made.slice(0, 2)).toEqual([
      ['guard', code.replace('    if i <', '    if not i:\n        return i\n    if i <')],
      ['guard', code.replace('    if i <', '    if i is None:\n        return None\n    if i <')],
    ]);
    // The operator families (test/agents/operators-python.test.ts) at the same characters.
    expect(made).toContainEqual(['relational', code.replace('i < len', 'i <= len')]);
    expect(made).toContainEqual(['off-by-one', code.replace('café[i]', 'café[i - 1]')]);
    expect(made).toContainEqual(['off-by-one', code.replace('café[i]', 'café[i + 1]')]);
    expect(made).toContainEqual(['relational', code.replace('i < len', 'i > len')]);
  });

  it('a guard returns None where the error is not about a zero or empty value, and nothing is proposed outside a function', () => {
    expect(fixes('def f(x):\n    return x.strip()\n', 2, { type: 'AttributeError', message: "'NoneType' object has no attribute 'strip'" })).toEqual([
      ['guard', 'def f(x):\n    if x is None:\n        return None\n    return x.strip()\n'],
      ['null-guard', "def f(x):\n    return (x or '').strip()\n"],
    ]);
    expect(fixes('x = y.strip()\n', 1)).toEqual([]);
  });

  it('an IndexError at a constant index of a parameter returns the empty parameter, in a function that answers with a sequence', () => {
    const index = { type: 'IndexError', message: 'list index out of range' };
    const dedupe = 'def f(lst):\n    out = [lst[0]]\n    for x in lst:\n        if x not in out:\n            out.append(x)\n    return out\n';
    expect(fixes(dedupe, 2, index).filter(([template]) => template === 'guard')[0]).toEqual([
      'guard',
      dedupe.replace('    out = [', '    if not lst:\n        return lst\n    out = ['),
    ]);
    // A function that answers a number has no empty answer, and None raises no IndexError (subscripted, it raises a TypeError).
    const top = 'def f(xs):\n    best = xs[0]\n    for x in xs:\n        best = max(best, x)\n    return best\n';
    expect(fixes(top, 2, index).filter(([template]) => template === 'guard')).toEqual([]);
    expect(fixes(top, 2, { type: 'TypeError', message: "'NoneType' object is not subscriptable" }).filter(([template]) => template === 'guard')).toEqual([
      ['guard', top.replace('    best = xs[0]', '    if xs is None:\n        return None\n    best = xs[0]')],
    ]);
    // Nor a NameError, nor a hang: an early return there only steps round the failure.
    for (const type of ['NameError', 'UnboundLocalError', 'Timeout']) expect(fixes(top, 2, { type, message: 'x' }).filter(([template]) => template === 'guard')).toEqual([]);
    const at = 'def f(xs, i):\n    out = [xs[i]]\n    return out\n';
    expect(fixes(at, 2, index).filter(([template, text]) => template === 'guard' && (text ?? '').includes('if not xs'))).toEqual([]);
  });

  it('coercion: an int where a float method is called is converted there, and only for the method the error names', () => {
    const code = 'def plain(value):\n    if value.is_integer() and abs(value) < 1e15:\n        return str(int(value))\n    return repr(value)\n';
    const error = { type: 'AttributeError', message: "'int' object has no attribute 'is_integer'" };
    expect(fixes(code, 2, error).filter(([template]) => template === 'coercion')).toEqual([['coercion', code.replace('value.is_integer()', 'float(value).is_integer()')]]);
    expect(fixes(code, 2, { ...error, message: "'int' object has no attribute 'strip'" }).filter(([template]) => template === 'coercion')).toEqual([]);
  });

  it('lands its edits in the right place past a character outside the BMP and a form feed, and never after `else:` or in a one-line def', () => {
    const rocket = 's = "🚀"\ndef f(i, xs):\n    return xs[i] / i\n';
    expect(fixes(rocket, 3, { type: 'ZeroDivisionError', message: 'division by zero' })[0]).toEqual([
      'guard',
      rocket.replace('    return xs', '    if not i:\n        return i\n    return xs'),
    ]);
    expect(fixes(rocket, 3).find(([template]) => template === 'off-by-one')).toEqual(['off-by-one', rocket.replace('xs[i]', 'xs[i - 1]')]);
    const feed = '\fimport math\ndef f(x):\n    return math.log10(x)\n';
    expect(fixes(feed, 3)[0]).toEqual(['guard', feed.replace('    return math', '    if not x:\n        return x\n    return math')]);
    expect(fixes('def f(x): return 1/x\n', 1).map(([template]) => template)).not.toContain('guard');
    expect(fixes('def f(x):\n    if x:\n        y = 1\n    else: y = 1/x\n    return y\n', 4).map(([template]) => template)).not.toContain('guard');
  });
});
