import { z } from 'zod';
import type { Manifest } from '../library/manifest.ts';
import { runSandboxed } from '../sandbox/run.ts';
import type { BackendName, SandboxSpec } from '../sandbox/types.ts';
import type { WorkingCopy } from '../sandbox/working-copy.ts';
import { stackLeadMs } from './hang.ts';
import { CALL_OUTPUT_BYTES, outcomeOf, processCall, pythonArgv } from './runtime-process.ts';
import { nodeArgv, PLUGIN_PROCESS_DIR } from './runtime-node.ts';
import type { Outcome, ThrownError } from './types.ts';

/**
 * One sandboxed call of a plugin in a working copy: the process protocol for every
 * runtime (Node plugins through the host's worker in `--once` mode), with the
 * manifest's limits. What a reproduction and its validation run.
 */
export async function invokeOnce(options: {
  manifest: Manifest;
  copy: WorkingCopy;
  request: { op: 'execute'; input: unknown };
  env: Record<string, string>;
  /** Variables for the runtime itself rather than the plugin (NODE_V8_COVERAGE, for the fixer's localisation). */
  runtimeEnv?: Record<string, string>;
  signal?: AbortSignal;
  backend?: BackendName;
}): Promise<Outcome> {
  const { manifest, copy } = options;
  const result = await runSandboxed({
    ...processCall(manifest, copy, manifest.limits.timeoutMs),
    cwd: copy.dir,
    env: { ...(manifest.runtime === 'node' ? { STEWARD_PLUGIN_ENV: JSON.stringify(options.env), NODE_ENV: 'production' } : options.env), ...options.runtimeEnv },
    stdin: JSON.stringify(options.request),
    timeoutMs: manifest.limits.timeoutMs,
    memoryMb: manifest.limits.memoryMb,
    outputLimitBytes: CALL_OUTPUT_BYTES,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  return outcomeOf(result, copy.dir);
}

/** One input's answer in a batch: the outcome of its call, or not run (the batch's time ran out first). */
export type BatchAnswer = Outcome | { ok: false; kind: 'not-run'; error: ThrownError; durationMs: 0 };

const NOT_RUN: BatchAnswer = { ok: false, kind: 'not-run', error: { type: 'NotRun', message: 'the batch ran out of time before this input' }, durationMs: 0 };

/**
 * Many `execute` calls of one plugin in a working copy, within `totalMs`: a Node plugin
 * in one sandboxed process (its `--batch` mode, as the long-lived host serves calls), a
 * Python one in one sandboxed process that forks a child per call, a command plugin one
 * sandboxed process per call, `parallel` at a time. Each call
 * is capped at `perCallMs`; inputs the time did not reach are answered `not-run`.
 */
export async function invokeMany(options: {
  manifest: Manifest;
  copy: WorkingCopy;
  inputs: readonly unknown[];
  env: Record<string, string>;
  perCallMs: number;
  totalMs: number;
  parallel?: number;
  signal?: AbortSignal;
}): Promise<BatchAnswer[]> {
  const { manifest, copy, inputs } = options;
  if (inputs.length === 0) return [];
  if (manifest.runtime === 'node') return nodeBatch(options);
  if (manifest.runtime === 'python') return pythonBatch(options);
  const deadline = Date.now() + options.totalMs;
  const answers: BatchAnswer[] = inputs.map(() => NOT_RUN);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < inputs.length && Date.now() < deadline && !options.signal?.aborted) {
      const i = next++;
      const capped = { ...manifest, limits: { ...manifest.limits, timeoutMs: Math.max(1, Math.min(options.perCallMs, deadline - Date.now())) } };
      answers[i] = await invokeOnce({
        manifest: capped,
        copy,
        request: { op: 'execute', input: inputs[i] },
        env: options.env,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, lane));
  return answers;
}

const nodeLine = z.union([
  z.object({ i: z.number().int().nonnegative(), ok: z.literal(true), output: z.unknown() }),
  z.object({ i: z.number().int().nonnegative(), ok: z.literal(false), timeout: z.literal(true).optional(), error: z.object({ type: z.string(), message: z.string() }).loose() }),
]);

/** A Python batch's line: how one forked call ended, as a sandboxed process's end is read. */
const pythonLine = z.object({
  i: z.number().int().nonnegative(),
  status: z.enum(['ok', 'failed', 'timeout', 'output-limit']),
  exitCode: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().nonnegative(),
});

/** The sandbox options every batch shares: the plugin's memory, the whole batch's time, the host's runner visible. */
function batchSpec(options: Parameters<typeof invokeMany>[0]): Pick<SandboxSpec, 'cwd' | 'timeoutMs' | 'memoryMb' | 'outputLimitBytes' | 'readOnlyBinds' | 'signal'> {
  return {
    cwd: options.copy.dir,
    timeoutMs: options.totalMs,
    memoryMb: options.manifest.limits.memoryMb,
    outputLimitBytes: 64 * 1024 * 1024,
    readOnlyBinds: [...options.copy.binds, { source: PLUGIN_PROCESS_DIR, target: PLUGIN_PROCESS_DIR }],
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function nodeBatch(options: Parameters<typeof invokeMany>[0]): Promise<BatchAnswer[]> {
  return batch(
    options,
    {
      ...batchSpec(options),
      argv: nodeArgv(options.manifest.entry, ['--batch']),
      env: { STEWARD_PLUGIN_ENV: JSON.stringify(options.env), NODE_ENV: 'production' },
      stdin: JSON.stringify({ inputs: options.inputs, perCallMs: options.perCallMs }),
    },
    (json) => {
      const parsed = nodeLine.safeParse(json);
      if (!parsed.success) return undefined;
      const line = parsed.data;
      const answer: BatchAnswer = line.ok
        ? { ok: true, output: line.output, durationMs: 0 }
        : { ok: false, kind: line.timeout ? 'timeout' : 'plugin-error', error: line.error, durationMs: 0 };
      return { i: line.i, answer };
    },
  );
}

/**
 * A Python plugin's calls in one sandboxed process: the runner forks a child per call
 * (`python-plugin.py --batch`), so each call still starts the entry afresh, with the
 * request on its stdin, and ends as a process does; only the sandbox and the
 * interpreter are started once.
 */
function pythonBatch(options: Parameters<typeof invokeMany>[0]): Promise<BatchAnswer[]> {
  const { copy, manifest, perCallMs } = options;
  return batch(
    options,
    {
      ...batchSpec(options),
      argv: pythonArgv(manifest, copy, '--batch'),
      env: options.env,
      stdin: JSON.stringify({
        requests: options.inputs.map((input) => ({ op: 'execute', input })),
        perCallMs,
        leadMs: stackLeadMs(perCallMs),
        outputLimitBytes: CALL_OUTPUT_BYTES,
      }),
    },
    (json) => {
      const parsed = pythonLine.safeParse(json);
      if (!parsed.success) return undefined;
      const { i, ...ended } = parsed.data;
      return { i, answer: outcomeOf(ended, copy.dir) };
    },
  );
}

/** Runs one batch and reads its lines, one answer an input; inputs no line answered are not run. */
async function batch(
  options: Parameters<typeof invokeMany>[0],
  spec: SandboxSpec,
  read: (json: unknown) => { i: number; answer: BatchAnswer } | undefined,
): Promise<BatchAnswer[]> {
  const { inputs } = options;
  const result = await runSandboxed(spec);
  const answers: BatchAnswer[] = inputs.map(() => NOT_RUN);
  const answered = new Set<number>();
  for (const text of result.stdout.split('\n')) {
    if (!text) continue;
    let line;
    try {
      line = read(JSON.parse(text));
    } catch {
      continue;
    }
    // One answer an input: a second line for an input already answered is not the batch's.
    if (!line || line.i >= inputs.length || answered.has(line.i)) continue;
    answered.add(line.i);
    answers[line.i] = line.answer;
  }
  // The process died in a call (a crash, the memory limit, a loop the clock stopped): that call failed as the process did.
  const first = answers.findIndex((a) => a.ok === false && a.kind === 'not-run');
  if (first >= 0 && result.status !== 'ok') {
    const outcome = outcomeOf(result);
    // Exiting in a call is a crash, whatever the exit code says.
    if (!outcome.ok) answers[first] = { ...outcome, kind: outcome.kind === 'plugin-error' ? 'crash' : outcome.kind };
  }
  return answers;
}
