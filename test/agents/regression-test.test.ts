import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRegressionTest, regressionTestFiles, writeRegressionTest, type RegressionTestArgs } from '../../agents/plugin-agent/test-writer/index.ts';
import { fnmatch, readTestCommand } from '../../agents/plugin-agent/test-writer/command.ts';
import { commentText, jsString, pythonString, shortId } from '../../agents/plugin-agent/test-writer/literals.ts';
import { PluginFiles } from '../../agents/plugin-agent/test-writer/plugin-files.ts';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { manifestFor } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

const GROUP = '0123456789abcdef0123456789abcdef';
const ERROR = { type: 'TypeError', message: "Cannot read properties of undefined (reading 'trim')" };
const ESM_ENTRY = "export default {\n  name: 'p',\n  execute(input) {\n    return { text: input.text.trim() };\n  },\n};\n";
const ESM_TEST =
  "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport plugin from '../src/index.js';\n\ntest('trims', () => {\n  assert.deepEqual(plugin.execute({ text: ' a ' }), { text: 'a' });\n});\n";

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A plugin in a temp dir: the manifest's fields over manifestFor's, and its files. */
function plugin(overrides: Record<string, unknown>, files: Record<string, string>, name = 'demo'): RegressionTestArgs {
  const dir = join(tempDir(), name);
  writeFiles(dir, { 'plugin.json': `${JSON.stringify(manifestFor(name, overrides), null, 2)}\n`, ...files });
  return { dir, manifest: loadManifest(dir, `${name}/plugin.json`), input: { text: null }, error: ERROR, group: GROUP };
}

function nodeTest(command: string[]): Record<string, unknown> {
  return { test: { command, format: 'tap' } };
}

function reasonOf(args: RegressionTestArgs): string {
  const plan = planRegressionTest(args);
  if (plan.ok) throw new Error(`a test was planned: ${plan.test.path}`);
  return plan.reason;
}

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('the test command, read', () => {
  const files = (packageJson?: string): PluginFiles => {
    const dir = tempDir();
    if (packageJson) writeFileSync(join(dir, 'package.json'), packageJson);
    writeFiles(dir, { 'test/run_tests.py': readFileSync(join(STEWARD_ROOT, 'evals/sources/unit-convert/plugin/test/run_tests.py'), 'utf8') });
    return new PluginFiles(dir);
  };

  it('node --test and tsx --test: options and their values skipped, the paths kept, name filters noticed', () => {
    expect(readTestCommand(['node', '--import', 'tsx', '--test', '--test-reporter', 'tap', 'test/a.test.ts'], files())).toEqual({
      kind: 'node-test',
      program: 'node',
      positionals: ['test/a.test.ts'],
      filtered: false,
    });
    expect(readTestCommand(['tsx', '--test'], files())).toMatchObject({ kind: 'node-test', program: 'tsx', positionals: [] });
    expect(readTestCommand(['node', '--test', '--test-name-pattern=fast', 'test/'], files())).toMatchObject({ filtered: true });
    expect(readTestCommand(['node', 'test/run.js'], files())).toMatchObject({ kind: 'unknown' });
  });

  it('npm test: the package script when it is one plain command, not a shell line', () => {
    expect(readTestCommand(['npm', 'test'], files('{ "scripts": { "test": "node --test --test-reporter=tap test/" } }'))).toMatchObject({
      kind: 'node-test',
      positionals: ['test/'],
    });
    expect(readTestCommand(['npm', 'run', '-s', 'test'], files('{ "scripts": { "test": "node --test && eslint ." } }'))).toMatchObject({
      kind: 'unknown',
      why: expect.stringContaining('shell line'),
    });
    expect(readTestCommand(['npm', 'test'], files())).toMatchObject({ kind: 'unknown' });
  });

  it('pytest, unittest (discover and named modules) and a runner script of the plugin’s', () => {
    expect(readTestCommand(['python3', '-m', 'pytest', '-q', '--junitxml', 'r.xml', 'tests'], files())).toEqual({ kind: 'pytest', positionals: ['tests'], filtered: false });
    expect(readTestCommand(['pytest', '-k', 'slow'], files())).toMatchObject({ kind: 'pytest', filtered: true });
    expect(readTestCommand(['python3', '-B', '-m', 'unittest', 'discover', '-s', 'tests', '-p', '*_test.py'], files())).toEqual({
      kind: 'unittest',
      start: 'tests',
      pattern: '*_test.py',
      named: [],
    });
    expect(readTestCommand(['python3', '-m', 'unittest'], files())).toEqual({ kind: 'unittest', pattern: 'test*.py', named: [] });
    expect(readTestCommand(['python3', '-m', 'unittest', 'tests.test_a'], files())).toMatchObject({ named: ['tests.test_a'] });
    expect(readTestCommand(['python3', 'test/run_tests.py'], files())).toEqual({ kind: 'python-script', script: 'test/run_tests.py', framework: 'unittest', pattern: 'test_*.py' });
    expect(readTestCommand(['bash', 'test/run.sh'], files())).toMatchObject({ kind: 'unknown' });
  });

  it('fnmatch as unittest matches file names', () => {
    expect(fnmatch('test*.py', 'test_steward_regression_x.py')).toBe(true);
    expect(fnmatch('*_test.py', 'test_x.py')).toBe(false);
    expect(fnmatch('test_[a-c]?.py', 'test_b1.py')).toBe(true);
    expect(fnmatch('test_[!a].py', 'test_a.py')).toBe(false);
  });
});

