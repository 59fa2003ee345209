import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { startSandboxed, type SandboxProcess } from '../sandbox/spawn.ts';
import type { SandboxStatus } from '../sandbox/types.ts';
import { createWorkingCopy, type WorkingCopy } from '../sandbox/working-copy.ts';
import { timeoutError, type NodeHang } from './hang.ts';
import type { Outcome, PluginRuntime, RuntimeOptions, ThrownError } from './types.ts';

export const PLUGIN_PROCESS_DIR = resolve(import.meta.dirname, 'plugin-process');
const WORKER = join(PLUGIN_PROCESS_DIR, 'node-plugin.mjs');

/** The largest answer a worker may send in one line. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** How long an aborted call gets to finish before its worker is killed. */
const ABORT_GRACE_MS = 250;

/** The most a hung call waits for its stack (tens of ms as a rule) before it goes on without one: a watchdog that never answers costs the stack, not the kill. */
const STACK_ANSWER_MS = 250;

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

/** The error type a worker's death gets, by how the sandbox ended it. */
const DEATHS: Partial<Record<SandboxStatus, string>> = { oom: 'OutOfMemory', 'output-limit': 'OutputLimitExceeded', 'disk-quota': 'DiskQuotaExceeded' };

/**
 * One long-lived sandboxed worker for a Node plugin, spoken to over fd 3. Calls are
 * multiplexed by id; a timeout takes the worker's stack (its watchdog, over fd 4), aborts
 * the call's signal, then kills the worker if the call does not end, since a synchronous
 * loop can be stopped no other way.
 */
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
  /** The worker said it is dying of an error of its own: whoever stops it after, the death is the plugin's. */
  private diedOfItsOwn = false;
  private started = false;
  /** The watchdog's channel (fd 4), and the stack requests it has not answered. */
  private watch: Duplex | undefined;
  private readonly stacks = new Map<number, (hang: NodeHang | undefined) => void>();
  private nextStack = 1;

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
      // fd 3 the calls, fd 4 the watchdog that takes a hung call's stack.
      extraPipes: 2,
      ...(this.options.backend ? { backend: this.options.backend } : {}),
    });
    this.process = sandbox;
    const channel = sandbox.pipes[0];
    if (!channel) throw new RuntimeFailure('start', { type: 'SandboxError', message: 'no channel to the worker' });
    this.channel = channel;
    this.watch = sandbox.pipes[1];
    this.listenToWatchdog();
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
        if (idle && (this.diedOfItsOwn || !this.killedByUs) && this.started) this.options.onDeath?.(this.death);
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

  /** The watchdog's answers: small JSON lines, one per stack asked for. */
  private listenToWatchdog(): void {
    const watch = this.watch;
    if (!watch) return;
    let buffer = '';
    watch.on('error', () => undefined);
    watch.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      // Nothing a watchdog says is this long: a plugin writing to fd 4 gets no further.
      if (buffer.length > 1024 * 1024) buffer = '';
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const { id, ...hang } = JSON.parse(line) as NodeHang & { id?: number };
          if (typeof id === 'number') this.stacks.get(id)?.(hang);
        } catch {
          // Not the watchdog's: ignored.
        }
      }
    });
  }

  /** Where the worker's main thread is now, as the watchdog sees it; undefined when it cannot say in time. */
  private stackNow(): Promise<NodeHang | undefined> {
    const watch = this.watch;
    if (!watch || !this.ready) return Promise.resolve(undefined);
    const id = this.nextStack++;
    return new Promise((resolveStack) => {
      const timer = setTimeout(() => done(undefined), STACK_ANSWER_MS);
      const done = (hang: NodeHang | undefined): void => {
        clearTimeout(timer);
        this.stacks.delete(id);
        resolveStack(hang);
      };
      this.stacks.set(id, done);
      watch.write(`${JSON.stringify({ id })}\n`);
    });
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
      this.diedOfItsOwn = true;
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
        // The stack first, then the abort: a call's abort handling must not be what the stack shows.
        void this.stackNow().then((hang) => {
          this.channel?.write(`${JSON.stringify({ op: 'abort', id })}\n`);
          setTimeout(() => {
            if (!this.pending.has(id)) return;
            const error = timeoutError(`${op} did not finish within ${timeoutMs} ms`, hang);
            this.pending.get(id)?.resolve({ ok: false, kind: 'timeout', error, durationMs: Date.now() - started });
            this.pending.delete(id);
            this.death = error;
            this.killedByUs = true;
            this.process?.kill('timeout');
          }, ABORT_GRACE_MS).unref();
        });
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
