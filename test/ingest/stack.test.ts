import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatStack, normaliseFrames, parseStack, type Frame } from '../../orchestrator/ingest/stack.ts';
import { tempDir } from '../helpers/temp.ts';

const PLUGIN = 'csv-import';

/** function / file / line / column / inApp of each frame: the parts the tests compare. */
function shape(frames: Frame[]): [string | null, string, number | null, number | null, boolean][] {
  return frames.map((frame) => [frame.function, frame.file, frame.line, frame.column, frame.inApp]);
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** 1-based line and column of `needle` in a source text, where V8 and Python point. */
function position(source: string, lineText: string, needle: string): { line: number; column: number } {
  const lines = source.split('\n');
  const index = lines.findIndex((line) => line.includes(lineText));
  if (index < 0) throw new Error(`no line with ${lineText}`);
  return { line: index + 1, column: (lines[index] ?? '').indexOf(needle) + 1 };
}

const PARSE_MJS = `import { eachRow } from '../node_modules/fake-lib/index.js';

export function parseRow(row) {
  return row.value.trim();
}

export function parseAll(rows) {
  return eachRow(rows, parseRow);
}

export class Parser {
  constructor(options) {
    this.delimiter = options.delimiter.trim();
  }
}

async function load(rows) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return parseAll(rows);
}

export async function importFile(rows) {
  const parsed = await load(rows);
  return parsed;
}

export function evaluate(code) {
  return eval(code);
}
`;

const FAKE_LIB = `export function eachRow(rows, fn) {
  return rows.map((row) => fn(row));
}
`;

const LEGACY_CJS = `const config = undefined;
module.exports = config.name;
`;

const RUNNER = `import { createRequire } from 'node:module';
const plugin = await import('./plugin/src/parse.mjs');
const stacks = {};
try { plugin.parseAll([{}]); } catch (error) { stacks.sync = error.stack; }
try { new plugin.Parser({}); } catch (error) { stacks.constructor = error.stack; }
try { await plugin.importFile([{}]); } catch (error) { stacks.async = error.stack; }
try { createRequire(import.meta.url)('./plugin/src/legacy.cjs'); } catch (error) { stacks.cjs = error.stack; }
try { plugin.evaluate('(function evil() { return null.x; })()'); } catch (error) { stacks.eval = error.stack; }
process.stdout.write(JSON.stringify(stacks));
`;

interface NodeStacks {
  sync: string;
  constructor: string;
  async: string;
  cjs: string;
  eval: string;
}

/** Real Node stacks: a plugin in a working copy (`/tmp/steward-wc-XXXXXX/plugin/`) throwing five ways. */
function captureNodeStacks(): { root: string; stacks: NodeStacks } {
  const root = tempDir('steward-wc-');
  write(join(root, 'plugin/src/parse.mjs'), PARSE_MJS);
  write(join(root, 'plugin/src/legacy.cjs'), LEGACY_CJS);
  write(join(root, 'plugin/node_modules/fake-lib/index.js'), FAKE_LIB);
  write(join(root, 'run.mjs'), RUNNER);
  const output = execFileSync(process.execPath, [join(root, 'run.mjs')], { encoding: 'utf8' });
  return { root, stacks: JSON.parse(output) as NodeStacks };
}

describe('parseStack on real Node 20 stacks', () => {
  const { root, stacks } = captureNodeStacks();
  const parseRow = position(PARSE_MJS, 'return row.value.trim()', 'trim');
  const parseAll = position(PARSE_MJS, 'return eachRow(rows, parseRow)', 'eachRow');
  const rowMap = position(FAKE_LIB, 'rows.map', 'fn(row)');
  const eachRow = position(FAKE_LIB, 'rows.map', 'map');

  it('reads a synchronous stack innermost first, file:// stripped, nothing in-app before normalising', () => {
    const frames = parseStack(stacks.sync);
    expect(shape(frames).slice(0, 5)).toEqual([
      ['parseRow', `${root}/plugin/src/parse.mjs`, parseRow.line, parseRow.column, false],
      [null, `${root}/plugin/node_modules/fake-lib/index.js`, rowMap.line, rowMap.column, false],
      ['Array.map', '<anonymous>', null, null, false],
      ['eachRow', `${root}/plugin/node_modules/fake-lib/index.js`, eachRow.line, eachRow.column, false],
      ['Module.parseAll', `${root}/plugin/src/parse.mjs`, parseAll.line, parseAll.column, false],
    ]);
    expect(frames[5]?.file).toBe(`${root}/run.mjs`);
    expect(frames).toHaveLength(6);
    expect(frames[0]?.raw).toBe(`at parseRow (file://${root}/plugin/src/parse.mjs:${parseRow.line}:${parseRow.column})`);
  });

  it('relativises against the working copy and marks only the plugin’s own frames in-app', () => {
    const frames = normaliseFrames(parseStack(stacks.sync), { plugin: PLUGIN });
    expect(shape(frames)).toEqual([
      ['parseRow', 'src/parse.mjs', parseRow.line, parseRow.column, true],
      [null, 'node_modules/fake-lib/index.js', rowMap.line, rowMap.column, false],
      ['Array.map', '<anonymous>', null, null, false],
      ['eachRow', 'node_modules/fake-lib/index.js', eachRow.line, eachRow.column, false],
      ['Module.parseAll', 'src/parse.mjs', parseAll.line, parseAll.column, true],
      // The runner lies outside the plugin: it stays absolute and is not the plugin's code.
      [null, `${root}/run.mjs`, 4, expect.any(Number), false],
    ]);
    const withRoot = normaliseFrames(parseStack(stacks.sync), { plugin: 'another-plugin', pluginRoots: [join(root, 'plugin')] });
    expect(shape(withRoot)).toEqual(shape(frames));
  });

  it('names a class constructor `new Class`', () => {
    const frames = normaliseFrames(parseStack(stacks.constructor), { plugin: PLUGIN });
    const where = position(PARSE_MJS, 'options.delimiter.trim()', 'trim');
    expect(shape(frames)[0]).toEqual(['new Parser', 'src/parse.mjs', where.line, where.column, true]);
  });

  it('reads async frames with the `async` keyword dropped from the function', () => {
    const frames = normaliseFrames(parseStack(stacks.async), { plugin: PLUGIN });
    const functions = frames.map((frame) => frame.function);
    expect(functions.slice(0, 6)).toEqual(['parseRow', null, 'Array.map', 'eachRow', 'parseAll', 'load']);
    // After its first await, the caller is only known as an `async` frame (here called through the module namespace).
    const importFile = frames.find((frame) => frame.function === 'Module.importFile');
    const where = position(PARSE_MJS, 'await load(rows)', 'await');
    expect(importFile).toMatchObject({ file: 'src/parse.mjs', line: where.line, column: where.column, inApp: true });
    expect(importFile?.raw.startsWith('at async Module.importFile (')).toBe(true);
  });

  it('reads CommonJS frames (`Object.<anonymous>`) and node: internals', () => {
    const frames = normaliseFrames(parseStack(stacks.cjs), { plugin: PLUGIN });
    expect(shape(frames)[0]).toEqual(['Object.<anonymous>', 'src/legacy.cjs', 2, (LEGACY_CJS.split('\n')[1] ?? '').indexOf('name') + 1, true]);
    const internal = frames.find((frame) => frame.function === 'Module._compile');
    expect(internal?.file).toBe('node:internal/modules/cjs/loader');
    expect(internal?.line).toEqual(expect.any(Number));
    expect(internal?.inApp).toBe(false);
    expect(frames.filter((frame) => frame.file.startsWith('node:')).length).toBeGreaterThan(2);
    expect(frames.filter((frame) => frame.inApp)).toHaveLength(1);
  });

  it('places eval frames at the eval call in the plugin file', () => {
    const frames = normaliseFrames(parseStack(stacks.eval), { plugin: PLUGIN });
    const where = position(PARSE_MJS, 'return eval(code)', 'eval');
    expect(shape(frames).slice(0, 3)).toEqual([
      ['evil', 'src/parse.mjs', where.line, where.column, true],
      ['eval', 'src/parse.mjs', where.line, where.column, true],
      ['Module.evaluate', 'src/parse.mjs', where.line, where.column, true],
    ]);
  });
});

const PARSE_PY = `def parse_row(row):
    return row["value"].strip()


def parse_all(rows):
    return [parse_row(row) for row in rows]


def main():
    return parse_all([{}])
`;

const hasPython = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!hasPython)('parseStack on real Python 3 tracebacks', () => {
  it('reverses the traceback to innermost first and relativises against the plugin root', () => {
    const root = tempDir();
    const pluginDir = join(root, 'plugins', PLUGIN);
    write(join(pluginDir, 'parse.py'), PARSE_PY);
    const run = spawnSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(pluginDir)}); import parse; parse.main()`], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Traceback (most recent call last):');

    const raw = parseStack(run.stderr);
    // Python 3.11 has a frame for the list comprehension; 3.12 inlines it.
    const frames = raw.filter((frame) => frame.function !== '<listcomp>');
    expect(shape(frames)).toEqual([
      ['parse_row', `${pluginDir}/parse.py`, 2, null, false],
      ['parse_all', `${pluginDir}/parse.py`, 6, null, false],
      ['main', `${pluginDir}/parse.py`, 10, null, false],
      ['<module>', '<string>', 1, null, false],
    ]);
    expect(frames[0]?.raw).toBe(`File "${pluginDir}/parse.py", line 2, in parse_row`);

    const bySegment = normaliseFrames(frames, { plugin: PLUGIN });
    expect(shape(bySegment)).toEqual([
      ['parse_row', 'parse.py', 2, null, true],
      ['parse_all', 'parse.py', 6, null, true],
      ['main', 'parse.py', 10, null, true],
      ['<module>', '<string>', 1, null, false],
    ]);
    const byRoot = normaliseFrames(frames, { plugin: 'not-this-name', pluginRoots: [`${pluginDir}/`] });
    expect(shape(byRoot)).toEqual(shape(bySegment));
  });

  it('reads a function raised from python3 -c', () => {
    const run = spawnSync('python3', ['-c', 'def boom(value):\n    raise ValueError("bad value %r" % value)\n\nboom(3)\n'], { encoding: 'utf8' });
    expect(run.stderr).toMatch(/ValueError: bad value 3/);
    expect(shape(parseStack(run.stderr))).toEqual([
      ['boom', '<string>', 2, null, false],
      ['<module>', '<string>', 4, null, false],
    ]);
  });
});

describe('parseStack on hand-written stacks', () => {
  it('reads every Node frame form', () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'trim')",
      '    at parseRow (/srv/library/plugins/csv-import/src/parse.ts:41:18)',
      '    at /srv/library/plugins/csv-import/src/rows.ts:7:3',
      '    at async loadAll (file:///srv/library/plugins/csv-import/lib/load.mjs:12:5)',
      '    at new Reader (/srv/library/plugins/csv-import/src/reader.ts:3:11)',
      '    at Object.<anonymous> (/srv/library/plugins/csv-import/index.js:1:1)',
      '    at Array.map (native)',
      '    at new Promise (<anonymous>)',
      '    at async Promise.all (index 0)',
      '    at fn (node:internal/process/task_queues:95:5)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at eval (eval at compile (/srv/library/plugins/csv-import/src/template.js:9:14), <anonymous>:1:1)',
      '    at Papa.parse (/srv/library/plugins/csv-import/node_modules/papaparse/papaparse.js:100:20)',
      '    at parseRow (C:\\library\\plugins\\csv-import\\src\\parse.ts:41:18)',
      '    ... 4 lines matching cause stack trace ...',
      '    at least one column is required',
    ].join('\n');
    const frames = parseStack(stack);
    expect(shape(frames)).toEqual([
      ['parseRow', '/srv/library/plugins/csv-import/src/parse.ts', 41, 18, false],
      [null, '/srv/library/plugins/csv-import/src/rows.ts', 7, 3, false],
      ['loadAll', '/srv/library/plugins/csv-import/lib/load.mjs', 12, 5, false],
      ['new Reader', '/srv/library/plugins/csv-import/src/reader.ts', 3, 11, false],
      ['Object.<anonymous>', '/srv/library/plugins/csv-import/index.js', 1, 1, false],
      ['Array.map', 'native', null, null, false],
      ['new Promise', '<anonymous>', null, null, false],
      ['Promise.all', 'index 0', null, null, false],
      ['fn', 'node:internal/process/task_queues', 95, 5, false],
      ['process.processTicksAndRejections', 'node:internal/process/task_queues', 95, 5, false],
      ['eval', '/srv/library/plugins/csv-import/src/template.js', 9, 14, false],
      ['Papa.parse', '/srv/library/plugins/csv-import/node_modules/papaparse/papaparse.js', 100, 20, false],
      ['parseRow', 'C:\\library\\plugins\\csv-import\\src\\parse.ts', 41, 18, false],
    ]);

    expect(shape(normaliseFrames(frames, { plugin: PLUGIN }))).toEqual([
      ['parseRow', 'src/parse.ts', 41, 18, true],
      [null, 'src/rows.ts', 7, 3, true],
      ['loadAll', 'lib/load.mjs', 12, 5, true],
      ['new Reader', 'src/reader.ts', 3, 11, true],
      ['Object.<anonymous>', 'index.js', 1, 1, true],
      ['Array.map', 'native', null, null, false],
      ['new Promise', '<anonymous>', null, null, false],
      ['Promise.all', 'index 0', null, null, false],
      ['fn', 'node:internal/process/task_queues', 95, 5, false],
      ['process.processTicksAndRejections', 'node:internal/process/task_queues', 95, 5, false],
      ['eval', 'src/template.js', 9, 14, true],
      ['Papa.parse', 'node_modules/papaparse/papaparse.js', 100, 20, false],
      ['parseRow', 'src/parse.ts', 41, 18, true],
    ]);
  });

  it('relativises against explicit roots, the library layout and a working copy', () => {
    const frames = parseStack(
      [
        'Error: x',
        '    at a (/srv/library/plugins/csv-import/src/a.ts:1:2)',
        '    at b (/tmp/steward-wc-AbC123/plugin/src/b.ts:3:4)',
        '    at c (file:///tmp/steward-wc-AbC123/plugin/lib/c.mjs:5:6)',
        '    at d (/srv/library/plugins/json-export/src/d.ts:7:8)',
        '    at e (/opt/app/src/e.ts:9:10)',
        '    at f (/tmp/steward-wc-AbC123/plugin/node_modules/left-pad/index.js:11:12)',
        '    at g (/home/ci/plugins/csv-import/build/plugins/csv-import/src/g.ts:13:14)',
      ].join('\n'),
    );
    const files = (options: { plugin: string; pluginRoots?: readonly string[] }): [string, boolean][] => normaliseFrames(frames, options).map((frame) => [frame.file, frame.inApp]);

    expect(files({ plugin: PLUGIN })).toEqual([
      ['src/a.ts', true],
      ['src/b.ts', true],
      ['lib/c.mjs', true],
      // Another plugin's file, and a file outside any plugin, stay absolute and are not in-app.
      ['/srv/library/plugins/json-export/src/d.ts', false],
      ['/opt/app/src/e.ts', false],
      ['node_modules/left-pad/index.js', false],
      // Through the last plugin segment.
      ['src/g.ts', true],
    ]);
    // An explicit root wins over the segments, with or without its trailing slash, as a file URL too.
    expect(files({ plugin: 'json-export', pluginRoots: ['/opt/app'] }).map(([file]) => file)).toEqual([
      '/srv/library/plugins/csv-import/src/a.ts',
      'src/b.ts',
      'lib/c.mjs',
      'src/d.ts',
      'src/e.ts',
      'node_modules/left-pad/index.js',
      '/home/ci/plugins/csv-import/build/plugins/csv-import/src/g.ts',
    ]);
    expect(files({ plugin: 'x', pluginRoots: ['file:///srv/library/plugins/csv-import/'] })[0]).toEqual(['src/a.ts', true]);
    expect(files({ plugin: 'x', pluginRoots: ['/srv/library/plugins/csv'] })[0]).toEqual(['/srv/library/plugins/csv-import/src/a.ts', false]);
  });

  it('turns Windows paths and roots to forward slashes', () => {
    const frames = parseStack('Error: x\n    at parseRow (C:\\library\\plugins\\csv-import\\src\\parse.ts:41:18)\n    at other (D:\\elsewhere\\x.js:1:1)');
    expect(shape(normaliseFrames(frames, { plugin: 'x', pluginRoots: ['c:\\Library\\plugins\\csv-import'] }))).toEqual([
      ['parseRow', 'src/parse.ts', 41, 18, true],
      ['other', 'D:/elsewhere/x.js', 1, 1, false],
    ]);
  });

  it('reads Python frames and marks dependencies and the runtime out of the app', () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/srv/library/plugins/csv-import/main.py", line 12, in run',
      '    rows = load(path)',
      '  File "/srv/library/plugins/csv-import/.venv/lib/python3.11/site-packages/pandas/io/parsers.py", line 912, in read_csv',
      '    return _read(filepath_or_buffer, kwds)',
      '  File "/usr/lib/python3/dist-packages/requests/api.py", line 59, in get',
      '  File "<frozen importlib._bootstrap>", line 1176, in _find_and_load',
      '  File "/srv/library/plugins/csv-import/src/rows.py", line 4, in <lambda>',
      '    ^^^^^^^^',
      'ValueError: bad row',
    ].join('\n');
    expect(shape(normaliseFrames(parseStack(traceback), { plugin: PLUGIN }))).toEqual([
      ['<lambda>', 'src/rows.py', 4, null, true],
      ['_find_and_load', '<frozen importlib._bootstrap>', 1176, null, false],
      ['get', '/usr/lib/python3/dist-packages/requests/api.py', 59, null, false],
      ['read_csv', '.venv/lib/python3.11/site-packages/pandas/io/parsers.py', 912, null, false],
      ['run', 'main.py', 12, null, true],
    ]);
  });

  it('puts the raised exception of a chained Python traceback first', () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/srv/library/plugins/csv-import/a.py", line 1, in outer_first',
      '  File "/srv/library/plugins/csv-import/a.py", line 2, in inner_first',
      "KeyError: 'x'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/srv/library/plugins/csv-import/b.py", line 3, in outer_second',
      '  File "/srv/library/plugins/csv-import/b.py", line 4, in inner_second',
      'ValueError: y',
    ].join('\n');
    expect(parseStack(traceback).map((frame) => frame.function)).toEqual(['inner_second', 'outer_second', 'inner_first', 'outer_first']);
  });

  it('skips what is not a frame', () => {
    expect(parseStack('')).toEqual([]);
    expect(parseStack('Error: at least one row\n    at nothing here\n  File "x.py", line abc, in f\nplain text')).toEqual([]);
    expect(parseStack(`Error: x\n    at f (${'a'.repeat(10_000)}:1:2)\n    at g (src/g.ts:1:2)`).map((frame) => frame.function)).toEqual(['g']);
  });
});

describe('formatStack', () => {
  it('renders Node-style lines that parse back to the same frames', () => {
    const frames = normaliseFrames(
      parseStack(
        [
          'TypeError: bad',
          '    at parseRow (/srv/library/plugins/csv-import/src/parse.ts:41:18)',
          '    at /srv/library/plugins/csv-import/src/rows.ts:7:3',
          '    at Array.map (native)',
          '    at fn (node:internal/process/task_queues:95:5)',
        ].join('\n'),
      ),
      { plugin: PLUGIN },
    );
    const text = formatStack('TypeError', "Cannot read properties of undefined (reading 'trim')", frames);
    expect(text).toBe(
      [
        "TypeError: Cannot read properties of undefined (reading 'trim')",
        '    at parseRow (src/parse.ts:41:18)',
        '    at src/rows.ts:7:3',
        '    at Array.map (native)',
        '    at fn (node:internal/process/task_queues:95:5)',
      ].join('\n'),
    );
    expect(shape(normaliseFrames(parseStack(text), { plugin: PLUGIN }))).toEqual(shape(frames));
  });

  it('renders Python frames without a column and an empty message as the type alone', () => {
    const frames = normaliseFrames(parseStack('Traceback (most recent call last):\n  File "/srv/library/plugins/csv-import/main.py", line 12, in run\n'), {
      plugin: PLUGIN,
    });
    expect(formatStack('KeyError', '', frames)).toBe('KeyError\n    at run (main.py:12)');
    expect(formatStack('Error', 'x', [])).toBe('Error: x');
  });
});
