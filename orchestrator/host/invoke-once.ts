import { join } from 'node:path';
import type { Manifest } from '../library/manifest.ts';
import { runSandboxed } from '../sandbox/run.ts';
import type { BackendName } from '../sandbox/types.ts';
import type { WorkingCopy } from '../sandbox/working-copy.ts';
import { outcomeOf } from './runtime-process.ts';
import { nodeArgv, PLUGIN_PROCESS_DIR } from './runtime-node.ts';
import type { Outcome } from './types.ts';

/** The argv that makes one call of a plugin through the process protocol, whatever its runtime. */
function onceArgv(manifest: Manifest, copy: WorkingCopy): string[] {
  return manifest.runtime === 'node' ? nodeArgv(manifest.entry, ['--once']) : [join(copy.dir, manifest.entry)];
}

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
    argv: onceArgv(manifest, copy),
    cwd: copy.dir,
    env: { ...(manifest.runtime === 'node' ? { STEWARD_PLUGIN_ENV: JSON.stringify(options.env), NODE_ENV: 'production' } : options.env), ...options.runtimeEnv },
    stdin: JSON.stringify(options.request),
    timeoutMs: manifest.limits.timeoutMs,
    memoryMb: manifest.limits.memoryMb,
    outputLimitBytes: 4 * 1024 * 1024,
    readOnlyBinds: manifest.runtime === 'node' ? [...copy.binds, { source: PLUGIN_PROCESS_DIR, target: PLUGIN_PROCESS_DIR }] : copy.binds,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  return outcomeOf(result);
}
