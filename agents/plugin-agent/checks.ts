import { compileJsonSchema } from '../../orchestrator/core/json-schema.ts';
import { invokeOnce } from '../../orchestrator/host/invoke-once.ts';
import type { ThrownError } from '../../orchestrator/host/types.ts';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Library } from '../../orchestrator/library/library.ts';
import { loadManifest, type Manifest } from '../../orchestrator/library/manifest.ts';
import { runPluginTests } from '../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import type { FixRequest } from '../fixers/types.ts';

export type CallCheck = { ok: true; durationMs: number } | { ok: false; kind: string; error: ThrownError; durationMs: number };

/**
 * The reproduction's check: the captured call, in the sandbox, against a working
 * copy. It passes when the plugin neither throws nor answers outside `interface.output`.
 */
export async function checkCall(manifest: Manifest, copy: WorkingCopy, request: { op: 'execute'; input: unknown }, env: Record<string, string>, signal: AbortSignal, runtimeEnv?: Record<string, string>): Promise<CallCheck> {
  const outcome = await invokeOnce({ manifest, copy, request, env, signal, ...(runtimeEnv ? { runtimeEnv } : {}) });
  if (signal.aborted) throw new Error('stopped: the run was stopped');
  if (!outcome.ok) return { ok: false, kind: outcome.kind, error: outcome.error, durationMs: outcome.durationMs };
  const output = compileJsonSchema(manifest.interface.output);
  if (output.ok && !output.validate(outcome.output)) {
    const message = `the output breaks interface.output: ${(output.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')}`;
    return { ok: false, kind: 'contract', error: { type: 'ContractViolation', message }, durationMs: outcome.durationMs };
  }
  return { ok: true, durationMs: outcome.durationMs };
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

/**
 * Of the group's other captured inputs, those a fix is held to: the ones the original
 * fails with the reproduction's error type (the same defect), and the ones it handles
 * (a fix must not break them). One that fails another way is another defect's, and a
 * fix of this one is not to be refused for it.
 */
export async function heldCalls(manifest: Manifest, dir: string, calls: readonly Call[], errorType: string | undefined, env: Record<string, string>, signal: AbortSignal): Promise<Call[]> {
  if (calls.length === 0) return [];
  const copy = createWorkingCopy(dir);
  try {
    const held: Call[] = [];
    for (const call of calls) {
      const check = await checkCall(manifest, copy, call, env, signal);
      if (check.ok || check.error.type === errorType) held.push(call);
    }
    return held;
  } finally {
    copy.dispose();
  }
}

/** The first of `others` that fails on the copy, and how; undefined when all pass. */
export async function failingOther(manifest: Manifest, copy: WorkingCopy, others: readonly Call[], env: Record<string, string>, signal: AbortSignal): Promise<string | undefined> {
  for (const [i, other] of others.entries()) {
    let check = await checkCall(manifest, copy, other, env, signal);
    // A timeout on a busy machine is not a failure until it happens twice, as for the reproduction.
    if (!check.ok && check.kind === 'timeout') check = await checkCall(manifest, copy, other, env, signal);
    if (!check.ok) return `the group's captured input ${i + 1} of ${others.length} besides the reproduction's fails: ${check.error.type}: ${check.error.message.slice(0, 200)}`;
  }
  return undefined;
}

/**
 * The two checks a fixer runs against a working copy, as the agent runs them: the
 * reproduction (passes: no throw, output per the contract, and the same for the
 * group's other captured inputs) and the plugin's suite, each with line coverage
 * written to `coverageDir` on request (`coverageEnv`; the reproduction's call only).
 */
export function sandboxChecks(manifest: Manifest, call: Call, env: Record<string, string>, signal: AbortSignal, others: readonly Call[] = []): Pick<FixRequest, 'reproduce' | 'runTests'> {
  return {
    async reproduce(copy, options = {}) {
      const check = await checkCall(manifest, copy, call, env, signal, options.coverageDir ? coverageEnv(manifest, options.coverageDir) : undefined);
      if (!check.ok) return { passes: false, detail: `${check.error.type}: ${check.error.message}`, error: { type: check.error.type, message: check.error.message } };
      // Only a candidate that fixes the reproduction pays for the other inputs; the coverage run is of the original, which fails.
      const other = options.coverageDir ? undefined : await failingOther(manifest, copy, others, env, signal);
      return other ? { passes: false, detail: other } : { passes: true, detail: '' };
    },
    async runTests(copy, options = {}) {
      const run = await runPluginTests(manifest, copy, { signal, ...(options.coverageDir ? { env: coverageEnv(manifest, options.coverageDir) } : {}) });
      const failing = run.tests.filter((t) => t.outcome === 'fail').map((t) => `${t.name}: ${t.failure ?? ''}`.slice(0, 300));
      return { status: run.status, passed: run.summary.passed, failed: run.summary.failed, detail: [...failing, ...run.warnings].join('\n') };
    },
  };
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
  return { dir, manifest, env: sandboxEnv(env, manifest) };
}

/**
 * The plugin's declared variables as this machine has them; a secret is replaced by
 * a placeholder, so code that needs it present runs but no secret enters the sandbox.
 */
export function sandboxEnv(env: NodeJS.ProcessEnv, manifest: Manifest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const variable of manifest.env) {
    const value = env[variable.name];
    if (value !== undefined) out[variable.name] = variable.secret ? `steward-placeholder-${variable.name.toLowerCase()}` : value;
  }
  return out;
}
