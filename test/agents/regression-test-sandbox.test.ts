import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCall } from '../../agents/plugin-agent/checks.ts';
import { writeRegressionTest, type RegressionTest, type ThrownError } from '../../agents/plugin-agent/test-writer/index.ts';
import { loadManifest, type Manifest } from '../../orchestrator/library/manifest.ts';
import { runPluginTests, type PluginTestRun } from '../../orchestrator/sandbox/plugin-tests.ts';
import type { TestCase } from '../../orchestrator/sandbox/results/types.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { manifestFor } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

const SOURCES = join(STEWARD_ROOT, 'evals', 'sources');
const GROUP = '9c4e1f0a7b3d5e2f8a6c4b1d0e9f7a3c';

interface Plugin {
  dir: string;
  manifest: Manifest;
}

/** Extra read-only binds and PATH for the sandboxed suite: a Python with pytest that lives outside the system directories. */
interface Toolchain {
  binds: { source: string; target: string }[];
  env: Record<string, string>;
}

const NO_TOOLCHAIN: Toolchain = { binds: [], env: {} };

function evalPlugin(name: string): Plugin {
  const dir = join(tempDir(), name);
  cpSync(join(SOURCES, name, 'plugin'), dir, { recursive: true });
  return { dir, manifest: loadManifest(dir, `${name}/plugin.json`) };
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function newPlugin(name: string, manifest: Record<string, unknown>, files: Record<string, string>): Plugin {
  const dir = join(tempDir(), name);
  writeFiles(dir, { 'plugin.json': `${JSON.stringify(manifestFor(name, manifest), null, 2)}\n`, 'AGENT.md': `# ${name}\n`, ...files });
  return { dir, manifest: loadManifest(dir, `${name}/plugin.json`) };
}

/** Makes a hand-written defect of evals/sources (the buggy code production runs); returns the fix, which restores the original. */
function applyDefect(plugin: Plugin, source: string, id: string): () => void {
  const defects = JSON.parse(readFileSync(join(SOURCES, source, 'defects.json'), 'utf8')) as {
    defects: { id: string; edits: { file: string; find: string; replace: string }[] }[];
  };
  const defect = defects.defects.find((d) => d.id === id);
  if (!defect) throw new Error(`no defect ${id}`);
  const originals = new Map<string, string>();
  for (const edit of defect.edits) {
    const file = join(plugin.dir, edit.file);
    const text = readFileSync(file, 'utf8');
    if (!originals.has(file)) originals.set(file, text);
    expect(text).toContain(edit.find);
    writeFileSync(file, text.replace(edit.find, edit.replace));
  }
  return () => originals.forEach((text, file) => writeFileSync(file, text));
}

/** The production error, as the agent's reproduction gets it: the call in the sandbox, on the buggy code. */
async function reproduce(plugin: Plugin, input: unknown): Promise<ThrownError> {
  const copy = createWorkingCopy(plugin.dir, { quotaMb: plugin.manifest.limits.diskMb });
  try {
    const check = await checkCall(plugin.manifest, copy, { op: 'execute', input }, {}, new AbortController().signal);
    if (check.ok) throw new Error('the input does not crash the plugin');
    return { type: check.error.type, message: check.error.message };
  } finally {
    copy.dispose();
  }
}

/** The plugin's own test command, sandboxed in a fresh working copy, as validate runs it. */
async function suite(plugin: Plugin, toolchain: Toolchain): Promise<PluginTestRun> {
  const copy = createWorkingCopy(plugin.dir, { quotaMb: plugin.manifest.limits.diskMb });
  copy.binds.push(...toolchain.binds);
  try {
    return await runPluginTests(plugin.manifest, copy, { env: toolchain.env });
  } finally {
    copy.dispose();
  }
}

function caseOf(run: PluginTestRun, test: RegressionTest): TestCase {
  const found = run.tests.filter((t) => t.name === test.name || t.name.endsWith(` > ${test.name}`));
  expect(found, JSON.stringify(run.tests.map((t) => t.name))).toHaveLength(1);
  return found[0] as TestCase;
}

/**
 * The regression test's whole promise: written for the reproduced input, it fails on the
 * buggy code with the production error (every other test of the plugin still passing),
 * and passes once the fix is in, with the whole suite.
 */
async function provesTheFix(
  plugin: Plugin,
  options: { input: unknown; fix: () => void; refusal?: ThrownError; toolchain?: Toolchain },
): Promise<{ test: RegressionTest; error: ThrownError; before: TestCase; after: PluginTestRun }> {
  const toolchain = options.toolchain ?? NO_TOOLCHAIN;
  const error = await reproduce(plugin, options.input);
  const test = writeRegressionTest({
    dir: plugin.dir,
    manifest: plugin.manifest,
    input: options.input,
    error,
    group: GROUP,
    ...(options.refusal ? { refusal: options.refusal } : {}),
  });
  if (!test) throw new Error('no regression test written');
  expect(readFileSync(join(plugin.dir, test.path), 'utf8')).toBe(test.text);
  const buggy = await suite(plugin, toolchain);
  expect(buggy.status, buggy.warnings.join('; ')).toBe('failed');
  const before = caseOf(buggy, test);
  expect(before.outcome).toBe('fail');
  expect(before.failure).toContain(error.message);
  expect(buggy.tests.filter((t) => t !== before && t.outcome === 'fail')).toEqual([]);
  options.fix();
  const after = await suite(plugin, toolchain);
  expect(after.status, JSON.stringify(after.tests.filter((t) => t.outcome !== 'pass'))).toBe('passed');
  expect(caseOf(after, test).outcome).toBe('pass');
  expect(after.summary.passed).toBe(buggy.summary.passed + 1);
  return { test, error, before, after };
}

/** A Python with pytest, when the machine has one: the sandbox sees only the system's, so its prefix is bound in. */
function pytestToolchain(): Toolchain | undefined {
  const probe = spawnSync('python3', ['-c', 'import sys, pytest; print(sys.executable); print(sys.base_prefix)'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const [executable = '', prefix = ''] = probe.stdout.trim().split('\n');
  const system = prefix === '/usr' || prefix === '/usr/local';
  return { binds: system ? [] : [{ source: prefix, target: prefix }], env: { PATH: `${dirname(executable)}:/usr/local/bin:/usr/bin:/bin` } };
}

describe('the regression test, run by the plugin’s own test command in the sandbox', () => {
  it('node --test, ES modules, a command that lists its files (csv-import): fails with the production TypeError, passes with the fix', async () => {
    const plugin = evalPlugin('csv-import');
    const fix = applyDefect(plugin, 'csv-import', 'csv-short-row');
    const input = { text: 'customer_id,name,email,country\nC-1001,Ada Lovelace,ada@example.com,GB\nC-1002,Grace Hopper,grace@example.com\n' };
    const { test, error } = await provesTheFix(plugin, { input, fix });
    expect(error.type).toBe('TypeError');
    expect(test.path).toBe('test/steward-regression-9c4e1f0a7b3d.test.js');
    expect(test.text).toContain("import plugin from '../src/index.js';");
    // The command names test/parse.test.js and test/plugin.test.js only: the one that imports the entry loads the new file.
    expect(test.hook?.path).toBe('test/plugin.test.js');
    expect(readFileSync(join(plugin.dir, 'test/plugin.test.js'), 'utf8').trimEnd().split('\n').pop()).toBe("import './steward-regression-9c4e1f0a7b3d.test.js';");
  });

  it('node --test through tsx, TypeScript (paginate)', async () => {
    const plugin = evalPlugin('paginate');
    const fix = applyDefect(plugin, 'paginate', 'paginate-total-zero-rejected');
    const { test, error } = await provesTheFix(plugin, { input: { total: 0, pageSize: 10 }, fix });
    expect(error).toEqual({ type: 'TypeError', message: 'either "items" or "total" is required' });
    expect(test.path).toBe('test/steward-regression-9c4e1f0a7b3d.test.ts');
    expect(test.text).toContain("import plugin from '../src/index.ts';");
    expect(test.text).toContain('const input = JSON.parse(');
    expect(test.hook?.text.trimEnd().split('\n').pop()).toBe("import './steward-regression-9c4e1f0a7b3d.test.ts';");
  });

  const reporters = [
    { format: 'tap', command: ['node', '--test', '--test-reporter=tap', 'test/'] },
    { format: 'junit', command: ['node', '--test', '--test-reporter=junit', '--test-reporter-destination=junit.xml', 'test/'], report: 'junit.xml' },
  ];
  it.each(reporters)('node --test, CommonJS, a command that names its test directory ($format): the file lands there, nothing else changes', async (spec) => {
    const plugin = newPlugin(
      'tally-cjs',
      { test: spec },
      {
        'package.json': '{ "name": "tally-cjs", "private": true }\n',
        'src/index.js':
          "'use strict';\n\nmodule.exports = {\n  name: 'tally-cjs',\n  execute(input) {\n    const tags = input.tags;\n    return { count: tags.length };\n  },\n};\n",
        'test/index.test.js':
          "const { test } = require('node:test');\nconst assert = require('node:assert');\nconst plugin = require('../src/index.js');\n\ntest('counts tags', () => {\n  assert.deepStrictEqual(plugin.execute({ tags: ['a', 'b'] }), { count: 2 });\n});\n",
      },
    );
    const fix = (): void => writeFiles(plugin.dir, { 'src/index.js': readFileSync(join(plugin.dir, 'src/index.js'), 'utf8').replace('input.tags;', 'input.tags ?? [];') });
    const { test } = await provesTheFix(plugin, { input: { note: 'no tags' }, fix });
    expect(test.hook).toBeUndefined();
    expect(test.text).toContain("const { test } = require('node:test');");
    expect(test.text).toContain("const plugin = require('../src/index.js');");
  });

  it('a refusing fix: the test expects exactly its contract error, and the plugin’s named `execute` import is used', async () => {
    const plugin = newPlugin(
      'limit-esm',
      { test: { command: ['node', '--test', '--test-reporter=tap', 'test/'], format: 'tap' } },
      {
        'package.json': '{ "name": "limit-esm", "private": true, "type": "module" }\n',
        'src/index.js': "export function execute(input) {\n  return { limit: input.options.limit };\n}\n\nexport default { name: 'limit-esm', execute };\n",
        'test/limit.test.js':
          "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { execute } from '../src/index.js';\n\ntest('reads the limit', () => {\n  assert.deepEqual(execute({ options: { limit: 3 } }), { limit: 3 });\n});\n",
      },
    );
    const refusal = { type: 'TypeError', message: 'input.options is required' };
    const fix = (): void =>
      writeFiles(plugin.dir, {
        'src/index.js': readFileSync(join(plugin.dir, 'src/index.js'), 'utf8').replace(
          '  return {',
          "  if (!input.options) throw new TypeError('input.options is required');\n  return {",
        ),
      });
    const { test } = await provesTheFix(plugin, { input: { query: 'x' }, fix, refusal });
    expect(test.text).toContain("import { execute } from '../src/index.js';");
    expect(test.text).toContain("await assert.rejects(async () => execute(input, ctx), { name: 'TypeError', message: 'input.options is required' });");
  });

  it('Python unittest through the plugin’s JUnit runner (unit-convert): the process protocol, as its protocol tests call the entry', async () => {
    const plugin = evalPlugin('unit-convert');
    const fix = applyDefect(plugin, 'unit-convert', 'unit-convert-zero-result');
    const { test, error, before } = await provesTheFix(plugin, { input: { quantity: '32F', to: 'C' }, fix });
    expect(error).toEqual({ type: 'ValueError', message: 'math domain error' });
    expect(before.failure).toContain('ValueError');
    expect(test).toMatchObject({ path: 'test/test_steward_regression_9c4e1f0a7b3d.py', runner: 'unittest', name: 'test_production_input' });
    expect(test.hook).toBeUndefined();
  });

  it('Python unittest, a refusing fix: the last stderr line must be exactly the contract error', async () => {
    const plugin = evalPlugin('unit-convert');
    applyDefect(plugin, 'unit-convert', 'unit-convert-zero-result');
    const refusal = { type: 'ConversionError', message: 'a zero result has no significant digits' };
    const convert = join(plugin.dir, 'src/convert.py');
    const fix = (): void =>
      writeFileSync(
        convert,
        readFileSync(convert, 'utf8').replace('    magnitude = math.floor', `    if x == 0:\n        raise ConversionError("${refusal.message}")\n    magnitude = math.floor`),
      );
    const { test } = await provesTheFix(plugin, { input: { value: 0, from: 'kg', to: 'lb' }, fix, refusal });
    expect(test.text).toContain('self.assertEqual((error["type"], error["message"]), ("ConversionError", "a zero result has no significant digits"), proc.stderr)');
  });

  const pytest = pytestToolchain();
  it.skipIf(!pytest)('pytest with a JUnit report, and tests that import the entry’s `execute`: the same import, a plain assert, pytest.raises for a refusal', async () => {
    const files = {
      'pytest.ini': '[pytest]\npythonpath = src\n',
      'src/main.py': [
        '#!/usr/bin/env python3',
        'import json',
        'import sys',
        'import traceback',
        '',
        '',
        'def execute(payload):',
        '    factor = payload["factor"]',
        '    return {"value": payload["value"] * factor}',
        '',
        '',
        'def main():',
        '    try:',
        '        result = execute(json.loads(sys.stdin.read())["input"])',
        '    except Exception as exc:',
        '        sys.stderr.write(json.dumps({"error": {"type": type(exc).__name__, "message": str(exc), "stack": traceback.format_exc()}}) + "\\n")',
        '        return 1',
        '    sys.stdout.write(json.dumps(result) + "\\n")',
        '    return 0',
        '',
        '',
        'if __name__ == "__main__":',
        '    sys.exit(main())',
        '',
      ].join('\n'),
      'tests/test_scale.py': 'from main import execute\n\n\ndef test_scales():\n    assert execute({"value": 2, "factor": 3}) == {"value": 6}\n',
    };
    const manifest = {
      runtime: 'python',
      entry: 'src/main.py',
      test: {
        command: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml=test-results/junit.xml', 'tests'],
        format: 'junit',
        report: 'test-results/junit.xml',
      },
    };
    const source = (plugin: Plugin): string => join(plugin.dir, 'src/main.py');

    const fixed = newPlugin('scale-py', manifest, files);
    chmodSync(source(fixed), 0o755);
    const { test } = await provesTheFix(fixed, {
      input: { value: 3 },
      fix: () => writeFileSync(source(fixed), readFileSync(source(fixed), 'utf8').replace('payload["factor"]', 'payload.get("factor", 1)')),
      toolchain: pytest,
    });
    expect(test).toMatchObject({ path: 'tests/test_steward_regression_9c4e1f0a7b3d.py', runner: 'pytest', name: 'test_steward_regression_9c4e1f0a7b3d' });
    expect(test.text).toContain('from main import execute  # noqa: E402');
    expect(test.text).toContain('    execute(INPUT)\n');

    const refused = newPlugin('scale-py', manifest, files);
    chmodSync(source(refused), 0o755);
    const refusal = { type: 'ValueError', message: 'factor is required' };
    const second = await provesTheFix(refused, {
      input: { value: 3 },
      refusal,
      fix: () =>
        writeFileSync(
          source(refused),
          readFileSync(source(refused), 'utf8').replace(
            '    factor = payload["factor"]',
            '    if "factor" not in payload:\n        raise ValueError("factor is required")\n    factor = payload["factor"]',
          ),
        ),
      toolchain: pytest,
    });
    expect(second.test.text).toContain('with pytest.raises(Exception) as raised:');
  });
});
