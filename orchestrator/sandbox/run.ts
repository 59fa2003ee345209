import { messageOf } from '../core/errors.ts';
import { startSandboxed } from './spawn.ts';
import type { SandboxResult, SandboxSpec } from './types.ts';
import { pickBackend } from './backends/registry.ts';
import { countSandboxRun } from './tally.ts';

/**
 * Runs argv in the sandbox and collects its result. Never throws: a spec the machine
 * cannot run (an unavailable backend, a missing working copy) is a `spawn-error` result.
 */
export async function runSandboxed(spec: SandboxSpec): Promise<SandboxResult> {
  try {
    return await startSandboxed(spec).result;
  } catch (error) {
    countSandboxRun('spawn-error');
    let backend: 'bubblewrap' | 'process' = 'process';
    try {
      backend = pickBackend(spec.backend).name;
    } catch {
      // The backend itself was the problem.
    }
    return {
      id: 'not-started',
      status: 'spawn-error',
      exitCode: null,
      signal: null,
      durationMs: 0,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      isolation: { backend, namespaces: [], network: 'host', filesystem: 'host', cgroup: [], rlimits: [], nodeHeapCap: false, hostUid: process.getuid?.() ?? 0 },
      reason: messageOf(error),
    };
  }
}
