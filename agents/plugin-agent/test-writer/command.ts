import { posix } from 'node:path';
import type { PluginFiles } from './plugin-files.ts';

/** What a plugin's test command runs, as far as steward can tell from its argv. */
export type TestRunner =
  | {
      kind: 'node-test';
      /** `node` or `tsx`. */
      program: string;
      /** Paths, directories and globs the command names (none: Node's default search). */
      positionals: string[];
      /** A name pattern or `--test-only` may leave a new test out. */
      filtered: boolean;
    }
  | { kind: 'pytest'; positionals: string[]; filtered: boolean }
  | {
      kind: 'unittest';
      /** discover's start directory, when the command names one. */
      start?: string;
      /** discover's file pattern (fnmatch). */
      pattern: string;
      /** Modules or files named one by one: a new file is not among them. */
      named: string[];
    }
  /** A Python script of the plugin's that runs its suite (a runner writing JUnit, say). */
  | { kind: 'python-script'; script: string; framework: 'unittest' | 'pytest'; pattern: string }
  | { kind: 'unknown'; why: string };

const NODE_VALUE_OPTIONS = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-concurrency',
  '--test-timeout',
  '--test-shard',
  '--conditions',
  '-C',
  '--env-file',
  '--input-type',
  '--watch-path',
]);

const PYTEST_VALUE_OPTIONS = new Set([
  '-k',
  '-m',
  '-c',
  '-o',
  '-p',
  '-W',
  '-r',
  '--rootdir',
  '--basetemp',
  '--junitxml',
  '--junit-xml',
  '--junit-prefix',
  '--ignore',
  '--ignore-glob',
  '--deselect',
  '--confcutdir',
  '--maxfail',
  '--tb',
  '--import-mode',
  '--durations',
  '--log-level',
  '--log-file',
  '--override-ini',
  '--config-file',
  '--cov',
  '--cov-report',
]);

const PYTHON_VALUE_FLAGS = new Set(['-W', '-X', '-Q']);

const UNITTEST_VALUE_OPTIONS = new Set(['-k', '--durations']);

/** npm's ways of saying "run the test script". */
function isNpmTest(args: string[]): boolean {
  const words = args.filter((a) => a !== '-s' && a !== '--silent');
  return (words.length === 1 && (words[0] === 'test' || words[0] === 't')) || (words.length === 2 && (words[0] === 'run' || words[0] === 'run-script') && words[1] === 'test');
}

