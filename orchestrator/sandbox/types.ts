/** What to run in the sandbox. Nothing of the caller's environment is inherited. */
export interface SandboxSpec {
  /** argv, no shell; argv[0] is looked up on the sandbox's PATH. */
  argv: string[];
  /** The working copy: the only directory the run may write to. */
  cwd: string;
  /** The whole environment the run sees (PATH, HOME and TMPDIR get defaults). */
  env?: Record<string, string>;
  /** Wall-clock limit; the whole process tree is killed when it runs out. */
  timeoutMs: number;
  /** Memory cap for the whole tree. Default 1024. */
  memoryMb?: number;
  /** Most bytes kept of stdout and of stderr each; more kills the run. Default 8 MiB. */
  outputLimitBytes?: number;
  /** Most processes the tree may hold at once (fork storms). Default 256. */
  maxProcesses?: number;
  stdin?: string | Buffer;
  /** Network off unless a caller (a headless coding agent, later) asks for it. */
  network?: boolean;
  /** Host paths made visible read-only inside the sandbox. */
  readOnlyBinds?: { source: string; target: string }[];
  /** Extra duplex pipes at fd 3, 4, …: the plugin host's channel to its worker. */
  extraPipes?: number;
  signal?: AbortSignal;
  /** Which backend; "auto" picks bubblewrap where it is installed. */
  backend?: BackendName;
}

export type BackendName = 'auto' | 'bubblewrap' | 'process';

export type SandboxStatus = 'ok' | 'failed' | 'timeout' | 'oom' | 'output-limit' | 'disk-quota' | 'spawn-error' | 'cancelled';

/** Which protections were really in force for a run: callers and doctor report it. */
export interface Isolation {
  backend: Exclude<BackendName, 'auto'>;
  /** Linux namespaces the run was put in. */
  namespaces: string[];
  network: 'off' | 'on' | 'host';
  filesystem: 'read-only system, writable working copy' | 'host';
  /** cgroup controllers that capped and accounted the run. */
  cgroup: ('memory' | 'pids')[];
  /** rlimits set with prlimit. */
  rlimits: string[];
  /** Node's heap was capped with --max-old-space-size (no memory cgroup). */
  nodeHeapCap: boolean;
  /**
   * The host uid the run's processes have: an unprivileged one (65534 unless
   * STEWARD_SANDBOX_UID says) when steward runs as root, so nothing made inside is root's.
   */
  hostUid: number;
}

export interface SandboxResult {
  /** The run's id; its cgroup, while it lives, is named after it. */
  id: string;
  status: SandboxStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Peak memory of the whole tree, where a cgroup measured it. */
  peakMemoryBytes?: number;
  isolation: Isolation;
  /** Why a spawn failed, or what killed the run. */
  reason?: string;
}

/** How one backend turns a spec into the argv that is really executed. */
export interface SandboxBackend {
  readonly name: Exclude<BackendName, 'auto'>;
  available(): boolean;
  wrap(
    spec: Required<Pick<SandboxSpec, 'argv' | 'cwd'>> & SandboxSpec,
    env: Record<string, string>,
  ): {
    argv: string[];
    env: Record<string, string>;
    isolation: Pick<Isolation, 'namespaces' | 'network' | 'filesystem'>;
  };
}
