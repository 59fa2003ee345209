import { posix } from 'node:path';
import { fnmatch, type TestRunner } from './command.ts';
import { pythonString, pythonValue } from './literals.ts';
import { renderPytest } from './python-pytest.ts';
import { renderUnittest } from './python-unittest.ts';
import type { PluginFiles } from './plugin-files.ts';
import type { RegressionTestPlan, StyleInput } from './types.ts';

type PythonRunner = Extract<TestRunner, { kind: 'pytest' | 'unittest' | 'python-script' }>;

/** pytest's default test files; also what a unittest runner of the plugin's is checked against. */
const PYTEST_FILE = /(^|\/)(test_[^/]*|[^/]*_test)\.py$/;
const MAX_MODELS = 12;

/** What both Python styles write: the file's top, and how the test calls the plugin. */
export interface PythonParts {
  header: string;
  /** Import lines the call needs, besides the style's own. */
  imports: string[];
  /** Module-level lines after the imports: ROOT, ENTRY, the input. */
  setup: string[];
  /** How the test calls the plugin: through the process protocol, or a function of the entry module. */
  call: 'process' | 'function';
  /** The call's statement lines (process: they leave `proc`). */
  callLines: string[];
  refusal?: { type: string; message: string };
  short: string;
}

function normal(path: string): string {
  const n = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  return n === '.' ? '' : n.replace(/^\.\//, '');
}

function inside(dir: string, path: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** unittest's discovery enters only packages: each directory under the start one needs an __init__.py. */
function packagesBetween(files: PluginFiles, start: string, dir: string): boolean {
  const all = new Set(files.list());
  for (let d = dir; d !== start && d !== '' && d !== '.'; d = posix.dirname(d)) {
    if (!all.has(`${d}/__init__.py`)) return false;
  }
  return true;
}

/** Which files the runner collects, and its framework (pytest's may run unittest classes too). */
function collector(files: PluginFiles, runner: PythonRunner): { collects: (path: string) => boolean; framework: 'unittest' | 'pytest' } | string {
  if (runner.kind === 'pytest') {
    if (runner.filtered) return 'the test command selects tests by keyword or marker (-k, -m): a new test may not run';
    const dirs = runner.positionals.map(normal).filter((p) => !p.includes('::') && files.isDirectory(p));
    if (runner.positionals.length > 0 && dirs.length === 0) return `the test command names its test files one by one (${runner.positionals.join(' ')}): a new file would not run`;
    return { collects: (p) => PYTEST_FILE.test(p) && (dirs.length === 0 || dirs.some((d) => inside(d, p))), framework: 'pytest' };
  }
  if (runner.kind === 'unittest') {
    if (runner.named.length > 0) return `the test command names its test modules one by one (${runner.named.join(' ')}): a new file would not run`;
    const start = normal(runner.start ?? '');
    return {
      collects: (p) => fnmatch(runner.pattern, posix.basename(p)) && p.endsWith('.py') && inside(start, p) && packagesBetween(files, start, posix.dirname(p)),
      framework: 'unittest',
    };
  }
  // A runner script: it is trusted to run the files its pattern matches, where the plugin's tests are.
  const pattern = runner.pattern;
  return { collects: (p) => p.endsWith('.py') && fnmatch(pattern, posix.basename(p)) && PYTEST_FILE.test(p), framework: runner.framework };
}

/**
 * A unittest or pytest file, as the plugin's own tests are written: beside the test
 * that calls the entry, named so the runner collects it. It calls the entry as those
 * tests do: a function `execute` of the entry's module when they import it, else the
 * process protocol (the contract's way, what the host does).
 */
export function planPythonTest(input: StyleInput, runner: PythonRunner): RegressionTestPlan {
  const { files, manifest, short } = input;
  if (manifest.runtime !== 'python') return { ok: false, reason: `the tests are Python's, and the plugin's runtime is ${manifest.runtime}` };
  const found = collector(files, runner);
  if (typeof found === 'string') return { ok: false, reason: found };
  const { collects, framework } = found;
  const entry = normal(manifest.entry);
  const module = posix.basename(entry).replace(/\.py$/, '');
  const models: { path: string; text: string }[] = [];
  for (const path of files.list().filter(collects).slice(0, MAX_MODELS)) {
    const text = files.read(path);
    if (text !== undefined) models.push({ path, text });
  }
  const model = models.find((m) => m.text.includes(posix.basename(entry)) || new RegExp(`^\\s*(from|import)\\s+${module}\\b`, 'm').test(m.text)) ?? models[0];
  if (!model) return { ok: false, reason: 'the plugin has no Python test that its test command collects, to learn its style from' };
  const dir = posix.dirname(model.path) === '.' ? '' : posix.dirname(model.path);
  const names = [`test_steward_regression_${short}.py`, `steward_regression_${short}_test.py`];
  // The model's convention first: a `*_test.py` plugin gets a `*_test.py` file.
  if (/_test\.py$/.test(model.path)) names.reverse();
  const path = names.map((name) => (dir === '' ? name : `${dir}/${name}`)).find(collects);
  if (!path) return { ok: false, reason: `the test command would not collect a new test file in ${dir || 'the plugin root'}` };
  const style = framework === 'unittest' || /\bunittest\.TestCase\b|\(TestCase\)/.test(model.text) ? 'unittest' : 'pytest';
  const entryText = files.read(entry) ?? '';
  const importsExecute = new RegExp(`^\\s*from\\s+${module}\\s+import\\s+[^\\n]*\\bexecute\\b|^\\s*import\\s+${module}\\b`, 'm').test(model.text);
  const call = /^[A-Za-z_]\w*$/.test(module) && /^def execute\(/m.test(entryText) && importsExecute ? 'function' : 'process';
  const parts = pythonParts(input, { dir, entry, module, call });
  const text = style === 'unittest' ? renderUnittest(parts) : renderPytest(parts);
  return { ok: true, test: { path, text, runner: style, name: style === 'unittest' ? 'test_production_input' : `test_steward_regression_${short}` } };
}

function pythonParts(input: StyleInput, where: { dir: string; entry: string; module: string; call: 'process' | 'function' }): PythonParts {
  const { args, env, manifest, short } = input;
  const depth = where.dir === '' ? 0 : where.dir.split('/').length;
  const segments = where.entry.split('/').map(pythonString).join(' / ');
  const imports = ['import json', 'import sys', 'from pathlib import Path'];
  const setup = [`ROOT = Path(__file__).resolve().parents[${depth}]`];
  const callLines: string[] = [];
  if (where.call === 'function') {
    const entryDir = posix.dirname(where.entry);
    setup.push(`sys.path.insert(0, str(${entryDir === '.' ? 'ROOT' : `ROOT / ${entryDir.split('/').map(pythonString).join(' / ')}`}))`);
    setup.push(`from ${where.module} import execute  # noqa: E402`);
    setup.push('', "# The production call's input, as steward captured it.", `INPUT = ${pythonValue(args.input)}`);
    callLines.push('execute(INPUT)');
  } else {
    imports.push('import subprocess');
    setup.push(`ENTRY = ROOT / ${segments}`);
    const names = Object.keys(env);
    if (names.length > 0) {
      imports.push('import os');
      setup.push(`ENV = {${names.map((n) => `${pythonString(n)}: ${pythonString(env[n] ?? '')}`).join(', ')}}`);
    }
    setup.push("# The production call's input, as steward captured it.", `INPUT = ${pythonValue(args.input)}`);
    const argv = where.entry.endsWith('.py') ? '[sys.executable, str(ENTRY)]' : '[str(ENTRY)]';
    const timeout = Math.max(1, Math.ceil(manifest.limits.timeoutMs / 1000));
    callLines.push('request = json.dumps({"op": "execute", "input": INPUT})');
    callLines.push(
      `proc = subprocess.run(${argv}, input=request, capture_output=True, text=True, cwd=ROOT, timeout=${timeout}${names.length > 0 ? ', env={**os.environ, **ENV}' : ''})`,
    );
  }
  return { header: input.header, imports, setup, call: where.call, callLines, ...(args.refusal ? { refusal: args.refusal } : {}), short };
}

/** Import lines in the order isort would give them: plain imports, then from-imports, each alphabetical. */
export function sortedImports(lines: string[]): string[] {
  const unique = [...new Set(lines)];
  return [...unique.filter((l) => l.startsWith('import ')).sort(), ...unique.filter((l) => l.startsWith('from ')).sort()];
}
