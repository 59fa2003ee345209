import { compileJsonSchema } from '../../orchestrator/core/json-schema.ts';
import { invokeOnce } from '../../orchestrator/host/invoke-once.ts';
import type { ThrownError } from '../../orchestrator/host/types.ts';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Library } from '../../orchestrator/library/library.ts';
import { loadManifest, type Manifest } from '../../orchestrator/library/manifest.ts';
import { libraryReservedEnv, pluginEnv } from '../../orchestrator/library/plugin-env.ts';
import { runPluginTests } from '../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import type { ContractError, FixRequest } from '../fixers/types.ts';
import { addCoverage, readCoverage, type LineCoverage } from '../fixers/offline/spectrum.ts';
import { parseStack, type Frame } from '../../orchestrator/ingest/stack.ts';

export type CallCheck = { ok: true; output: unknown; durationMs: number } | { ok: false; kind: string; error: ThrownError; durationMs: number };

/**
 * The reproduction's check: the captured call, in the sandbox, against a working
 * copy. It passes when the plugin neither throws nor answers outside `interface.output`.
 */
export async function checkCall(
  manifest: Manifest,
  copy: WorkingCopy,
  request: { op: 'execute'; input: unknown },
  env: Record<string, string>,
  signal: AbortSignal,
  runtimeEnv?: Record<string, string>,
): Promise<CallCheck> {
  const outcome = await invokeOnce({ manifest, copy, request, env, signal, ...(runtimeEnv ? { runtimeEnv } : {}) });
  if (signal.aborted) throw new Error('stopped: the run was stopped');
  if (!outcome.ok) return { ok: false, kind: outcome.kind, error: outcome.error, durationMs: outcome.durationMs };
  const output = compileJsonSchema(manifest.interface.output);
  if (output.ok && !output.validate(outcome.output)) {
    const message = `the output breaks interface.output: ${(output.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')}`;
    return { ok: false, kind: 'contract', error: { type: 'ContractViolation', message }, durationMs: outcome.durationMs };
  }
  return { ok: true, output: outcome.output, durationMs: outcome.durationMs };
}

type Call = { op: 'execute'; input: unknown };

/** How many of the group's other captured inputs a fix is held to, besides the reproduction's. */
export const OTHER_INPUTS = 5;

/**
 * The group's other captured inputs (distinct, newest first), which a fix must also
 * handle: one that makes the reproduction pass but another production call of the
 * same error still fail, or newly fail, is a patch over one symptom.
 */
export function otherCalls(inputs: readonly unknown[], call: Call): Call[] {
  const seen = new Set([JSON.stringify(call.input)]);
  const out: Call[] = [];
  for (const input of inputs) {
    const key = JSON.stringify(input);
    if (seen.has(key) || out.length >= OTHER_INPUTS) continue;
    seen.add(key);
    out.push({ op: 'execute', input });
  }
  return out;
}

/** One of the group's other captured inputs a fix is held to, and whether the original handled it. */
export interface Held {
  call: Call;
  handled: boolean;
}

/**
 * Of the group's other captured inputs, those a fix is held to: the ones the original
 * fails with the reproduction's error type (the same defect), and the ones it handles
 * (a fix must not break them). One that fails another way is another defect's, and a
 * fix of this one is not to be refused for it.
 */
