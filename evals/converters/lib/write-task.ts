// Shared by the converters: turns one probed defect (buggy code, fixed code, the
// benchmark's calls and what the buggy code did on each) into an eval task, with events
// captured by running the buggy plugin through the host's own invocation path.
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invokeAll } from '../../harness/capture-events.ts';
import { capturedTest, hiddenCommand } from '../../harness/mutate/hidden-test.ts';
import { tierOf } from '../../harness/mutate/inject.ts';
import { testPlugin } from '../../harness/score.ts';
import { readPluginManifest, type EvalTask, type TaskSpec } from '../../harness/task.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const HIDDEN_INTO = 'test/hidden';

export interface Case {
  /** The plugin input: `{ args }`, or `{ function, args }` for a module with several entry points. */
  input: { args: unknown[]; function?: string };
  /** What the fixed code returned for it (as JSON carries it). */
  output: unknown;
  /** What the buggy code did in the probe: same, wrong, hang or raise:<Type>. */
  buggy: string;
}

export interface Defect {
  id: string;
  language: 'python' | 'javascript';
  title: string;
  category: string;
  /** Tier when the converter knows it; otherwise worked out from the stack and `fixLine`. */
  tier?: number;
  /** 1-based line of the fixed code's first difference, in `moduleFile`. */
  fixLine?: number;
  description: string;
  /** The names the module exports (JavaScript) or defines (Python) that inputs may call. */
  entries: string[];
  /** File name of the code under src/ (e.g. `search.py`, `hasCloseElements.js`). */
  moduleFile: string;
  buggyCode: string;
  fixedCode: string;
  cases: Case[];
  /** SOURCE.md's text. */
  source: string;
}

export type Outcome = { written: true; tier: number; events: number; silentWrong: number } | { written: false; why: string };

/**
 * Which benchmark calls the hidden tests hold: `production` (the default) the calls the
 * buggy code raises or hangs on and those it answers right; `all` also those it answers
 * wrong without raising. Those are another defect, one that sends no error event, and
 * a fix of the production error is not expected to mend it.
 */
export type HiddenScope = 'production' | 'all';

function inputSchema(entries: readonly string[]): object {
  const args = { type: 'array', description: 'Positional arguments of the function, as JSON.' };
  if (entries.length === 1) return { type: 'object', properties: { args }, required: ['args'], additionalProperties: false };
  return {
    type: 'object',
    properties: { function: { type: 'string', enum: [...entries], description: 'The function to call.' }, args },
    required: ['function', 'args'],
    additionalProperties: false,
  };
}