/** Options and their values skipped, what remains; a bare `--` ends the options. */
function positionalsOf(args: string[], valueOptions: Set<string>): { positionals: string[]; options: string[] } {
  const positionals: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      options.push(arg.split('=')[0] ?? arg);
      if (!arg.includes('=') && valueOptions.has(arg)) {
        options.push(args[i + 1] ?? '');
        i++;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { positionals, options };
}

function basename(program: string): string {
  return posix.basename(program.replace(/\\/g, '/'));
}

/**
 * The runner a test command starts, read from its argv (no shell): `node --test`
 * (or `tsx --test`), pytest, `python -m unittest`, a Python runner script of the
 * plugin's, or `npm test` whose script is one of these written plainly.
 */
export function readTestCommand(argv: readonly string[], files: PluginFiles, depth = 0): TestRunner {
  const [program = '', ...args] = argv;
  const name = basename(program);
  if ((name === 'npm' || name === 'pnpm' || name === 'yarn') && isNpmTest(args) && depth === 0) {
    const script = npmTestScript(files);
    if (script === undefined) return { kind: 'unknown', why: `\`${argv.join(' ')}\` runs the package's test script, and package.json has none steward can read` };
    // Only a script of plain words: a shell line (quotes, &&, variables) is not steward's to read.
    if (!/^[\w./@:=,+-]+( +[\w./@:=,+*?{}[\]-]+)*$/.test(script.trim()))
      return { kind: 'unknown', why: `the test script "${script}" is a shell line, not one command steward can read` };
    return readTestCommand(script.trim().split(/ +/), files, depth + 1);
  }
  if (name === 'node' || name === 'nodejs' || name === 'tsx') {
    const { positionals, options } = positionalsOf(args, NODE_VALUE_OPTIONS);
    if (!options.includes('--test')) return { kind: 'unknown', why: `\`${argv.join(' ')}\` runs a script, not Node's test runner` };
    if (options.includes('-e') || options.includes('--eval') || options.includes('-p')) return { kind: 'unknown', why: `\`${argv.join(' ')}\` evaluates code` };
    const filtered = options.some((o) => o === '--test-name-pattern' || o === '--test-skip-pattern' || o === '--test-only');
    return { kind: 'node-test', program: name, positionals, filtered };
  }
  if (name === 'pytest' || name === 'py.test') return pytestRunner(args);
  if (/^python[\d.]*$/.test(name)) {
    let i = 0;
    while (i < args.length && (args[i] ?? '').startsWith('-') && args[i] !== '-m' && args[i] !== '-c') i += PYTHON_VALUE_FLAGS.has(args[i] ?? '') ? 2 : 1;
    const rest = args.slice(i);
    if (rest[0] === '-m' && rest[1] === 'pytest') return pytestRunner(rest.slice(2));
    if (rest[0] === '-m' && rest[1] === 'unittest') return unittestRunner(rest.slice(2));
    if (rest[0] === '-m' || rest[0] === '-c' || rest[0] === undefined) return { kind: 'unknown', why: `\`${argv.join(' ')}\` is not a test runner steward knows` };
    return scriptRunner(rest[0], files);
  }
  return { kind: 'unknown', why: `\`${argv.join(' ')}\` is not a test runner steward writes tests for (node --test, pytest, unittest)` };
}

function npmTestScript(files: PluginFiles): string | undefined {
  try {
    const scripts = (JSON.parse(files.read('package.json') ?? '{}') as { scripts?: Record<string, unknown> }).scripts;
    return typeof scripts?.test === 'string' ? scripts.test : undefined;
  } catch {
    return undefined;
  }
}

function pytestRunner(args: string[]): TestRunner {
  const { positionals, options } = positionalsOf(args, PYTEST_VALUE_OPTIONS);
  // A keyword or marker expression may well leave out a test it does not name.
  return { kind: 'pytest', positionals, filtered: options.includes('-k') || options.includes('-m') };
}

function unittestRunner(args: string[]): TestRunner {
  if (args[0] !== 'discover') {
    const { positionals } = positionalsOf(args, UNITTEST_VALUE_OPTIONS);
    // `python -m unittest` alone discovers from the current directory.
    return positionals.length === 0 ? { kind: 'unittest', pattern: 'test*.py', named: [] } : { kind: 'unittest', pattern: 'test*.py', named: positionals };
  }
  let start: string | undefined;
  let pattern = 'test*.py';
  const positional: string[] = [];
  const rest = args.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => inline ?? rest[++i] ?? '';
    if (flag === '-s' || flag === '--start-directory') start = value();
    else if (flag === '-p' || flag === '--pattern') pattern = value();
    else if (flag === '-t' || flag === '--top-level-directory' || flag === '-k') value();
    else if (!arg.startsWith('-')) positional.push(arg);
  }
  start ??= positional[0];
  pattern = positional[1] ?? pattern;
  return { kind: 'unittest', ...(start !== undefined ? { start } : {}), pattern, named: [] };
}

/** A runner script of the plugin's: what it runs is read from its text, the way a maintainer would. */
function scriptRunner(script: string, files: PluginFiles): TestRunner {
  const text = files.read(script);
  if (text === undefined) return { kind: 'unknown', why: `the test command runs ${script}, which steward cannot read in the plugin` };
  if (/\bpytest\.main\(/.test(text)) return { kind: 'python-script', script, framework: 'pytest', pattern: 'test_*.py' };
  if (/\bunittest\b/.test(text) && /\.discover\(|\bunittest\.main\(/.test(text)) {
    const pattern = /\bpattern\s*=\s*["']([^"']+)["']/.exec(text)?.[1] ?? 'test*.py';
    return { kind: 'python-script', script, framework: 'unittest', pattern };
  }
  return { kind: 'unknown', why: `the test command runs ${script}, which runs neither unittest's discovery nor pytest` };
}

/** fnmatch's `*`, `?` and `[…]`, as unittest matches file names against its pattern. */
export function fnmatch(pattern: string, name: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`.replace(/\\/g, '\\\\');
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(name);
}
