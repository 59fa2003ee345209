/**
 * A regression test for a reproduced error group, written in the plugin's own test
 * style (its runner, module syntax, imports and layout): it calls the entry with the
 * production input as the plugin's tests do, fails now with the production error, and
 * passes once the defect is fixed (or, for a refusing fix, once the call is refused
 * with exactly that contract error).
 */
import { statSync } from 'node:fs';
import { pluginEnv } from '../../../orchestrator/library/plugin-env.ts';
import { readTestCommand } from './command.ts';
import { commentText, safeJson, shortId } from './literals.ts';
import { planNodeTest } from './node-test.ts';
import { PluginFiles } from './plugin-files.ts';
import { planPythonTest } from './python.ts';
import type { RegressionTest, RegressionTestArgs, RegressionTestPlan } from './types.ts';

export type { RegressionTest, RegressionTestArgs, RegressionTestPlan, ThrownError } from './types.ts';

/** An input larger than this (as JSON) would bury the test; a maintainer reads it. */
const MAX_INPUT_CHARS = 100_000;

/** The host's names for an answer that breaks `interface.output`: no throw to test for, and no schema validator in the plugin's tests. */
const OUTPUT_CONTRACT_ERRORS = new Set(['OutputSchemaViolation', 'ContractViolation']);

/**
 * The regression test steward would write for the plugin, or why it writes none; reads
 * the plugin (its manifest's test command, a few of its test files), writes nothing.
 */
export function planRegressionTest(args: RegressionTestArgs): RegressionTestPlan {
  const { manifest, error, refusal } = args;
  try {
    if (!statSync(args.dir).isDirectory()) return { ok: false, reason: `${args.dir} is not a directory` };
  } catch {
    return { ok: false, reason: `${args.dir} does not exist` };
  }
  if (!refusal && OUTPUT_CONTRACT_ERRORS.has(error.type)) {
    return {
      ok: false,
      reason: `the production error is an output that breaks interface.output (${error.type}), which a test in the plugin's style cannot check without a JSON Schema validator`,
    };
  }
  let json: string;
  try {
    json = safeJson(args.input);
  } catch {
    return { ok: false, reason: 'the input is not JSON data' };
  }
  if (json.length > MAX_INPUT_CHARS)
    return { ok: false, reason: `the input is ${json.length} characters of JSON, too large for a test a maintainer reads (at most ${MAX_INPUT_CHARS})` };
  const files = new PluginFiles(args.dir);
  const runner = readTestCommand(manifest.test.command, files);
  const input = {
    files,
    manifest,
    args,
    short: shortId(args.group),
    env: pluginEnv(manifest, args.env ?? {}, { placeholders: true }).env,
    header: `Steward regression test for error group ${commentText(args.group, 64)}: production failed with ${commentText(`${error.type}: ${error.message}`)}${refusal ? `; the fix refuses the call with ${commentText(refusal.type, 80)}` : ''}`,
  };
  switch (runner.kind) {
    case 'node-test':
      return planNodeTest(input, runner);
    case 'pytest':
    case 'unittest':
    case 'python-script':
      return planPythonTest(input, runner);
    default:
      return { ok: false, reason: runner.why };
  }
}

/**
 * A test file for the plugin that calls its entry with `input` the way the plugin's own
 * tests do and asserts the call does not throw (for a refusal, that it raises exactly
 * `refusal`). Written into `dir`, with the hook line when the command lists its files;
 * undefined, with nothing written, when `planRegressionTest` says why not.
 */
export function writeRegressionTest(args: RegressionTestArgs): RegressionTest | undefined {
  const plan = planRegressionTest(args);
  if (!plan.ok) return undefined;
  const files = new PluginFiles(args.dir);
  files.write(plan.test.path, plan.test.text);
  if (plan.test.hook) files.write(plan.test.hook.path, plan.test.hook.text);
  return plan.test;
}

/** The files a patch adds or changes for the test, as a candidate's `files`. */
export function regressionTestFiles(test: RegressionTest): Record<string, string> {
  return { [test.path]: test.text, ...(test.hook ? { [test.hook.path]: test.hook.text } : {}) };
}

/** The regression test among a suite's results: its runner may prefix the name with its file's and suites' (`a > b > name`). */
export function findRegressionTest<T extends { name: string }>(tests: readonly T[], name: string): T | undefined {
  return tests.find((t) => t.name === name || t.name.endsWith(` > ${name}`));
}