describe('where the test goes, and in which style', () => {
  it('a directory the command names: the file lands beside the test that imports the entry, nothing else changes', () => {
    const args = plugin(nodeTest(['node', '--test', 'test/']), {
      'package.json': '{ "type": "module" }',
      'src/index.js': ESM_ENTRY,
      'test/a/index.test.js': ESM_TEST.replace(/\.\.\/src/g, '../../src'),
    });
    const written = writeRegressionTest(args);
    expect(written).toMatchObject({ path: 'test/a/steward-regression-0123456789ab.test.js', runner: 'node --test' });
    expect(written?.hook).toBeUndefined();
    expect(written?.text).toContain("import plugin from '../../src/index.js';");
    expect(regressionTestFiles(written!)).toEqual({ [written!.path]: written!.text });
  });

  it('no path in the command: Node’s own search finds a *.test.js file', () => {
    const args = plugin(nodeTest(['node', '--test']), { 'package.json': '{ "type": "module" }', 'src/index.js': ESM_ENTRY, 'test/index.test.js': ESM_TEST });
    expect(planRegressionTest(args)).toMatchObject({ ok: true, test: { path: 'test/steward-regression-0123456789ab.test.js' } });
  });

  it('a glob: the name follows the plugin’s convention (.spec.js) so the glob matches it', () => {
    const args = plugin(nodeTest(['node', '--test', 'spec/**/*.spec.js']), { 'package.json': '{ "type": "module" }', 'src/index.js': ESM_ENTRY, 'spec/index.spec.js': ESM_TEST });
    const plan = planRegressionTest(args);
    expect(plan).toMatchObject({ ok: true, test: { path: 'spec/steward-regression-0123456789ab.spec.js' } });
    expect(plan.ok && plan.test.hook).toBeFalsy();
  });

  it('listed files: one line at the end of the listed test that imports the entry loads the new file, once however often it is written', () => {
    const args = plugin(nodeTest(['node', '--test', 'test/other.test.js', 'test/index.test.js']), {
      'package.json': '{ "type": "module" }',
      'src/index.js': ESM_ENTRY,
      'test/other.test.js': "import { test } from 'node:test';\ntest('nothing', () => {});\n",
      'test/index.test.js': ESM_TEST,
    });
    writeRegressionTest(args);
    const hooked = writeRegressionTest(args);
    expect(hooked?.hook?.path).toBe('test/index.test.js');
    const text = readFileSync(join(args.dir, 'test/index.test.js'), 'utf8');
    expect(text.startsWith(ESM_TEST)).toBe(true);
    expect(text.match(/import '\.\/steward-regression-0123456789ab\.test\.js';/g)).toHaveLength(1);
    expect(text.slice(ESM_TEST.length)).toBe(
      "// steward's regression test for error group 0123456789ab: the test command lists its files, so this one loads it.\nimport './steward-regression-0123456789ab.test.js';\n",
    );
    expect(regressionTestFiles(hooked!)).toEqual({ [hooked!.path]: hooked!.text, 'test/index.test.js': text });
  });

  it('CommonJS: require as the tests do, a named `execute` when they destructure it, and `await import()` for an ES module entry', () => {
    const named = plugin(nodeTest(['node', '--test', 'test/']), {
      'src/index.js': "module.exports = { name: 'p', execute(input) { return { n: input.items.length }; } };\n",
      'test/index.test.js': "const test = require('node:test');\nconst { execute } = require('../src/index.js');\ntest('n', () => execute({ items: [] }));\n",
    });
    const text = (planRegressionTest(named) as { test: { text: string } }).test.text;
    expect(text).toContain("const { test } = require('node:test');");
    expect(text).toContain("const { execute } = require('../src/index.js');");
    expect(text).toContain('  await execute(input, ctx);');

    const esmEntry = plugin(
      { ...nodeTest(['node', '--test', 'test/']), entry: 'src/index.mjs' },
      { 'src/index.mjs': ESM_ENTRY, 'test/helpers.test.js': "const test = require('node:test');\ntest('nothing', () => {});\n" },
    );
    const dynamic = planRegressionTest(esmEntry);
    expect(dynamic.ok && dynamic.test.text).toContain("  const { default: plugin } = await import('../src/index.mjs');\n  await plugin.execute(input, ctx);");
  });

  it('calls init and validate first when the plugin has them, as the host does', () => {
    const args = plugin(nodeTest(['node', '--test', 'test/']), {
      'package.json': '{ "type": "module" }',
      'src/index.js': ESM_ENTRY.replace('  execute(', '  init(ctx) {},\n  async validate(ctx) {},\n  execute('),
      'test/index.test.js': ESM_TEST,
    });
    const plan = planRegressionTest(args);
    expect(plan.ok && plan.test.text).toContain('  await plugin.init?.(ctx);\n  await plugin.validate?.(ctx);\n  await plugin.execute(input, ctx);');
  });

  it('only the manifest’s variables reach ctx.env, and a secret only as steward’s placeholder', () => {
    const args = plugin(
      {
        ...nodeTest(['node', '--test', 'test/']),
        env: [
          { name: 'API_TOKEN', required: true, secret: true },
          { name: 'REGION', required: true },
        ],
      },
      { 'package.json': '{ "type": "module" }', 'src/index.js': ESM_ENTRY, 'test/index.test.js': ESM_TEST },
    );
    const plan = planRegressionTest({ ...args, env: { API_TOKEN: 'sk-live-very-secret', REGION: 'eu-west-1', HOME: '/root' } });
    const text = plan.ok ? plan.test.text : '';
    expect(text).not.toContain('sk-live-very-secret');
    expect(text).not.toContain('/root');
    expect(text).toContain('"API_TOKEN": "steward-placeholder-api_token"');
    expect(text).toContain('"REGION": "eu-west-1"');
  });

  it('Python: unittest discovery enters packages only; pytest names; the `*_test.py` convention', () => {
    const python = { runtime: 'python', entry: 'main.py' };
    const unittestTest = 'import unittest\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        pass\n';
    const noPackage = plugin({ ...python, test: { command: ['python3', '-m', 'unittest'], format: 'exit-code' } }, { 'main.py': '', 'tests/test_a.py': unittestTest });
    expect(reasonOf(noPackage)).toMatch(/no Python test that its test command collects/);
    const packaged = plugin(
      { ...python, test: { command: ['python3', '-m', 'unittest'], format: 'exit-code' } },
      { 'main.py': '', 'tests/__init__.py': '', 'tests/test_a.py': unittestTest },
    );
    expect(planRegressionTest(packaged)).toMatchObject({ ok: true, test: { path: 'tests/test_steward_regression_0123456789ab.py', runner: 'unittest' } });
    const suffix = plugin(
      { ...python, test: { command: ['python3', '-m', 'pytest', 'tests'], format: 'exit-code' } },
      { 'main.py': '', 'tests/a_test.py': 'def test_a():\n    pass\n' },
    );
    const plan = planRegressionTest(suffix);
    expect(plan).toMatchObject({ ok: true, test: { path: 'tests/steward_regression_0123456789ab_test.py', runner: 'pytest', name: 'test_steward_regression_0123456789ab' } });
    expect(plan.ok && plan.test.text).toContain('ROOT = Path(__file__).resolve().parents[1]\nENTRY = ROOT / "main.py"');
  });
});

