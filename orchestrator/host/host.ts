import { messageOf } from '../core/errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { checkedOutput, compileValidators, refusedInput, type Validators } from './contract.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { KeyedRateLimit } from '../core/rate-limit.ts';
import { listPluginNames, pluginPrefix, type Library } from '../library/library.ts';
import { checkManifest, type Manifest } from '../library/manifest.ts';
import { libraryReservedEnv, pluginEnv, type PluginEnv } from '../library/plugin-env.ts';
import { checkRequirements, defaultRequirementContext, type RequirementContext } from '../library/requires.ts';
import { redactDeclared } from '../ingest/scrub.ts';
import { FileSink, type CaptureSink } from '../ingest/sink.ts';
import type { TrafficStore } from '../ingest/traffic.ts';
import { failureEvent } from './failure-event.ts';
import { PluginMetrics, type MetricsSnapshot, type StateChange } from './metrics.ts';
import { NodeRuntime, RuntimeFailure } from './runtime-node.ts';
import { ProcessRuntime } from './runtime-process.ts';
import type { FailureKind, Outcome, PluginRuntime, PluginState, ThrownError } from './types.ts';

export interface HostOptions {
  library: Library;
  sink?: CaptureSink;
  /** Crashes (and timeouts) within `crashWindowMs` that make a plugin FAILED. Default 3 in 60 s. */
  crashLimit?: number;
  crashWindowMs?: number;
  backend?: 'auto' | 'bubblewrap' | 'process';
  /** Where declared variables take their values. Default: the host's environment. */
  env?: NodeJS.ProcessEnv;
  environment?: string;
  requirements?: RequirementContext;
  logger?: Logger;
  /** Captures a minute per plugin, after a burst. Default: the library's ingest.hostCaptures. */
  captureLimit?: { perMinute: number; burst: number };
  /** Where successful calls are sampled (production traffic); without it none is. */
  traffic?: Pick<TrafficStore, 'record'>;
}

/** One plugin as the host holds it. Replaced whole on reload, so a reader never sees half a change. */
interface Entry {
  readonly name: string;
  readonly dir: string;
  readonly manifest: Manifest | undefined;
  state: PluginState;
  reason: string | undefined;
  readonly history: StateChange[];
  readonly metrics: PluginMetrics;
  runtime: PluginRuntime | undefined;
  starting: Promise<void> | undefined;
  readonly crashes: number[];
  inFlight: number;
  readonly validators: Validators;
}

export interface PluginHealth {
  name: string;
  state: PluginState;
  reason: string | null;
  version: string | null;
  runtime: string | null;
  inFlight: number;
  metrics: MetricsSnapshot;
  history: StateChange[];
}

const HISTORY_LIMIT = 50;
/** Samples waiting on Redis at most: past it (Redis slow or away) calls are not offered, so waiting samples never pile up. */
const TRAFFIC_PENDING_LIMIT = 1000;

/**
 * The crash-proof plugin host. Each plugin runs in its own sandboxed process; whatever
 * it does, only that process dies, and the host reports it as an error event.
 */
export class PluginHost {
  private readonly entries = new Map<string, Entry>();
  private readonly sink: CaptureSink;
  private readonly crashLimit: number;
  private readonly crashWindowMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly requirements: RequirementContext;
  private readonly log: Logger;
  private readonly captureLimit: KeyedRateLimit;
  /** Successful calls not yet offered to the traffic sample, and those offered that Redis has not answered. */
  private readonly trafficQueue: { plugin: string; manifest: Manifest; input: unknown; output: unknown }[] = [];
  private trafficPending = 0;
  /** Whether the last sample failed, so a Redis outage is logged when it starts and when it ends, not per call. */
  private trafficFailing = false;

  constructor(private readonly options: HostOptions) {
    this.sink = options.sink ?? new FileSink(join(options.library.paths.state, 'events.jsonl'));
    this.crashLimit = options.crashLimit ?? 3;
    this.crashWindowMs = options.crashWindowMs ?? 60_000;
    this.env = options.env ?? process.env;
    this.requirements = options.requirements ?? defaultRequirementContext();
    this.log = options.logger ?? createLogger({ component: 'host' });
    const limit = options.captureLimit ?? options.library.config.ingest.hostCaptures;
    this.captureLimit = new KeyedRateLimit(limit.perMinute, limit.burst);
  }

  /** Discovers every plugin of the library; none is started until it is first called. */
  load(names: readonly string[] = listPluginNames(this.options.library)): void {
    for (const name of names) this.entries.set(name, this.discover(name));
  }