export async function heldCalls(
  manifest: Manifest,
  dir: string,
  inputs: readonly unknown[],
  call: Call,
  errorType: string | undefined,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<Held[]> {
  const calls = otherCalls(inputs, call);
  if (calls.length === 0) return [];
  const copy = createWorkingCopy(dir, { quotaMb: manifest.limits.diskMb });
  try {
    const held: Held[] = [];
    for (const other of calls) {
      const check = await checkTwice(manifest, copy, other, env, signal);
      if (check.ok || check.error.type === errorType) held.push({ call: other, handled: check.ok });
    }
    return held;
  } finally {
    copy.dispose();
  }
}

/** Whether a failure is exactly the contract error a refusing candidate adds (`Candidate.refuses`). */
function refusedAs(error: ContractError | undefined, refusal: ContractError): boolean {
  return error !== undefined && error.type === refusal.type && error.message === refusal.message;
}

/** A call's check, run again once after a timeout: on a busy machine one is not a verdict. */
async function checkTwice(manifest: Manifest, copy: WorkingCopy, call: Call, env: Record<string, string>, signal: AbortSignal): Promise<CallCheck> {
  const check = await checkCall(manifest, copy, call, env, signal);
  return !check.ok && check.kind === 'timeout' ? checkCall(manifest, copy, call, env, signal) : check;
}

/**
 * Why a changed working copy does not hold, or undefined when it does: the
 * reproduction's call succeeds (for a refusal, ends in exactly its contract error);
 * each held input the original handled still succeeds; each that failed as the
 * reproduction did succeeds too (for a refusal, or is refused the same way).
 */
export async function whyNotHeld(
  manifest: Manifest,
  copy: WorkingCopy,
  call: Call,
  others: readonly Held[],
  env: Record<string, string>,
  signal: AbortSignal,
  refusal?: ContractError,
  /** The call's check, when the caller made it already. */
  first?: CallCheck,
): Promise<string | undefined> {
  const check = first ?? (await checkCall(manifest, copy, call, env, signal));
  if (refusal) {
    if (check.ok) return `it should refuse the reproduction with ${refusal.type}: ${refusal.message}, and the call succeeds`;
    if (!refusedAs(check.error, refusal))
      return `it should refuse the reproduction with ${refusal.type}: ${refusal.message}, and it fails with ${check.error.type}: ${check.error.message.slice(0, 200)}`;
  } else if (!check.ok) {
    return `the reproduction still fails: ${check.error.type}: ${check.error.message.slice(0, 200)}`;
  }
  for (const [i, other] of others.entries()) {
    const again = await checkTwice(manifest, copy, other.call, env, signal);
    if (again.ok || (refusal && !other.handled && refusedAs(again.error, refusal))) continue;
    return `the group's captured input ${i + 1} of ${others.length} besides the reproduction's fails: ${again.error.type}: ${again.error.message.slice(0, 200)}`;
  }
  return undefined;
}

/**
 * The two checks a fixer runs against a working copy, as the agent runs them: the
 * reproduction (`whyNotHeld`: no throw, output per the contract, the group's held
 * inputs too) and the plugin's suite, each with line coverage written to
 * `coverageDir` on request (`coverageEnv`; the reproduction's call only).
 */
export function sandboxChecks(
  manifest: Manifest,
  call: Call,
  env: Record<string, string>,
  signal: AbortSignal,
  others: readonly Held[] = [],
): Pick<FixRequest, 'reproduce' | 'runTests'> {
  return {
    async reproduce(copy, options = {}) {
      // The coverage run is the original's, which fails: the reproduction's call alone.
      if (options.coverageDir) {
        const check = await checkCall(manifest, copy, call, env, signal, coverageEnv(manifest, options.coverageDir));
        return check.ok ? { passes: true, detail: '' } : { passes: false, detail: `${check.error.type}: ${check.error.message}` };
      }
      const first = await checkCall(manifest, copy, call, env, signal);
      const why = await whyNotHeld(manifest, copy, call, others, env, signal, options.refusal, first);
      const failure = first.ok ? undefined : { type: first.error.type, message: first.error.message, stack: first.error.stack };
      return { passes: why === undefined, detail: why ?? '', ...(failure ? { failure } : {}) };
    },
    async runTests(copy, options = {}) {
      const run = await runPluginTests(manifest, copy, { signal, ...(options.coverageDir ? { env: coverageEnv(manifest, options.coverageDir) } : {}) });
      const failing = run.tests.filter((t) => t.outcome === 'fail').map((t) => `${t.name}: ${t.failure ?? ''}`.slice(0, 300));
      return { status: run.status, passed: run.summary.passed, failed: run.summary.failed, detail: [...failing, ...run.warnings].join('\n') };
    },
  };
}

/**
 * The lines of the plugin's files a call runs in a copy, from the runtime's coverage,
 * and the frames of the error it ends in; undefined where no coverage could be taken
 * (another runtime, or a process killed before it wrote any).
 */
export async function callCoverage(
  manifest: Manifest,
  copy: WorkingCopy,
  call: Call,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<{ lines: LineCoverage; frames: Frame[]; ok: boolean } | undefined> {
  let frames: Frame[] = [];
  let ok = false;
  const lines = await measured(manifest, copy, async (runtimeEnv) => {
    const check = await checkCall(manifest, copy, call, env, signal, runtimeEnv);
    ok = check.ok;
    if (!check.ok) frames = parseStack(check.error.stack ?? '');
    return true;
  });
  return lines && { lines, frames, ok };
}

/** The lines of the plugin's files its suite ran in a copy (every test, and the processes they started). */
export async function suiteCoverage(manifest: Manifest, copy: WorkingCopy, signal: AbortSignal): Promise<LineCoverage | undefined> {
  // A suite that did not pass under coverage (slowed past its time on a busy machine) gives partial coverage: no evidence.
  return measured(manifest, copy, async (runtimeEnv) => (await runPluginTests(manifest, copy, { signal, env: runtimeEnv })).status === 'passed');
}

/** Runs `run` with the runtime's coverage on, and gives the union of what it covered; nothing of it stays in the copy. */
async function measured(manifest: Manifest, copy: WorkingCopy, run: (runtimeEnv: Record<string, string>) => Promise<boolean>): Promise<LineCoverage | undefined> {
  if (manifest.runtime !== 'node' && manifest.runtime !== 'python') return undefined;
  const dir = join(copy.dir, '.steward-coverage', `run-${randomUUID()}`);
  let runs: ReturnType<typeof readCoverage>;
  try {
    if (!(await run(coverageEnv(manifest, dir)))) return undefined;
    runs = readCoverage(dir, copy.dir);
  } finally {
    for (const path of [dir, `${dir}-site`]) rmSync(path, { recursive: true, force: true });
  }
  if (runs.length === 0) return undefined;
  const lines: LineCoverage = new Map();
  for (const one of runs) addCoverage(lines, one.lines);
  return lines;
}

/**
 * What makes a runtime write line coverage into `dir` (inside the working copy), per
 * test where the runtime's test runner lets us tell tests apart: for Node, V8's
 * coverage and a hook `node --test`'s processes load (NODE_OPTIONS); for Python, a
 * `sitecustomize` that runs the standard `trace` module. Each is copied beside `dir`,
 * so that the sandbox sees it without another bind.
 */
export function coverageEnv(manifest: Manifest, dir: string): Record<string, string> {
  const helpers = `${dir}-site`;
  mkdirSync(helpers, { recursive: true });
  if (manifest.runtime !== 'python') {
    const hook = join(helpers, 'per-test-hook.mjs');
    copyFileSync(NODE_HOOK, hook);
    return { NODE_V8_COVERAGE: dir, NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` };
  }
  copyFileSync(PYTHON_SITE, join(helpers, 'sitecustomize.py'));
  return { STEWARD_PY_COVERAGE: dir, PYTHONPATH: helpers };
}

const OFFLINE = join(import.meta.dirname, '..', 'fixers', 'offline');
const PYTHON_SITE = join(OFFLINE, 'python', 'line-trace', 'sitecustomize.py');
const NODE_HOOK = join(OFFLINE, 'node', 'per-test', 'hook.mjs');

/** The plugin as the sandboxed steps run it: its directory, manifest, and the environment it gets. */
export function pluginUnderFix(library: Library, plugin: string, env: NodeJS.ProcessEnv): { dir: string; manifest: Manifest; env: Record<string, string> } {
  const dir = join(library.paths.plugins, plugin);
  const manifest = loadManifest(dir, `${plugin}/plugin.json`);
  return { dir, manifest, env: pluginEnv(manifest, env, { reserved: libraryReservedEnv(library.config), placeholders: true }).env };
}