describe('a call that hung', () => {
  const HANG = { type: 'Timeout', message: 'did not finish within the time limit' };
  const loop = (exportLine: string) =>
    `${exportLine} {\n  name: 'p',\n  execute(input) {\n    let n = 0;\n    while (n < input.to) n += input.step;\n    return { n };\n  },\n};\n`;

  /** The written test run by node --test in the plugin: its exit status and TAP output. */
  const runIt = (dir: string, path: string) => spawnSync(process.execPath, ['--test', '--test-reporter=tap', path], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

  it('runs the call in a worker stopped at the time limit: the test fails on a synchronous loop, and passes once the loop ends', () => {
    for (const style of ['esm', 'cjs'] as const) {
      const esm = style === 'esm';
      const args = plugin(
        { ...nodeTest(['node', '--test', 'test/']), limits: { timeoutMs: 1000 } },
        {
          'package.json': esm ? '{ "type": "module" }' : '{ "type": "commonjs" }',
          'src/index.js': loop(esm ? 'export default' : 'module.exports ='),
          'test/index.test.js': esm
            ? ESM_TEST
            : "const { test } = require('node:test');\nconst plugin = require('../src/index.js');\ntest('loads', () => plugin.execute({ to: 1, step: 1 }));\n",
        },
        `hang-${style}`,
      );
      const written = writeRegressionTest({ ...args, input: { to: 5, step: 0 }, error: HANG });
      expect(written?.text).toContain('new Worker(WORKER');
      const failing = runIt(args.dir, written!.path);
      expect(failing.status, failing.stdout).not.toBe(0);
      expect(failing.stdout).toContain('did not finish within the time limit (1000 ms)');
      // The same test on a plugin whose loop ends.
      writeFileSync(join(args.dir, 'src/index.js'), loop(esm ? 'export default' : 'module.exports =').replace('n += input.step', 'n += input.step || 1'));
      const passing = runIt(args.dir, written!.path);
      expect(passing.status, passing.stdout).toBe(0);
      expect(passing.stdout).toContain('ok 1 - steward regression');
    }
  });

  it('an error thrown in the worker fails the test with that error', () => {
    const args = plugin(nodeTest(['node', '--test', 'test/']), {
      'package.json': '{ "type": "module" }',
      'src/index.js': "export default {\n  name: 'p',\n  execute(input) {\n    throw new RangeError(`bad ${input.to}`);\n  },\n};\n",
      'test/index.test.js': ESM_TEST,
    });
    const written = writeRegressionTest({ ...args, input: { to: 5 }, error: HANG });
    const run = runIt(args.dir, written!.path);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('RangeError: bad 5');
  });
});

describe('when no test is written, and why', () => {
  it('a command plugin’s bash test script: no style steward writes; nothing is written', () => {
    const dir = join(tempDir(), 'log-summary');
    cpSync(join(STEWARD_ROOT, 'evals/sources/log-summary/plugin'), dir, { recursive: true });
    const args = { dir, manifest: loadManifest(dir, 'log-summary/plugin.json'), input: { text: '{}' }, error: ERROR, group: GROUP };
    const before = listing(dir);
    expect(reasonOf(args)).toBe('`bash test/run.sh` is not a test runner steward writes tests for (node --test, pytest, unittest)');
    expect(writeRegressionTest(args)).toBeUndefined();
    expect(listing(dir)).toEqual(before);
  });

  it('says why for each case it cannot serve', () => {
    const files = { 'package.json': '{ "type": "module" }', 'src/index.js': ESM_ENTRY, 'test/index.test.js': ESM_TEST };
    expect(reasonOf(plugin(nodeTest(['node', '--test', '--test-name-pattern', 'fast', 'test/']), files))).toMatch(/selects tests by name/);
    expect(reasonOf({ ...plugin(nodeTest(['node', '--test', 'test/']), files), error: { type: 'OutputSchemaViolation', message: 'output does not match' } })).toMatch(
      /breaks interface.output/,
    );
    expect(reasonOf({ ...plugin(nodeTest(['node', '--test', 'test/']), files), input: { text: 'x'.repeat(200_000) } })).toMatch(/too large/);
    // Node's search of a directory looks for JavaScript: a TypeScript file there would never run.
    const ts = plugin(
      { ...nodeTest(['node', '--import', 'tsx', '--test', 'test/']), entry: 'src/index.ts' },
      { 'src/index.ts': ESM_ENTRY, 'test/index.test.ts': ESM_TEST.replace('index.js', 'index.ts') },
    );
    expect(reasonOf(ts)).toMatch(/would not run a new test file in test/);
    expect(reasonOf(plugin(nodeTest(['node', '--test', 'test/']), { 'src/index.js': ESM_ENTRY }))).toMatch(/no test file to learn its style from/);
    const pythonRuntime = plugin({ runtime: 'python', entry: 'main.py', ...nodeTest(['node', '--test', 'test/']) }, { 'main.py': '', 'test/index.test.js': ESM_TEST });
    expect(reasonOf(pythonRuntime)).toMatch(/runtime is python/);
    const listedPy = plugin(
      { runtime: 'python', entry: 'main.py', test: { command: ['python3', '-m', 'pytest', 'tests/test_a.py'], format: 'exit-code' } },
      { 'main.py': '', 'tests/test_a.py': '' },
    );
    expect(reasonOf(listedPy)).toMatch(/names its test files one by one/);
  });
});

describe('production data in the file', () => {
  const hostile = {
    quote: `'"\`\${process.exit(7)}\\`,
    comment: '*/ process.exit(7); /*',
    lines: 'a\nb\r\nc\u2028d\u2029e',
    hidden: 'admin\u202e\u2066\u200b\ufeffx',
    control: '\u0000\u0007\u007f\u0085',
    python: '""" + __import__("os")._exit(7) + """ \\N{BULLET} \'\'\'',
    astral: '😀 \u{10fffd}',
    lone: '\ud800x\udc00',
    __proto__x: [null, true, 1.5e300, -0, { nested: '</script>' }],
  };
  const input = JSON.parse(`{"__proto__": {"polluted": true}, "data": ${JSON.stringify(hostile)}}`) as unknown;
  /** What must never be raw in a generated file: line and paragraph separators, bidi and zero-width characters, controls, a lone surrogate. */
  const HIDDEN = ['\u2028', '\u2029', '\u202e', '\u2066', '\u200b', '\ufeff', '\u0000', '\u0007', '\u007f', '\u0085', '\ud800'];
  const error = { type: 'Type\nError # SKIP', message: 'boom\nprocess.exit(7) // """\nimport os; os._exit(7)\u2028x' };

  it('JavaScript: the test sees exactly the input (even __proto__), nothing it carries runs, and no raw line break or hidden character is in the file', () => {
    const args = plugin(nodeTest(['node', '--test', '--test-reporter=tap', 'test/']), {
      'package.json': '{ "type": "module" }',
      'expected.json': JSON.stringify(input),
      'src/index.js':
        "import assert from 'node:assert/strict';\nimport { readFileSync } from 'node:fs';\nexport default {\n  name: 'p',\n  execute(input) {\n    assert.deepStrictEqual(input, JSON.parse(readFileSync('expected.json', 'utf8')));\n    return {};\n  },\n};\n",
      'test/index.test.js': ESM_TEST,
    });
    const written = writeRegressionTest({ ...args, input, error, group: '../../etc/x\n' + GROUP });
    expect(written?.path).toBe(`test/steward-regression-etcx01234567.test.js`);
    const text = written?.text ?? '';
    expect(HIDDEN.filter((char) => text.includes(char))).toEqual([]);
    expect(text.split('\n')[0]).toBe(
      `// Steward regression test for error group ../../etc/x ${GROUP}: production failed with Type Error # SKIP: boom process.exit(7) // """ import os; os._exit(7) x`,
    );
    expect(text).toContain("test('steward regression etcx01234567: the production input no longer fails with TypeErrorSKIP'");
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', written?.path ?? ''], { cwd: args.dir, encoding: 'utf8' });
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain('ok 1 - steward regression etcx01234567');
  });

  it('Python: json.loads of an escaped literal gives exactly the input; nothing it carries runs', () => {
    const args = plugin(
      { runtime: 'python', entry: 'main.py', test: { command: ['python3', '-m', 'unittest', 'discover', '-s', 'tests'], format: 'exit-code' } },
      {
        'expected.json': JSON.stringify(input),
        'main.py':
          'import json\nimport sys\n\nrequest = json.loads(sys.stdin.read())\nif request["input"] != json.load(open("expected.json", encoding="utf-8")):\n    sys.stderr.write(json.dumps({"error": {"type": "Mismatch", "message": repr(request["input"])}}) + "\\n")\n    sys.exit(1)\nprint("{}")\n',
        'tests/test_main.py':
          'import subprocess\nimport sys\nimport unittest\n\n\nclass MainTest(unittest.TestCase):\n    def test_runs(self):\n        self.assertTrue(sys.executable)  # main.py\n',
      },
    );
    const written = writeRegressionTest({ ...args, input, error });
    expect(written?.path).toBe('tests/test_steward_regression_0123456789ab.py');
    const text = written?.text ?? '';
    expect(HIDDEN.filter((char) => text.includes(char))).toEqual([]);
    expect(text.split('\n').filter((line) => line.startsWith('#'))).toHaveLength(2);
    const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests'], { cwd: args.dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Ran 2 tests/);
  });

  it('literals: JavaScript in either quote, Python with \\U for astral characters, comments on one line', () => {
    const text = 'it\'s "x" \\ \u2028 😀';
    expect(jsString(text, "'")).toBe("'it\\'s \"x\" \\\\ \\u2028 😀'");
    expect(jsString(text)).toBe('"it\'s \\"x\\" \\\\ \\u2028 😀"');
    expect(pythonString('a"\\\u202e\u{10fffd}\ud800')).toBe('"a\\"\\\\\\u202e\\U0010fffd\\ud800"');
    expect(commentText('a\n\n b\u2028c', 4)).toBe('a b…');
    expect(shortId('---')).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('the plugin’s files are the maintainers’: links are not followed', () => {
  it('a symlinked test directory is neither read nor written through', () => {
    const outside = tempDir();
    writeFiles(outside, { 'index.test.js': ESM_TEST });
    const args = plugin(nodeTest(['node', '--test', 'test/']), { 'package.json': '{ "type": "module" }', 'src/index.js': ESM_ENTRY });
    symlinkSync(outside, join(args.dir, 'test'));
    expect(reasonOf(args)).toMatch(/no test file to learn its style from/);
    expect(writeRegressionTest(args)).toBeUndefined();
    expect(readdirSync(outside)).toEqual(['index.test.js']);
  });

  it('a link where the test file goes is refused with a typed error, and what it points at is untouched', () => {
    const outside = join(tempDir(), 'victim.js');
    writeFileSync(outside, 'untouched\n');
    const args = plugin(nodeTest(['node', '--test', 'test/']), { 'package.json': '{ "type": "module" }', 'src/index.js': ESM_ENTRY, 'test/index.test.js': ESM_TEST });
    symlinkSync(outside, join(args.dir, 'test/steward-regression-0123456789ab.test.js'));
    expect(() => writeRegressionTest(args)).toThrow(StewardError);
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');
    expect(existsSync(join(args.dir, 'test/steward-regression-0123456789ab.test.js'))).toBe(true);
  });
});