  private setState(entry: Entry, state: PluginState, reason?: string): void {
    // A reason may quote what the plugin threw: it is kept, shown and logged without its secrets.
    if (reason !== undefined && entry.manifest) reason = redactDeclared(reason, this.declaredEnv(entry.manifest).secrets);
    entry.state = state;
    entry.reason = reason;
    entry.history.push({ state, at: new Date().toISOString(), ...(reason ? { reason } : {}) });
    if (entry.history.length > HISTORY_LIMIT) entry.history.splice(0, entry.history.length - HISTORY_LIMIT);
    // UNAVAILABLE is this machine's state, not the plugin's fault: worth a note, not a warning.
    if (state === 'FAILED') this.log.warn({ plugin: entry.name, state, reason }, 'plugin state');
    else if (state === 'UNAVAILABLE') this.log.info({ plugin: entry.name, state, reason }, 'plugin state');
  }

  private discover(name: string): Entry {
    const dir = join(this.options.library.paths.plugins, name);
    const { manifest, problems } = checkManifest(dir, name);
    const entry: Entry = {
      name,
      dir,
      manifest,
      state: 'DISCOVERED',
      reason: undefined,
      history: [],
      metrics: new PluginMetrics(),
      runtime: undefined,
      starting: undefined,
      crashes: [],
      inFlight: 0,
      validators: {},
    };
    this.setState(entry, 'DISCOVERED');
    const problem = problems[0];
    if (!manifest || problem) {
      this.setState(entry, 'FAILED', `invalid manifest: ${pluginPrefix(this.options.library, name)}/plugin.json: ${problem?.path ?? '$'}: ${problem?.message ?? 'missing'}`);
      return entry;
    }
    const { validators, problem: contract } = compileValidators(manifest);
    Object.assign(entry.validators, validators);
    if (contract) {
      this.setState(entry, 'FAILED', contract);
      return entry;
    }
    const missing = checkRequirements(manifest, dir, { ...this.requirements, env: this.env });
    if (missing.length > 0) {
      this.setState(entry, 'UNAVAILABLE', missing.map((m) => m.message).join('; '));
      return entry;
    }
    this.setState(entry, 'LOADED');
    return entry;
  }

  private readonly envs = new WeakMap<Manifest, PluginEnv>();

  /** One per manifest, so the scrubber's prepared secrets are reused across calls. */
  private declaredEnv(manifest: Manifest): PluginEnv {
    let found = this.envs.get(manifest);
    if (!found) {
      found = pluginEnv(manifest, this.env, { reserved: libraryReservedEnv(this.options.library.config) });
      this.envs.set(manifest, found);
    }
    return found;
  }

  private async ensureStarted(entry: Entry, manifest: Manifest): Promise<Outcome | undefined> {
    if (entry.runtime?.ready) return undefined;
    entry.starting ??= (async () => {
      // The runtime a death report is about: by the time it comes, the entry may hold none (see lostBetweenCalls).
      const made: { runtime?: PluginRuntime } = {};
      const options = {
        name: entry.name,
        dir: entry.dir,
        manifest,
        env: this.declaredEnv(manifest).env,
        ...(this.options.backend ? { backend: this.options.backend } : {}),
        onLog: (line: { level: string; msg: string; data?: unknown }) => {
          const secrets = this.declaredEnv(manifest).secrets;
          this.log.info({ plugin: entry.name, pluginLog: redactDeclared(line, secrets) }, redactDeclared(line.msg, secrets));
        },
        onDeath: (error: ThrownError) => {
          if (made.runtime) void this.lostBetweenCalls(entry, manifest, made.runtime, error);
        },
      };
      const runtime = manifest.runtime === 'node' ? new NodeRuntime(options) : new ProcessRuntime(options);
      made.runtime = runtime;
      await runtime.start();
      entry.runtime = runtime;
      this.setState(entry, 'INITIALIZED');
    })().finally(() => {
      entry.starting = undefined;
    });
    try {
      await entry.starting;
      return undefined;
    } catch (error) {
      const thrown: ThrownError = error instanceof RuntimeFailure ? error.error : { type: 'StartError', message: messageOf(error) };
      const phase = error instanceof RuntimeFailure ? error.phase : 'start';
      // init() or validate() said no: that is the plugin's verdict, and no retry will change it.
      this.setState(entry, 'FAILED', `${phase}: ${thrown.type}: ${thrown.message}`);
      await this.capture(entry, manifest, 'crash', thrown, phase, undefined);
      return { ok: false, kind: 'not-runnable', error: thrown, durationMs: 0 };
    }
  }

