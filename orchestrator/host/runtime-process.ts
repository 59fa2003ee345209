import { join } from 'node:path';
import { runSandboxed } from '../sandbox/run.ts';
import type { SandboxResult } from '../sandbox/types.ts';
import { createWorkingCopy, type WorkingCopy } from '../sandbox/working-copy.ts';
import { RuntimeFailure } from './runtime-node.ts';
import type { Outcome, PluginRuntime, RuntimeOptions, ThrownError } from './types.ts';

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

/** A finished sandbox run read as one invocation's outcome. */
export function outcomeOf(result: SandboxResult): Outcome {
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
      return { ok: false, kind: 'timeout', error: { type: 'Timeout', message: `did not finish within the time limit` }, durationMs };
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
      argv: [join(this.copy.dir, this.options.manifest.entry)],
      cwd: this.copy.dir,
      env: this.options.env,
      stdin: JSON.stringify(op === 'execute' ? { op, input } : { op }),
      timeoutMs,
      memoryMb: this.options.manifest.limits.memoryMb,
      outputLimitBytes: this.options.outputLimitBytes ?? 4 * 1024 * 1024,
      readOnlyBinds: this.copy.binds,
      ...(this.options.backend ? { backend: this.options.backend } : {}),
    });
    return outcomeOf(result);
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