function manifestFor(d: Defect): object {
  const common = {
    name: d.id,
    version: '1.0.0',
    description: d.title,
  };
  const rest = {
    env: [],
    interface: { input: inputSchema(d.entries), output: { description: 'The return value of the function, as JSON.' } },
    limits: { timeoutMs: 3000, memoryMb: 256 },
    owners: ['@dev-corpus'],
  };
  if (d.language === 'python')
    return {
      ...common,
      runtime: 'python',
      entry: 'src/main.py',
      test: { command: ['python3', 'test/run_tests.py'], format: 'junit', report: 'test-results/junit.xml', timeoutMs: 60000 },
      ...rest,
      requires: { files: [], gpu: false, bins: ['python3'] },
    };
  return {
    ...common,
    runtime: 'node',
    entry: 'src/index.js',
    test: { command: ['node', '--test', '--test-reporter=tap', 'test/'], format: 'tap', timeoutMs: 30000 },
    ...rest,
    requires: { files: [], gpu: false, bins: [] },
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

function pythonMain(d: Defect): string {
  const module = d.moduleFile.replace(/\.py$/, '');
  return `#!/usr/bin/env python3
"""${d.id}: one JSON request on stdin, one JSON value on stdout (the plugin process protocol).

Failures exit 1 with a last stderr line {"error": {"type", "message", "stack"}}.
"""

import contextlib
import json
import sys
import traceback

import ${module}

ENTRIES = ${JSON.stringify(d.entries)}


def execute(payload):
    name = payload.get("function", ENTRIES[0])
    if name not in ENTRIES:
        raise ValueError(f"unknown function {name!r}")
    # Anything the code prints goes to stderr: stdout carries the one JSON result.
    with contextlib.redirect_stdout(sys.stderr):
        return getattr(${module}, name)(*payload["args"])


def handle(request):
    if not isinstance(request, dict) or "op" not in request:
        raise ValueError('expected a JSON object with an "op" field')
    if request["op"] == "execute":
        return execute(request.get("input") or {})
    if request["op"] == "help":
        return "${d.id}: call one of " + ", ".join(ENTRIES) + ' with {"args": [...]}'
    if request["op"] == "validate":
        return {"ok": True}
    raise ValueError(f"unknown op {request['op']!r}")


def main():
    try:
        raw = sys.stdin.read()
        result = handle(json.loads(raw) if raw.strip() else None)
    except Exception as exc:  # noqa: BLE001 - everything must become a protocol error line
        error = {"type": type(exc).__name__, "message": str(exc), "stack": traceback.format_exc()}
        sys.stderr.write(json.dumps({"error": error}) + "\\n")
        return 1
    sys.stdout.write(json.dumps(result) + "\\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}

function pythonVisibleTest(d: Defect, cases: readonly Case[]): string {
  const module = d.moduleFile.replace(/\.py$/, '');
  return `"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import ${module}

CASES = json.loads(${JSON.stringify(JSON.stringify(cases.map((c) => ({ input: c.input, output: c.output }))))})


class VisibleTest(unittest.TestCase):
${cases
  .map(
    (_, i) => `    def test_case_${i + 1}(self):
        case = CASES[${i}]
        fn = getattr(${module}, case["input"].get("function", ${JSON.stringify(d.entries[0])}))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])
`,
  )
  .join('\n')}

if __name__ == "__main__":
    unittest.main()
`;
}

function jsIndex(d: Defect): string {
  return `import { ${d.entries.join(', ')} } from './${d.moduleFile}';

const ENTRIES = { ${d.entries.join(', ')} };

const plugin = {
  name: '${d.id}',

  execute(input) {
    const fn = ENTRIES[input.function ?? '${d.entries[0]}'];
    if (!fn) throw new RangeError(\`unknown function \${input.function}\`);
    const result = fn(...input.args);
    return result === undefined ? null : result;
  },

  help() {
    return '${d.id}: call ${d.entries.join(', ')} with { "args": [...] }';
  },
};

export default plugin;
`;
}

function jsVisibleTest(cases: readonly Case[]): string {
  return `import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin from '../src/index.js';

// Calls from the benchmark's tests that the plugin answers correctly.
const CASES = ${JSON.stringify(
    cases.map((c) => ({ input: c.input, output: c.output })),
    null,
    2,
  )};

CASES.forEach(({ input, output }, i) => {
  test(\`benchmark call \${i + 1}\`, () => {
    assert.deepEqual(JSON.parse(JSON.stringify(plugin.execute(input))), output);
  });
});
`;
}

function agentMd(d: Defect): string {
  const run = d.language === 'python' ? 'python3 test/run_tests.py' : 'node --test test/';
  return `# ${d.id}

${d.description.trim()}

## Input / output

- input: \`{ "args": [...] }\`${d.entries.length > 1 ? ` with \`"function"\`, one of ${d.entries.map((e) => `\`${e}\``).join(', ')}` : ''}: the positional arguments of \`${d.entries.join('`, `')}\`, as JSON (tuples and lists are both JSON arrays).
- output: the function's return value, as JSON${d.language === 'javascript' ? ' (`undefined` becomes `null`)' : ''}.

## Layout

- \`src/${d.moduleFile}\`: the function${d.entries.length > 1 ? 's' : ''}.
- \`src/${d.language === 'python' ? 'main.py' : 'index.js'}\`: the plugin wrapper${d.language === 'python' ? ' (process protocol: one JSON request on stdin, one JSON value on stdout)' : ''}.

## Tests

\`\`\`
${run}
\`\`\`
`;
}

/** Writes the plugin directory for one side (buggy or fixed) of a defect. */
function writePlugin(d: Defect, dir: string, code: string, visible: readonly Case[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'plugin.json'), json(manifestFor(d)));
  writeFileSync(join(dir, 'AGENT.md'), agentMd(d));
  writeFileSync(join(dir, 'src', d.moduleFile), code.endsWith('\n') ? code : `${code}\n`);
  if (d.language === 'python') {
    writeFileSync(join(dir, 'src', 'main.py'), pythonMain(d));
    chmodSync(join(dir, 'src', 'main.py'), 0o755);
    writeFileSync(join(dir, 'test', 'run_tests.py'), readFileSync(join(HERE, 'run_tests.py'), 'utf8'));
    chmodSync(join(dir, 'test', 'run_tests.py'), 0o755);
    writeFileSync(join(dir, 'test', 'test_visible.py'), pythonVisibleTest(d, visible));
    writeFileSync(join(dir, '.gitignore'), 'test-results/\n__pycache__/\n');
  } else {
    writeFileSync(join(dir, 'package.json'), json({ name: d.id, private: true, type: 'module' }));
    writeFileSync(join(dir, 'src', 'index.js'), jsIndex(d));
    writeFileSync(join(dir, 'test', 'visible.test.js'), jsVisibleTest(visible));
  }
}

/**
 * Builds one task in a staging directory, verifies it, and moves it into the suite:
 * the buggy plugin must raise (or time out) through the host on at least one benchmark
 * call, its visible tests must pass, the hidden tests must fail on it and pass on the fix.
 */
export async function writeTask(d: Defect, suiteDir: string, stage: string, scope: HiddenScope = 'production'): Promise<Outcome> {
  const raising = d.cases.filter((c) => c.buggy === 'hang' || c.buggy.startsWith('raise:'));
  const visible = d.cases.filter((c) => c.buggy === 'same');
  if (raising.length === 0) return { written: false, why: 'wrong answer only' };
  if (visible.length === 0) return { written: false, why: 'no benchmark call passes on the buggy code (no visible test)' };
  const dir = join(stage, d.id);
  rmSync(dir, { recursive: true, force: true });
  const pluginDir = join(dir, 'plugin');
  const fixedDir = join(stage, `${d.id}.fixed`);
  writePlugin(d, pluginDir, d.buggyCode, visible);
  writePlugin(d, fixedDir, d.fixedCode, visible);
  try {
    const manifest = readPluginManifest(pluginDir, pluginDir);
    // Up to three failing calls, different errors first.
    const byKind = new Map<string, Case[]>();
    for (const c of raising) byKind.set(c.buggy, [...(byKind.get(c.buggy) ?? []), c]);
    const chosen = [...byKind.values()].flatMap((cs, i) => cs.map((c, j) => ({ c, rank: j * 10 + i }))).sort((a, b) => a.rank - b.rank);
    const events = (
      await invokeAll(
        pluginDir,
        manifest,
        chosen.slice(0, 3).map((x) => x.c.input),
        {},
      )
    ).flatMap((i) => (i.event ? [i.event] : []));
    if (events.length === 0) return { written: false, why: 'raises in the probe but not through the host' };
    const correct = await invokeAll(
      fixedDir,
      manifest,
      d.cases.map((c) => c.input),
      {},
    );
    const answered = correct.flatMap((i, at) => (i.outcome.ok ? [{ input: i.input, output: i.outcome.output, buggy: d.cases[at]?.buggy }] : []));
    if (answered.length !== d.cases.length) return { written: false, why: 'the fixed code fails on a benchmark call through the host' };
    const cases = answered.filter((c) => scope === 'all' || c.buggy !== 'wrong').map(({ input, output }) => ({ input, output }));
    const silentWrong = answered.length - cases.length;
    const hiddenDir = join(dir, 'hidden');
    mkdirSync(hiddenDir, { recursive: true });
    writeFileSync(
      join(hiddenDir, 'benchmark.test.mjs'),
      capturedTest(manifest, cases)
        .replace('// Generated by `steward eval mutate`', '// Generated by evals/converters')
        // A call that hangs fails after 5 s rather than the generated 30 s.
        .replace('timeout: 30000', 'timeout: 5000'),
    );
    const spec: TaskSpec = {
      id: d.id,
      title: d.title,
      tier: d.tier ?? (d.fixLine ? tierOf({ file: `src/${d.moduleFile}`, line: d.fixLine }, events[0]?.error.stack) : 2),
      category: d.category,
      events,
      hidden: { into: HIDDEN_INTO, command: hiddenCommand(manifest, HIDDEN_INTO), format: 'tap' },
      expect: { fix: true },
    };
    const asTask = (p: string): EvalTask => ({ spec, dir, pluginDir: p, hiddenDir, manifest, traffic: [] });
    const onFixed = await testPlugin(asTask(fixedDir), undefined, 'hidden');
    if (onFixed.hidden?.status !== 'passed') return { written: false, why: `hidden tests do not pass on the fix (${onFixed.hidden?.failed.slice(0, 2).join('; ')})` };
    const onBuggy = await testPlugin(asTask(pluginDir));
    if (onBuggy.hidden?.status === 'passed') return { written: false, why: 'hidden tests pass on the buggy code' };
    if (onBuggy.visible?.status !== 'passed' || (onBuggy.visible.failed.length ?? 0) > 0)
      return { written: false, why: `visible tests fail on the buggy code (${onBuggy.visible?.failed.slice(0, 2).join('; ') || onBuggy.visible?.warnings.join('; ')})` };
    writeFileSync(join(dir, 'task.json'), json(spec));
    const scoped =
      silentWrong > 0
        ? `\n${silentWrong} of the ${answered.length} benchmark calls are not among the hidden tests: the buggy code answers them wrong without raising, a defect that sends no error event (\`convert.ts --hidden all\` keeps them).\n`
        : '';
    writeFileSync(join(dir, 'SOURCE.md'), `${d.source}${scoped}`);
    const target = join(suiteDir, d.id);
    rmSync(target, { recursive: true, force: true });
    cpSync(dir, target, { recursive: true });
    return { written: true, tier: spec.tier, events: events.length, silentWrong };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(fixedDir, { recursive: true, force: true });
  }
}