  private async capture(entry: Entry, manifest: Manifest, kind: Exclude<FailureKind, 'not-runnable'>, error: ThrownError, operation: string, input: unknown): Promise<void> {
    if (!this.captureLimit.take(entry.name)) {
      entry.metrics.capturesLimited++;
      return;
    }
    try {
      const event = failureEvent(manifest, kind, error, operation, input, this.options.environment);
      await this.sink.capture(event, this.declaredEnv(manifest).secrets);
    } catch (failure) {
      // Losing an event must never fail the call that produced it.
      this.log.error({ plugin: entry.name, err: messageOf(failure) }, 'capture failed');
    }
  }

  /** Calls a plugin. Undefined means no such plugin; every other failure is an Outcome. */
  async invoke(name: string, input: unknown, op: 'execute' | 'help' = 'execute'): Promise<Outcome | undefined> {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const outcome = await this.call(entry, input, op);
    // Whichever way the call ended, its caller never sees the values of the plugin's declared secrets.
    return entry.manifest ? redactDeclared(outcome, this.declaredEnv(entry.manifest).secrets) : outcome;
  }

  private async call(entry: Entry, input: unknown, op: 'execute' | 'help'): Promise<Outcome> {
    const manifest = entry.manifest;
    if (!manifest || entry.state === 'FAILED' || entry.state === 'UNAVAILABLE') {
      return { ok: false, kind: 'not-runnable', error: { type: entry.state, message: entry.reason ?? entry.state }, durationMs: 0 };
    }
    const rejected = op === 'execute' ? refusedInput(entry.validators, input) : undefined;
    if (rejected) {
      await this.capture(entry, manifest, 'invalid-input', rejected.error, op, input);
      return rejected;
    }
    const refused = await this.ensureStarted(entry, manifest);
    if (refused) return refused;
    const runtime = entry.runtime;
    if (!runtime) return { ok: false, kind: 'not-runnable', error: { type: entry.state, message: entry.reason ?? 'not started' }, durationMs: 0 };

    entry.inFlight++;
    if (entry.state === 'INITIALIZED') this.setStateQuiet(entry, 'RUNNING');
    let outcome: Outcome;
    try {
      outcome = await runtime.call(op, input, manifest.limits.timeoutMs);
    } finally {
      entry.inFlight--;
    }
    if (op === 'execute') outcome = checkedOutput(entry.validators, outcome);
    await this.settle(entry, manifest, runtime, outcome, op, input);
    if (op === 'execute' && outcome.ok) this.sample(entry, manifest, input, outcome.output);
    return outcome;
  }

  /**
   * Offers a successful call to the traffic sample once its caller has the answer: the
   * calls of one turn of the event loop are offered together on the next, and a failure
   * is logged, never passed to the call.
   */
  private sample(entry: Entry, manifest: Manifest, input: unknown, output: unknown): void {
    if (!this.options.traffic || this.trafficPending >= TRAFFIC_PENDING_LIMIT) return;
    this.trafficPending++;
    this.trafficQueue.push({ plugin: entry.name, manifest, input, output });
    if (this.trafficQueue.length === 1) setImmediate(() => this.offerQueued());
  }

  private offerQueued(): void {
    const [traffic, queued] = [this.options.traffic, this.trafficQueue.splice(0)];
    if (!traffic) return;
    for (const { plugin, manifest, input, output } of queued) {
      traffic.record({ plugin, version: manifest.version, input, output }, this.declaredEnv(manifest).secrets).then(
        () => {
          this.trafficPending--;
          if (this.trafficFailing) this.log.warn({ plugin }, 'traffic sampling works again');
          this.trafficFailing = false;
        },
        (error: unknown) => {
          this.trafficPending--;
          if (!this.trafficFailing) this.log.warn({ plugin, err: messageOf(error) }, 'traffic sampling failed; calls go unsampled until it works again');
          this.trafficFailing = true;
        },
      );
    }
  }

  /** One more crash in the window; true when it makes the plugin FAILED. */
  private countCrash(entry: Entry, error: ThrownError): boolean {
    const now = Date.now();
    entry.crashes.push(now);
    while (entry.crashes.length > 0 && (entry.crashes[0] ?? now) < now - this.crashWindowMs) entry.crashes.shift();
    if (entry.crashes.length < this.crashLimit) return false;
    this.setState(entry, 'FAILED', `${entry.crashes.length} crashes within ${Math.round(this.crashWindowMs / 1000)} s (last: ${error.type}: ${error.message})`);
    return true;
  }

