import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateJs } from '../../agents/fixers/offline/generate-js.ts';
import { suspectSites } from '../../agents/fixers/offline/sites.ts';
import type { FixRequest } from '../../agents/fixers/types.ts';
import { tempDir } from '../helpers/temp.ts';

/** The sites of a one-file plugin, for the given in-app frames (innermost first), as `line:text`. */
function sitesOf(code: string, frames: number[], error = { type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" }): string[] {
  const dir = tempDir();
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/x.js'), code);
  const suspects = frames.map((line, i) => ({ file: 'src/x.js', line, score: 1 - i / 10, reason: `in-app frame ${i + 1}` }));
  return suspectSites({ dir, suspects, reproduction: { error } } as unknown as FixRequest).map((s) => `${s.line}:${s.statement.getText(s.sf)}`);
}

describe('the offline fixer: site ranking', () => {
  it('the loop that controls a crash is among the first five sites, even past an if', () => {
    const code = [
      'export function ids(rows) {',
      '  const out = [];',
      '  let i = 0;',
      '  while (i <= rows.length) {',
      '    if (i % 2 === 0) {',
      '      out.push(rows[i].id);',
      '    }',
      '    i++;',
      '  }',
      '  return out;',
      '}',
      '',
    ].join('\n');
    const sites = sitesOf(code, [6]);
    expect(sites[0]).toBe('6:out.push(rows[i].id);');
    expect(sites.slice(0, 5)).toContain('4:i <= rows.length');
    expect(sites.slice(0, 5)).toContain('5:i % 2 === 0');
  });

  it("a for…of loop's iterable is a site, and where the values the line reads were last set", () => {
    const code = [
      'export function labels(items, skip) {',
      '  const names = [];',
      '  const start = skip + 1;',
      '  for (const item of items.slice(start)) {',
      '    names.push(item.label.trim());',
      '  }',
      '  return names;',
      '}',
      '',
    ].join('\n');
    const sites = sitesOf(code, [5]);
    expect(sites.slice(0, 3)).toEqual(['5:names.push(item.label.trim());', '4:items.slice(start)', '2:const names = [];']);
    expect(sites).toContain('3:const start = skip + 1;');
  });

  it("a wrong argument at the caller's call site is a site: the caller frame's call, and the function's calls in its file", () => {
    const code = [
      'function between(text, from, to) {',
      '  if (from > to) throw new RangeError(`bad range ${from}..${to}`);',
      '  return text.slice(from, to);',
      '}',
      'export function excerpt(text, start, length) {',
      '  const end = start + length;',
      '  const head = text.trim();',
      '  return between(head, end, start);',
      '}',
      '',
    ].join('\n');
    const error = { type: 'RangeError', message: 'bad range 9..4' };
    const sites = sitesOf(code, [2, 8], error);
    // The caller frame's own call comes right after its statement.
    const at = sites.indexOf('8:return between(head, end, start);');
    expect(at).toBeGreaterThan(-1);
    expect(sites[at + 1]).toBe('8:between(head, end, start)');
    // With the callee's frame alone, the calls of its function in the file are still sites.
    expect(sitesOf(code, [2], error)).toContain('8:between(head, end, start)');
  });
});

describe('the offline fixer: the order of candidates', () => {
  it('a statement-level fix at the failing line comes among the replacements of the sites below it', () => {
    const code = [
      'export function flatten(pages, width) {',
      '  const lines = [];',
      '  let total = 0;',
      '  while (pages.length) {',
      '    const page = pages[0];',
      '    for (const line of page) {',
      '      const text = line.trim().slice(0, width);',
      '      total += text.length;',
      '      lines.push(text);',
      '      pages.splice(pages.indexOf(page), 1);',
      '    }',
      '  }',
      '  return [lines, total];',
      '}',
      '',
    ].join('\n');
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/x.js'), code);
    const suspects = [{ file: 'src/x.js', line: 10, score: 1, reason: 'in-app frame 1', inApp: true }];
    const request = { dir, suspects, reproduction: { error: { type: 'RangeError', message: 'page gone' } } } as unknown as FixRequest;
    const { candidates } = generateJs(request, 60);
    const moved = code.replace('      pages.splice(pages.indexOf(page), 1);\n    }\n', '    }\n    pages.splice(pages.indexOf(page), 1);\n');
    const at = candidates.findIndex((c) => c.files['src/x.js'] === moved);
    expect(candidates[at]?.template).toBe('statement-move');
    expect(at).toBeLessThan(candidates.findLastIndex((c) => c.template === 'name-replace'));
  });
});
