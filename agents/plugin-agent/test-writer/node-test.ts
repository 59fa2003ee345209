import { posix } from 'node:path';
import picomatch from 'picomatch';
import ts from 'typescript';
import { parse } from '../../fixers/offline/source.ts';
import type { TestRunner } from './command.ts';
import { jsString, jsValue, typeName } from './literals.ts';
import type { PluginFiles } from './plugin-files.ts';
import type { RegressionTestPlan, StyleInput } from './types.ts';

type NodeRunner = Extract<TestRunner, { kind: 'node-test' }>;

const JS_FILE = /\.[cm]?js$/;
const SOURCE_FILE = /\.[cm]?[jt]s$/;
/** Node's own search when the command names no path (and what it looks for inside a directory). */
const NODE_DEFAULT = /(^|\/)test\/.*\.[cm]?js$|(^|\/)[^/]*[.\-_]test\.[cm]?js$|(^|\/)test(-[^/]*)?\.[cm]?js$/;
/** Test files by the usual conventions, to learn the style from. */
const LOOKS_LIKE_TEST = /(^|\/)(test|tests|__tests__)\/.+\.[cm]?[jt]s$|[.\-_](test|spec)\.[cm]?[jt]s$/;
const GLOB = /[*?{}[\]]/;
/** Style is learnt from this many test files at most. */
const MAX_MODELS = 12;

/** How a test file gets at the plugin's entry. */
type EntryImport =
  | { kind: 'default'; spec: string }
  | { kind: 'named'; spec: string }
  | { kind: 'require'; spec: string }
  | { kind: 'require-named'; spec: string }
  /** A CommonJS test of an ES module entry: `await import()` inside the test. */
  | { kind: 'dynamic'; spec: string };

interface Model {
  path: string;
  text: string;
  syntax: 'esm' | 'cjs' | undefined;
  entry: EntryImport | undefined;
  assert: string | undefined;
  /** The quote its string literals use. */
  quote: '"' | "'" | undefined;
}