  /** RUNNING ⇄ INITIALIZED flips on every call: kept out of the history, which is for reasons. */
  private setStateQuiet(entry: Entry, state: PluginState): void {
    entry.state = state;
  }

  private async settle(entry: Entry, manifest: Manifest, runtime: PluginRuntime, outcome: Outcome, op: string, input: unknown): Promise<void> {
    // A lost worker leaves the entry before anything is awaited, so no later event can count it twice.
    const lost = entry.runtime === runtime && !runtime.ready;
    if (lost) entry.runtime = undefined;
    if (outcome.ok) {
      entry.metrics.record(outcome.durationMs, 'success');
    } else if (outcome.kind !== 'not-runnable') {
      entry.metrics.record(outcome.durationMs, outcome.kind === 'timeout' ? 'timeout' : outcome.kind === 'crash' ? 'crash' : 'error');
      await this.capture(entry, manifest, outcome.kind, outcome.error, op, input);
    }
    const lostWorker = !outcome.ok && (outcome.kind === 'crash' || outcome.kind === 'timeout');
    // A worker's death fails every call it was running; it counts once, with the call that
    // found it. A process-protocol plugin dies with each call, so there each one counts.
    const countsAsCrash = lostWorker && (lost || runtime instanceof ProcessRuntime);
    if (countsAsCrash && !outcome.ok && this.countCrash(entry, outcome.error)) {
      if (entry.runtime === runtime) entry.runtime = undefined;
      await runtime.stop();
      return;
    }
    if (lost) {
      // The worker is gone; the next call starts a fresh one.
      this.setState(entry, 'LOADED', lostWorker && !outcome.ok ? `worker lost: ${outcome.error.type}` : undefined);
      await runtime.stop();
    } else if (entry.inFlight === 0 && entry.state === 'RUNNING') {
      this.setStateQuiet(entry, 'INITIALIZED');
    }
  }

  /**
   * A worker that dies with no call running still crashed: counted, reported, replaced on
   * the next call. Its death may come in the same read as the last call's answer, and
   * that call's settling then took the worker off the entry already: the crash is still
   * this worker's, and still reported and counted.
   */
  private async lostBetweenCalls(entry: Entry, manifest: Manifest, runtime: PluginRuntime, error: ThrownError): Promise<void> {
    const outcome: Outcome = { ok: false, kind: 'crash', error, durationMs: 0 };
    if (entry.runtime === runtime) {
      await this.settle(entry, manifest, runtime, outcome, 'background', undefined);
      return;
    }
    if (this.entries.get(entry.name) !== entry || entry.state === 'FAILED') return;
    entry.metrics.record(0, 'crash');
    await this.capture(entry, manifest, 'crash', error, 'background', undefined);
    this.countCrash(entry, error);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The values of a plugin's declared secrets, for scrubbing what others send of it; undefined for an unknown plugin. */
  secretsOf(name: string): readonly string[] | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    return entry.manifest ? this.declaredEnv(entry.manifest).secrets : [];
  }

  health(name: string): PluginHealth | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    return {
      name: entry.name,
      state: entry.state,
      reason: entry.reason ?? null,
      version: entry.manifest?.version ?? null,
      runtime: entry.manifest?.runtime ?? null,
      inFlight: entry.inFlight,
      metrics: entry.metrics.snapshot(),
      history: [...entry.history],
    };
  }

  list(): PluginHealth[] {
    return [...this.entries.keys()]
      .sort()
      .map((name) => this.health(name))
      .filter((h): h is PluginHealth => h !== undefined);
  }

  /**
   * A maintainer's reload: the manifest is read again and a fresh entry replaces the
   * old one at once. Calls already running finish on the old worker, which stops after.
   */
  async reload(name: string): Promise<PluginHealth | undefined> {
    const old = this.entries.get(name);
    if (!old) return undefined;
    const fresh = this.discover(name);
    fresh.history.unshift(...old.history.slice(-HISTORY_LIMIT + fresh.history.length));
    this.setState(fresh, fresh.state, fresh.reason ?? 'reloaded by a maintainer');
    this.entries.set(name, fresh);
    void this.drainAndStop(old);
    return this.health(name);
  }

  private async drainAndStop(entry: Entry): Promise<void> {
    while (entry.inFlight > 0) await sleep(20);
    await entry.starting?.catch(() => undefined);
    await entry.runtime?.stop();
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.runtime?.stop() ?? Promise.resolve()));
  }
}
