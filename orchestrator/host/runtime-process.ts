import { join } from 'node:path';
import type { Manifest } from '../library/manifest.ts';
import { runSandboxed } from '../sandbox/run.ts';
import type { SandboxResult } from '../sandbox/types.ts';
import { createWorkingCopy, type WorkingCopy } from '../sandbox/working-copy.ts';
import { processTimeoutError, stackLeadMs } from './hang.ts';
import { nodeArgv, PLUGIN_PROCESS_DIR, RuntimeFailure } from './runtime-node.ts';
import type { Outcome, PluginRuntime, RuntimeOptions, ThrownError } from './types.ts';

const PYTHON_RUNNER = join(PLUGIN_PROCESS_DIR, 'python-plugin.py');

/** Most bytes kept of one call's stdout and of its stderr. */
export const CALL_OUTPUT_BYTES = 4 * 1024 * 1024;

/** The argv of the host's runner of a Python plugin's entry: `mode` is the hang dump's time, or `--batch`. */
export function pythonArgv(manifest: Manifest, copy: WorkingCopy, mode: string): string[] {
  return ['python3', PYTHON_RUNNER, mode, join(copy.dir, manifest.entry)];
}

/**
 * The argv of one process-protocol call, whatever the runtime, started now with this
 * limit: a Node plugin through the host's worker (`--once`), a Python one through its
 * runner, each told when to leave a hung call's stack (just before the sandbox's kill);
 * a command plugin as it is. With the read-only binds the sandbox needs for it.
 */
export function processCall(manifest: Manifest, copy: WorkingCopy, timeoutMs: number): { argv: string[]; readOnlyBinds: { source: string; target: string }[] } {
  const stackAt = String(Date.now() + timeoutMs - stackLeadMs(timeoutMs));
  const binds = [...copy.binds, { source: PLUGIN_PROCESS_DIR, target: PLUGIN_PROCESS_DIR }];
  if (manifest.runtime === 'node') return { argv: nodeArgv(manifest.entry, ['--once', stackAt]), readOnlyBinds: binds };
  if (manifest.runtime === 'python') return { argv: pythonArgv(manifest, copy, stackAt), readOnlyBinds: binds };
  return { argv: [join(copy.dir, manifest.entry)], readOnlyBinds: copy.binds };
}

/** The contract's error line: the last line of stderr may be {"error":{…}}. */
function errorFromStderr(stderr: string, exitCode: number | null): ThrownError {
  const lines = stderr.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    const parsed = JSON.parse(last) as { error?: Partial<ThrownError> };
    if (parsed.error && typeof parsed.error.message === 'string') {
      return {
        type: typeof parsed.error.type === 'string' ? parsed.error.type : 'Error',
        message: parsed.error.message,
        ...(typeof parsed.error.stack === 'string' ? { stack: parsed.error.stack } : {}),
        ...(parsed.error.code !== undefined ? { code: String(parsed.error.code) } : {}),
      };
    }
  } catch {
    // Not the error line: the tail is the message.
  }
  return { type: 'ProcessFailed', message: `exit ${exitCode}: ${lines.slice(-5).join('\n').slice(-2000)}` };
}

/** A finished sandbox run read as one invocation's outcome; `root`, the working copy, is cut from a hung call's stack. */
export function outcomeOf(result: Pick<SandboxResult, 'status' | 'exitCode' | 'stdout' | 'stderr' | 'durationMs' | 'reason'>, root?: string): Outcome {
  const durationMs = result.durationMs;
  switch (result.status) {
    case 'ok':
      try {
        return { ok: true, output: JSON.parse(result.stdout) as unknown, durationMs };
      } catch {
        // Exit 0 without an answer broke the protocol: as much a crash as a worker's bad line.
        return {
          ok: false,
          kind: 'crash',
          error: { type: 'ProtocolError', message: `exit 0 but stdout is not one JSON value: ${JSON.stringify(result.stdout.slice(0, 200))}` },
          durationMs,
        };
      }
    case 'failed':
      return { ok: false, kind: 'plugin-error', error: errorFromStderr(result.stderr, result.exitCode), durationMs };
    case 'timeout':
      return { ok: false, kind: 'timeout', error: processTimeoutError(result.stderr, 'did not finish within the time limit', root), durationMs };
    case 'oom':
      return { ok: false, kind: 'crash', error: { type: 'OutOfMemory', message: 'killed at the memory limit' }, durationMs };
    case 'output-limit':
      return { ok: false, kind: 'crash', error: { type: 'OutputLimitExceeded', message: 'printed more than the output limit' }, durationMs };
    case 'disk-quota':
      return { ok: false, kind: 'crash', error: { type: 'DiskQuotaExceeded', message: 'wrote more than its working copy may hold (limits.diskMb)' }, durationMs };
    default:
      return { ok: false, kind: 'crash', error: { type: 'SpawnError', message: `${result.status}: ${result.reason ?? result.stderr.slice(-500)}` }, durationMs };
  }
}

/**
 * Python and command plugins speak the process protocol: one sandboxed process per
 * call, with the request on stdin. Their working copy lives as long as the runtime.
 */
export class ProcessRuntime implements PluginRuntime {
  private copy: WorkingCopy | undefined;
  private validated = false;

  constructor(private readonly options: RuntimeOptions) {}

  get ready(): boolean {
    return this.validated;
  }

  private async invoke(op: string, input: unknown, timeoutMs: number): Promise<Outcome> {
    this.copy ??= createWorkingCopy(this.options.dir, { quotaMb: this.options.manifest.limits.diskMb });
    const result = await runSandboxed({
      ...processCall(this.options.manifest, this.copy, timeoutMs),
      cwd: this.copy.dir,
      env: this.options.env,
      stdin: JSON.stringify(op === 'execute' ? { op, input } : { op }),
      timeoutMs,
      memoryMb: this.options.manifest.limits.memoryMb,
      outputLimitBytes: this.options.outputLimitBytes ?? CALL_OUTPUT_BYTES,
      ...(this.options.backend ? { backend: this.options.backend } : {}),
    });
    return outcomeOf(result, this.copy.dir);
  }

  async start(): Promise<void> {
    const outcome = await this.invoke('validate', undefined, this.options.manifest.limits.timeoutMs);
    if (!outcome.ok) {
      this.copy?.dispose();
      this.copy = undefined;
      throw new RuntimeFailure('validate', outcome.error);
    }
    this.validated = true;
  }

  call(op: 'execute' | 'help', input: unknown, timeoutMs: number): Promise<Outcome> {
    return this.invoke(op, input, timeoutMs);
  }

  async stop(): Promise<void> {
    this.validated = false;
    this.copy?.dispose();
    this.copy = undefined;
  }
}
