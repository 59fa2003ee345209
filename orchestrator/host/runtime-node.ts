import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { startSandboxed, type SandboxProcess } from '../sandbox/spawn.ts';
import type { SandboxStatus } from '../sandbox/types.ts';
import { createWorkingCopy, type WorkingCopy } from '../sandbox/working-copy.ts';
import type { Outcome, PluginRuntime, RuntimeOptions, ThrownError } from './types.ts';

export const PLUGIN_PROCESS_DIR = resolve(import.meta.dirname, 'plugin-process');
const WORKER = join(PLUGIN_PROCESS_DIR, 'node-plugin.mjs');

/** The largest answer a worker may send in one line. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** How long an aborted call gets to finish before its worker is killed. */
const ABORT_GRACE_MS = 250;

interface Pending {
  resolve: (outcome: Outcome) => void;
  started: number;
  timer: NodeJS.Timeout;
}

export class RuntimeFailure extends Error {
  constructor(
    readonly phase: string,
    readonly error: ThrownError,
  ) {
    super(`${phase} failed: ${error.type}: ${error.message}`);
  }
}

/** Node's flags for a plugin entry: TypeScript entries run through tsx. */
export function nodeArgv(entry: string, extra: string[] = []): string[] {
  const ts = /\.(ts|mts|cts)$/.test(entry);
  return ['node', ...(ts ? ['--import', 'tsx'] : []), WORKER, entry, ...extra];
}

/**
 * One long-lived sandboxed worker for a Node plugin, spoken to over fd 3. Calls are
 * multiplexed by id; a timeout aborts the call's signal, then kills the worker if the
 * call does not end, since a synchronous loop can be stopped no other way.
 */
/** The error type a worker's death gets, by how the sandbox ended it. */
const DEATHS: Partial<Record<SandboxStatus, string>> = { oom: 'OutOfMemory', 'output-limit': 'OutputLimitExceeded', 'disk-quota': 'DiskQuotaExceeded' };

export class NodeRuntime implements PluginRuntime {
  private process: SandboxProcess | undefined;
  private channel: Duplex | undefined;
  private copy: WorkingCopy | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: Promise<void> | undefined;
  /** Why the worker ended, told to the calls it took with it. */
  private death: ThrownError | undefined;
  private killedByUs = false;
  private started = false;

  constructor(private readonly options: RuntimeOptions) {}

  get ready(): boolean {
    return this.process !== undefined && this.death === undefined;
  }

