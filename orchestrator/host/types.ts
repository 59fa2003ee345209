import type { Manifest } from '../library/manifest.ts';

/** The plugin contract's lifecycle states. */
export type PluginState = 'DISCOVERED' | 'LOADED' | 'INITIALIZED' | 'RUNNING' | 'FAILED' | 'UNAVAILABLE';

export interface ThrownError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
}

/**
 * How one invocation ended. `kind` says whose fault and how bad: the host maps it to
 * an HTTP status, an error event level, and whether the worker is still trusted.
 */
export type Outcome = { ok: true; output: unknown; durationMs: number } | { ok: false; kind: FailureKind; error: ThrownError; durationMs: number };

export type FailureKind =
  /** The plugin threw or rejected: its worker lives on. */
  | 'plugin-error'
  /** The input broke interface.input: the caller's fault. */
  | 'invalid-input'
  /** The output broke interface.output. */
  | 'invalid-output'
  /** The worker died, was killed for memory or output, or broke the protocol. */
  | 'crash'
  | 'timeout'
  /** The plugin is FAILED or UNAVAILABLE and was not called. */
  | 'not-runnable';

/** A way to run a plugin: one long-lived worker (node) or a process per call (python, command). */
export interface PluginRuntime {
  /** init() then validate(); throws a ThrownError-shaped failure when either fails. */
  start(): Promise<void>;
  call(op: 'execute' | 'help', input: unknown, timeoutMs: number): Promise<Outcome>;
  /** cleanup() where the plugin has one, then the process tree is gone. */
  stop(): Promise<void>;
  /** Takes calls without a start(): a worker is up, or a process plugin was validated. */
  readonly ready: boolean;
}

export interface RuntimeOptions {
  name: string;
  dir: string;
  manifest: Manifest;
  /** Declared variables with their values from the host's environment. */
  env: Record<string, string>;
  backend?: 'auto' | 'bubblewrap' | 'process';
  /** Output (stdout + stderr) a worker may print in one lifetime before it is killed. */
  outputLimitBytes?: number;
  onLog?: (entry: { level: string; msg: string; data?: unknown }) => void;
  /** The worker died while no call was running (an unhandled rejection after a call, say). */
  onDeath?: (error: ThrownError) => void;
}