function normal(path: string): string {
  const n = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  return n === '.' ? '' : n.replace(/^\.\//, '');
}

function stripExtension(path: string): string {
  return path.replace(/\.[cm]?[jt]sx?$/, '');
}

/** Whether a relative specifier, written in a file of `fromDir`, names the entry (extension as written, swapped for TypeScript's, or left out). */
function namesEntry(spec: string, fromDir: string, entry: string): boolean {
  if (!spec.startsWith('.')) return false;
  const target = posix.normalize(posix.join(fromDir, spec));
  const wanted = posix.normalize(entry);
  return target === wanted || stripExtension(target) === stripExtension(wanted) || (target === posix.dirname(wanted) && /^index\.[cm]?[jt]s$/.test(posix.basename(wanted)));
}

function stringArgument(call: ts.CallExpression): string | undefined {
  const [first] = call.arguments;
  return first && ts.isStringLiteralLike(first) ? first.text : undefined;
}

function isRequire(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && stringArgument(node) !== undefined;
}

/** What a test file's imports say: its module syntax, how it gets the entry, which assert it uses. */
function readModel(path: string, text: string, entry: string): Model {
  const sf = parse(path, text);
  const dir = posix.dirname(path);
  let syntax: Model['syntax'] = /\.m[jt]s$/.test(path) ? 'esm' : /\.c[jt]s$/.test(path) ? 'cjs' : undefined;
  let found: EntryImport | undefined;
  let assert: string | undefined;
  let quote: Model['quote'];
  const noteQuote = (literal: ts.Node): void => {
    const char = text.charAt(literal.getStart(sf));
    if (char === '"' || char === "'") quote ??= char;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      syntax ??= 'esm';
      const spec = node.moduleSpecifier.text;
      noteQuote(node.moduleSpecifier);
      if (/^(node:)?assert(\/strict)?$/.test(spec)) assert ??= spec;
      const clause = node.importClause;
      if (clause && !clause.isTypeOnly && namesEntry(spec, dir, entry)) {
        const named = clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.some((e) => (e.propertyName ?? e.name).text === 'execute');
        // A default import (or a namespace, whose default the host uses) wins over a named `execute`.
        if (clause.name || (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings))) found ??= { kind: 'default', spec };
        else if (named) found ??= { kind: 'named', spec };
      }
    } else if ((ts.isExportAssignment(node) || ts.isExportDeclaration(node)) && node.parent === sf) {
      syntax ??= 'esm';
    } else if (ts.isVariableDeclaration(node) && node.initializer && isRequire(node.initializer)) {
      syntax ??= 'cjs';
      const spec = stringArgument(node.initializer) ?? '';
      if (node.initializer.arguments[0]) noteQuote(node.initializer.arguments[0]);
      if (/^(node:)?assert(\/strict)?$/.test(spec) && ts.isIdentifier(node.name)) assert ??= spec;
      if (namesEntry(spec, dir, entry)) {
        if (ts.isIdentifier(node.name)) found ??= { kind: 'require', spec };
        else if (ts.isObjectBindingPattern(node.name) && node.name.elements.some((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === 'execute'))
          found ??= { kind: 'require-named', spec };
      }
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = stringArgument(node);
      if (spec !== undefined && namesEntry(spec, dir, entry)) found ??= { kind: 'dynamic', spec };
    } else if (isRequire(node)) {
      syntax ??= 'cjs';
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { path, text, syntax, entry: found, assert, quote };
}

/** The nearest package.json's "type", from `dir` up to the plugin root. */
function packageType(files: PluginFiles, dir: string): 'esm' | 'cjs' {
  for (let d = dir; ; d = posix.dirname(d)) {
    const text = files.read(d === '' || d === '.' ? 'package.json' : `${d}/package.json`);
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: unknown }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (d === '' || d === '.') return 'cjs';
  }
}

/** Whether the entry is an ES module: by extension, else by its syntax, else by package.json. */
function entryIsEsm(files: PluginFiles, entry: string): boolean {
  if (/\.m[jt]s$/.test(entry)) return true;
  if (/\.c[jt]s$/.test(entry)) return false;
  const text = files.read(entry) ?? '';
  if (/^\s*export\s/m.test(text) || /^\s*import\s[^(]/m.test(text)) return true;
  if (/\bmodule\.exports\b|\bexports\.\w+\s*=/.test(text)) return false;
  return packageType(files, posix.dirname(entry)) === 'esm';
}

function relativeSpec(fromDir: string, to: string): string {
  const rel = posix.relative(fromDir, to);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The suffix the new file takes after its name: the model's (`.test.ts`, `_test.js`, `.spec.mjs`), else `.test.js`. */
function suffixLike(model: string | undefined): string {
  const match = model ? /([.\-_](?:test|spec))?(\.[cm]?[jt]s)$/.exec(posix.basename(model)) : null;
  return `${match?.[1] ?? '.test'}${match?.[2] ?? '.js'}`;
}

/**
 * A node:test file, written as the plugin's own tests are: the same module syntax, the
 * same import of the entry (default, named `execute`, `require`), in the directory of
 * the test that imports the entry, under a name the command picks up.
 */
export function planNodeTest(input: StyleInput, runner: NodeRunner): RegressionTestPlan {
  const { files, manifest, short } = input;
  if (manifest.runtime !== 'node')
    return { ok: false, reason: `the tests run on node --test, and the plugin's runtime is ${manifest.runtime}: its entry is not a module a test imports` };
  if (runner.filtered) return { ok: false, reason: 'the test command selects tests by name (--test-name-pattern, --test-skip-pattern or --test-only): a new test may not run' };
  const entry = normal(manifest.entry);
  const dirs: string[] = [];
  const globs: string[] = [];
  const listed: string[] = [];
  for (const positional of runner.positionals) {
    const path = normal(positional);
    if (GLOB.test(positional)) globs.push(path);
    else if (path === '' || files.isDirectory(path)) dirs.push(path);
    else listed.push(path);
  }
  const globMatchers = globs.map((g) => picomatch(g));
  // Node finds TypeScript files only through a glob here (its default search and directories look for JavaScript).
  const collected = (path: string): boolean =>
    globMatchers.some((matches) => matches(path)) ||
    (JS_FILE.test(path) && NODE_DEFAULT.test(path) && (runner.positionals.length === 0 || dirs.some((d) => d === '' || path.startsWith(`${d}/`))));

  const testLike = files.list().filter((p) => SOURCE_FILE.test(p) && LOOKS_LIKE_TEST.test(p) && !listed.includes(p));
  let candidates = [...listed.filter((p) => SOURCE_FILE.test(p)), ...testLike.filter(collected)];
  // Tests the command does not run still show the style (TypeScript, say), which decides whether a new file would run.
  if (candidates.length === 0) candidates = testLike;
  const models: Model[] = [];
  for (const path of candidates.slice(0, MAX_MODELS)) {
    const text = files.read(path);
    if (text !== undefined) models.push(readModel(path, text, entry));
  }
  const model = models.find((m) => m.entry) ?? models[0];
  const dir = model ? posix.dirname(model.path) : dirs[0];
  if (dir === undefined) return { ok: false, reason: 'the plugin has no test file to learn its style from, and its test command names no test directory' };
  const path = posix.join(dir === '' ? '.' : dir, `steward-regression-${short}${suffixLike(model?.path)}`);

  let hook: { path: string; text: string } | undefined;
  if (!collected(path)) {
    const family = /\.[cm]?ts$/.test(path) ? /\.[cm]?ts$/ : JS_FILE;
    const target = model && listed.includes(model.path) ? model : models.filter((m) => listed.includes(m.path) && family.test(m.path)).pop();
    if (!target) return { ok: false, reason: `the test command (${manifest.test.command.join(' ')}) would not run a new test file in ${dir || 'the plugin root'}` };
    hook = hookInto(target, path, short, target.syntax ?? packageType(files, posix.dirname(target.path)), target.quote ?? "'");
  }

  const syntax = model?.syntax ?? packageType(files, dir);
  const typescript = /\.[cm]?ts$/.test(path);
  const entryImport = importFor(files, model, dir, entry, syntax);
  const text = renderNodeTest(input, { syntax, typescript, entryImport, assert: model?.assert ?? 'node:assert/strict', quote: model?.quote ?? "'" });
  return { ok: true, test: { path, text, runner: 'node --test', name: testTitle(input), ...(hook ? { hook } : {}) } };
}

/** The model's way of getting the entry when it has one (same directory, same specifier); else the plain one for the syntax. */
function importFor(files: PluginFiles, model: Model | undefined, dir: string, entry: string, syntax: 'esm' | 'cjs'): EntryImport {
  if (model?.entry) return model.entry;
  const spec = relativeSpec(dir, entry);
  if (syntax === 'esm') return { kind: 'default', spec };
  return entryIsEsm(files, entry) ? { kind: 'dynamic', spec } : { kind: 'require', spec };
}

/** One line at the end of a listed test file that loads the new one: `node --test` runs only the files it is given. */
function hookInto(target: Model, path: string, short: string, syntax: 'esm' | 'cjs', quote: '"' | "'"): { path: string; text: string } {
  let spec = relativeSpec(posix.dirname(target.path), path);
  // A TypeScript test importing siblings as `.js` (or without extension) is matched.
  if (/\.[cm]?ts$/.test(path)) {
    const style = /from\s+['"]\.{1,2}\/[^'"]*?(\.[cm]?[jt]s)?['"]/.exec(target.text)?.[1];
    if (style === undefined) spec = stripExtension(spec);
    else if (/js$/.test(style)) spec = spec.replace(/ts$/, 'js');
  }
  const line = syntax === 'esm' ? `import ${jsString(spec, quote)};` : `require(${jsString(spec, quote)});`;
  const note = `// steward's regression test for error group ${short}: the test command lists its files, so this one loads it.`;
  const separator = target.text === '' || target.text.endsWith('\n') ? '' : '\n';
  return { path: target.path, text: target.text.includes(line) ? target.text : `${target.text}${separator}${note}\n${line}\n` };
}

function testTitle(input: StyleInput): string {
  const { args, short } = input;
  return args.refusal
    ? `steward regression ${short}: the production input is refused with ${typeName(args.refusal.type)}`
    : `steward regression ${short}: the production input no longer fails with ${typeName(args.error.type)}`;
}

function renderNodeTest(input: StyleInput, style: { syntax: 'esm' | 'cjs'; typescript: boolean; entryImport: EntryImport; assert: string; quote: '"' | "'" }): string {
  const { args, env, manifest } = input;
  const { entryImport } = style;
  const esm = style.syntax === 'esm';
  const str = (text: string): string => jsString(text, style.quote);
  const spec = str(entryImport.spec);
  const object = entryImport.kind !== 'named' && entryImport.kind !== 'require-named';
  const entryText = input.files.read(manifest.entry) ?? '';
  const lines = [`// ${input.header}`];
  lines.push(esm ? `import { test } from ${str('node:test')};` : `const { test } = require(${str('node:test')});`);
  if (!args.refusal && args.error.type === TIMEOUT) return [...lines, ...hangTest(input, style)].join('\n');
  if (args.refusal) lines.push(esm ? `import assert from ${str(style.assert)};` : `const assert = require(${str(style.assert)});`);
  if (entryImport.kind === 'default') lines.push(`import plugin from ${spec};`);
  else if (entryImport.kind === 'named') lines.push(`import { execute } from ${spec};`);
  else if (entryImport.kind === 'require') lines.push(`const plugin = require(${spec});`);
  else if (entryImport.kind === 'require-named') lines.push(`const { execute } = require(${spec});`);
  lines.push('', "// The production call's input, as steward captured it.", `const input = ${jsValue(args.input, { asParse: style.typescript })};`);
  lines.push(
    'const ctx = {',
    `  env: ${Object.keys(env).length > 0 ? jsValue(env, { indent: '  ' }) : '{}'},`,
    '  log: { debug() {}, info() {}, warn() {}, error() {} },',
    '  signal: new AbortController().signal,',
    '  workdir: process.cwd(),',
    '};',
    '',
  );
  const body: string[] = [];
  if (entryImport.kind === 'dynamic') body.push(`const { default: plugin } = await import(${spec});`);
  // As the host starts a plugin before its first call.
  if (object && /\binit\s*\(/.test(entryText)) body.push('await plugin.init?.(ctx);');
  if (object && /\bvalidate\s*\(/.test(entryText)) body.push('await plugin.validate?.(ctx);');
  const call = object ? 'plugin.execute(input, ctx)' : 'execute(input, ctx)';
  if (args.refusal) body.push(`await assert.rejects(async () => ${call}, { name: ${str(args.refusal.type)}, message: ${str(args.refusal.message)} });`);
  else body.push(`await ${call};`);
  lines.push(`test(${str(testTitle(input))}, { timeout: ${manifest.limits.timeoutMs} }, async () => {`, ...body.map((l) => `  ${l}`), '});', '');
  return lines.join('\n');
}

/** The error type steward gives a call that ran past its time limit. */
const TIMEOUT = 'Timeout';

/**
 * A call that hung: a synchronous loop blocks the test's own thread, timers included,
 * so the call runs in a worker thread that is stopped at the plugin's time limit
 * (counted from when the plugin is loaded), and the test fails with the same error.
 */
function hangTest(input: StyleInput, style: { syntax: 'esm' | 'cjs'; entryImport: EntryImport; quote: '"' | "'" }): string[] {
  const { args, env, manifest } = input;
  const str = (text: string): string => jsString(text, style.quote);
  const esm = style.syntax === 'esm';
  const spec = str(style.entryImport.spec);
  const limit = manifest.limits.timeoutMs;
  const worker = [
    "const { parentPort, workerData } = require('node:worker_threads');",
    '(async () => {',
    '  const module = await import(workerData.url);',
    '  const plugin = module.default ?? module;',
    '  const ctx = { env: workerData.env, log: { debug() {}, info() {}, warn() {}, error() {} }, signal: new AbortController().signal, workdir: process.cwd() };',
    '  await plugin.init?.(ctx);',
    '  await plugin.validate?.(ctx);',
    "  parentPort.postMessage('started');",
    '  await (plugin.execute ?? module.execute)(workerData.input, ctx);',
    '})().then(',
    "  () => parentPort.postMessage('done'),",
    '  (error) => parentPort.postMessage(String((error && error.stack) || error)),',
    ');',
  ].join('\n');
  return [
    esm ? `import { Worker } from ${str('node:worker_threads')};` : `const { Worker } = require(${str('node:worker_threads')});`,
    '',
    "// The production call's input, as steward captured it.",
    `const input = ${jsValue(args.input)};`,
    `const env = ${Object.keys(env).length > 0 ? jsValue(env) : '{}'};`,
    `const url = ${esm ? `new URL(${spec}, import.meta.url).href` : `require('node:url').pathToFileURL(require.resolve(${spec})).href`};`,
    '',
    "// It hung in production: a loop that never ends blocks this thread's timers, so the call runs in a worker stopped at the time limit.",
    `const WORKER = ${jsString(worker, style.quote)};`,
    '',
    `test(${str(testTitle(input))}, { timeout: ${limit + 30_000} }, async () => {`,
    '  const worker = new Worker(WORKER, { eval: true, workerData: { url, input, env } });',
    '  try {',
    '    await new Promise((resolve, reject) => {',
    '      let timer;',
    "      worker.on('error', reject);",
    "      worker.on('message', (message) => {",
    `        if (message === 'started') timer = setTimeout(() => reject(new Error('did not finish within the time limit (${limit} ms)')), ${limit});`,
    "        else if (message === 'done') resolve(undefined);",
    '        else reject(new Error(message));',
    "        if (message !== 'started') clearTimeout(timer);",
    '      });',
    '    });',
    '  } finally {',
    '    await worker.terminate();',
    '  }',
    '});',
    '',
  ];
}