  async start(): Promise<void> {
    this.copy = createWorkingCopy(this.options.dir, { quotaMb: this.options.manifest.limits.diskMb });
    const sandbox = startSandboxed({
      argv: nodeArgv(this.options.manifest.entry),
      cwd: this.copy.dir,
      env: { STEWARD_PLUGIN_ENV: JSON.stringify(this.options.env), NODE_ENV: 'production' },
      // A worker lives for many calls: its own clock is each call's timeout, not this.
      timeoutMs: 2 ** 31 - 1,
      memoryMb: this.options.manifest.limits.memoryMb,
      outputLimitBytes: this.options.outputLimitBytes ?? 4 * 1024 * 1024,
      readOnlyBinds: [...this.copy.binds, { source: PLUGIN_PROCESS_DIR, target: PLUGIN_PROCESS_DIR }],
      extraPipes: 1,
      ...(this.options.backend ? { backend: this.options.backend } : {}),
    });
    this.process = sandbox;
    const channel = sandbox.pipes[0];
    if (!channel) throw new RuntimeFailure('start', { type: 'SandboxError', message: 'no channel to the worker' });
    this.channel = channel;
    const ready = new Promise<void>((resolveReady, rejectReady) => {
      // Chunks are kept until a newline arrives, and only the new chunk is searched for it:
      // a 100 MB answer costs one pass, not one per chunk.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      channel.on('data', (chunk: Buffer) => {
        let start = 0;
        for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
          const line = Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
          pending = [];
          pendingBytes = 0;
          start = newline + 1;
          if (line) this.receive(line, resolveReady);
        }
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) {
          this.death = { type: 'OutputLimitExceeded', message: `the plugin's answer is larger than ${MAX_LINE_BYTES} bytes` };
          this.killedByUs = true;
          this.failAll('crash', this.death);
          this.process?.kill('output-limit');
          pending = [];
          pendingBytes = 0;
        }
      });
      channel.on('error', () => undefined);
      this.exited = sandbox.result.then((result) => {
        this.death ??= {
          type: DEATHS[result.status] ?? 'WorkerExited',
          message: `the plugin's worker ended (${result.status}, exit ${result.exitCode ?? result.signal})${result.stderr ? `: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        };
        rejectReady(new RuntimeFailure('start', this.death));
        const idle = this.pending.size === 0;
        this.failAll('crash', this.death);
        this.copy?.dispose();
        // Deaths steward caused (a timeout, a protocol break, a stop) were reported with their call.
        if (idle && !this.killedByUs && this.started) this.options.onDeath?.(this.death);
      });
    });
    await ready;
    for (const phase of ['init', 'validate'] as const) {
      const outcome = await this.send(phase, undefined, this.options.manifest.limits.timeoutMs);
      if (!outcome.ok) {
        await this.stop();
        throw new RuntimeFailure(phase, outcome.error);
      }
    }
    this.started = true;
  }

  private receive(line: string, ready: () => void): void {
    let message: {
      id?: number;
      ok?: boolean;
      result?: unknown;
      error?: ThrownError;
      ready?: boolean;
      log?: { level: string; msg: string; data?: unknown };
      fatal?: ThrownError & { kind: string };
    };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      this.death = { type: 'ProtocolError', message: 'the worker sent a line that is not JSON' };
      this.killedByUs = true;
      this.process?.kill('stopped');
      return;
    }
    if (message.ready) return ready();
    if (message.log) return this.options.onLog?.(message.log);
    if (message.fatal) {
      this.death = { type: message.fatal.type, message: `${message.fatal.kind}: ${message.fatal.message}`, ...(message.fatal.stack ? { stack: message.fatal.stack } : {}) };
      return;
    }
    const pending = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!pending || message.id === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    const durationMs = Date.now() - pending.started;
    pending.resolve(
      message.ok
        ? { ok: true, output: message.result, durationMs }
        : { ok: false, kind: 'plugin-error', error: message.error ?? { type: 'Error', message: 'unknown' }, durationMs },
    );
  }

  private failAll(kind: 'crash' | 'timeout', error: ThrownError): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.resolve({ ok: false, kind, error, durationMs: Date.now() - pending.started });
    }
  }

  private send(op: string, input: unknown, timeoutMs: number): Promise<Outcome> {
    const id = this.nextId++;
    return new Promise<Outcome>((resolveCall) => {
      if (!this.ready || !this.channel) {
        resolveCall({ ok: false, kind: 'crash', error: this.death ?? { type: 'WorkerExited', message: 'the worker is not running' }, durationMs: 0 });
        return;
      }
      const started = Date.now();
      const timer = setTimeout(() => {
        this.channel?.write(`${JSON.stringify({ op: 'abort', id })}\n`);
        setTimeout(() => {
          if (!this.pending.has(id)) return;
          const error = { type: 'Timeout', message: `${op} did not finish within ${timeoutMs} ms` };
          this.pending.get(id)?.resolve({ ok: false, kind: 'timeout', error, durationMs: Date.now() - started });
          this.pending.delete(id);
          this.death = error;
          this.killedByUs = true;
          this.process?.kill('timeout');
        }, ABORT_GRACE_MS).unref();
      }, timeoutMs);
      this.pending.set(id, { resolve: resolveCall, started, timer });
      this.channel.write(`${JSON.stringify({ id, op, input })}\n`);
    });
  }

  call(op: 'execute' | 'help', input: unknown, timeoutMs: number): Promise<Outcome> {
    return this.send(op, input, timeoutMs);
  }

  async stop(): Promise<void> {
    if (!this.process) return;
    this.killedByUs = true;
    if (this.ready) {
      await Promise.race([this.send('cleanup', undefined, 2000), new Promise((r) => setTimeout(r, 2000))]);
    }
    this.death ??= { type: 'WorkerStopped', message: 'the worker was stopped' };
    this.process.kill('stopped');
    await this.exited;
  }
}
