import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import { pickBackend } from './backends/registry.ts';
import { onPath } from './backends/which.ts';
import { RunCgroup } from './cgroup.ts';
import { handOver, sandboxHostUid } from './host-uid.ts';
import { DEFAULT_DISK_MB, markOwner, quotaFor, RUN_TMP_PREFIX } from './disk-quota.ts';
import type { Isolation, SandboxResult, SandboxSpec, SandboxStatus } from './types.ts';
import { countSandboxRun } from './tally.ts';

export const DEFAULT_OUTPUT_LIMIT = 8 * 1024 * 1024;
const DISK_CHECK_MS = 200;
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Why steward itself ended a run; the first one wins. */
type KillReason = 'timeout' | 'cancelled' | 'output-limit' | 'disk-quota' | 'stopped';

export interface SandboxProcess {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  /** The extra duplex pipes (fd 3, 4, …) asked for with `extraPipes`. */
  readonly pipes: Duplex[];
  readonly isolation: Isolation;
  /** Ends the whole process tree; the result tells why. */
  kill(reason: KillReason): void;
  readonly result: Promise<SandboxResult>;
}

export interface OutputListeners {
  stdout?: (chunk: Buffer) => void;
  stderr?: (chunk: Buffer) => void;
}

class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}

  /** Returns false once the limit is passed. */
  add(chunk: Buffer): boolean {
    if (this.size >= this.limit) {
      this.truncated = true;
      return false;
    }
    const room = this.limit - this.size;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.size += Math.min(chunk.length, room);
    if (chunk.length > room) this.truncated = true;
    return !this.truncated;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function rlimitArgs(memoryMb: number, hasMemoryCgroup: boolean, maxProcesses: number, fileBytes: number): { args: string[]; names: string[] } {
  const prlimit = onPath('prlimit');
  if (!prlimit) return { args: [], names: [] };
  // No one file may be larger than the working copy's whole quota.
  const limits: [string, string][] = [
    ['core', '0'],
    ['nofile', '4096'],
    ['fsize', String(fileBytes)],
  ];
  // RLIMIT_NPROC counts every thread of the runner's uid, hundreds of workers included:
  // only a fallback for when no pids cgroup caps this tree.
  if (!hasMemoryCgroup) limits.push(['nproc', String(maxProcesses * 4)]);
  // Without a memory cgroup, the address space is the only cap; V8 reserves ~2 GiB up front.
  if (!hasMemoryCgroup) limits.push(['as', String(Math.max(memoryMb * 2, 4096) * 1024 * 1024)]);
  return { args: [prlimit, ...limits.map(([k, v]) => `--${k}=${v}`), '--'], names: limits.map(([k]) => k) };
}

/** Node under an address-space limit needs these to start, and gets a clean heap OOM. */
function capNodeHeap(argv: string[], memoryMb: number): string[] {
  const [bin, ...rest] = argv;
  if (!bin || basename(bin) !== 'node') return argv;
  return [bin, `--max-old-space-size=${memoryMb}`, '--disable-wasm-trap-handler', ...rest];
}

function statusOf(killed: KillReason | undefined, oom: boolean, spawnError: string | undefined, code: number | null, stderr: string): SandboxStatus {
  if (killed === 'cancelled' || killed === 'stopped') return 'cancelled';
  if (killed === 'timeout') return 'timeout';
  if (killed === 'output-limit') return 'output-limit';
  if (killed === 'disk-quota') return 'disk-quota';
  if (oom || (code === 134 && /heap out of memory|allocation failed/i.test(stderr))) return 'oom';
  // The wrappers say so when the command itself could not be started.
  if (spawnError || /^bwrap: execvp /m.test(stderr) || (code === 127 && /^prlimit: failed to execute /m.test(stderr))) return 'spawn-error';
  return code === 0 ? 'ok' : 'failed';
}

/** The unprivileged uid this run starts as, its files handed over to it; undefined keeps steward's. */
function dropTo(spec: SandboxSpec): number | undefined {
  const uid = sandboxHostUid();
  if (uid === undefined) return undefined;
  return handOver(
    uid,
    spec.cwd,
    (spec.readOnlyBinds ?? []).map((b) => b.source),
  )
    ? uid
    : undefined;
}

/**
 * Starts a sandboxed process tree and hands back its pipes. The tree lives in a
 * cgroup where the machine allows one (else a process group), and when the main
 * process exits, anything it left behind is killed before the result is given.
 */
export function startSandboxed(spec: SandboxSpec, listeners: OutputListeners = {}): SandboxProcess {
  const started = Date.now();
  const memoryMb = spec.memoryMb ?? 1024;
  const maxProcesses = spec.maxProcesses ?? 256;
  const limit = spec.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT;
  const backend = pickBackend(spec.backend);
  const id = randomUUID();
  const cgroup = RunCgroup.create(id, memoryMb, maxProcesses);
  const privateTmp = backend.name === 'process' ? mkdtempSync(join(tmpdir(), RUN_TMP_PREFIX)) : undefined;
  if (privateTmp) markOwner(privateTmp);
  const quota = quotaFor(spec.cwd);
  const env = {
    PATH: DEFAULT_PATH,
    HOME: privateTmp ?? '/tmp',
    TMPDIR: privateTmp ?? '/tmp',
    LANG: 'C.UTF-8',
    ...spec.env,
  };
  const argv = cgroup ? spec.argv : capNodeHeap(spec.argv, memoryMb);
  const wrapped = backend.wrap({ ...spec, argv }, env);
  const rlimits = rlimitArgs(memoryMb, cgroup !== undefined, maxProcesses, quota?.bytes ?? DEFAULT_DISK_MB * 1024 * 1024);
  const joinCgroup = cgroup ? ['/bin/sh', '-c', 'echo $$ > "$1" && echo $$ > "$2" && shift 2 && exec "$@"', 'sh', ...cgroup.procsFiles] : [];
  const hostUid = backend.name === 'bubblewrap' ? dropTo(spec) : undefined;
  // The uid is dropped last: joining the cgroup and setting rlimits need root.
  const drop = hostUid === undefined ? [] : [onPath('setpriv') ?? 'setpriv', `--reuid=${hostUid}`, `--regid=${hostUid}`, '--clear-groups', '--'];
  const full = [...joinCgroup, ...rlimits.args, ...drop, ...wrapped.argv];
  const isolation: Isolation = {
    backend: backend.name,
    ...wrapped.isolation,
    cgroup: cgroup ? ['memory', 'pids'] : [],
    rlimits: rlimits.names,
    nodeHeapCap: !cgroup && argv !== spec.argv,
    hostUid: hostUid ?? process.getuid?.() ?? 0,
  };

  const out = new Capture(limit);
  const err = new Capture(limit);
  let killed: KillReason | undefined;
  let spawnError: string | undefined;
  let child: ChildProcess;
  try {
    child = spawn(full[0] ?? '', full.slice(1), {
      cwd: spec.cwd,
      env: wrapped.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', ...Array.from({ length: spec.extraPipes ?? 0 }, () => 'pipe' as const)],
    });
  } catch (error) {
    void cgroup?.remove();
    if (privateTmp) rmSync(privateTmp, { recursive: true, force: true });
    throw error;
  }

  const killTree = (): void => {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
    void cgroup?.killAll();
  };
  const kill = (reason: KillReason): void => {
    killed ??= reason;
    killTree();
  };

  child.stdout?.on('data', (chunk: Buffer) => {
    listeners.stdout?.(chunk);
    if (!out.add(chunk)) kill('output-limit');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    listeners.stderr?.(chunk);
    if (!err.add(chunk)) kill('output-limit');
  });
  child.stdin?.on('error', () => undefined);
  if (spec.stdin !== undefined) child.stdin?.end(spec.stdin);

  const timer = setTimeout(() => kill('timeout'), spec.timeoutMs);
  // A run that fills its working copy is stopped: its own tmpfs refuses the writes past the
  // quota, and without one the copy is measured while the run goes, less often when a
  // measurement is slow (a large tree), so the checks never take more than a tenth of the time.
  let diskCheck: NodeJS.Timeout | undefined;
  const checkDisk = (): void => {
    if (!quota) return;
    const started = Date.now();
    if (quota.used() >= quota.bytes) return kill('disk-quota');
    diskCheck = setTimeout(checkDisk, Math.max(DISK_CHECK_MS, (Date.now() - started) * 10));
  };
  if (quota) diskCheck = setTimeout(checkDisk, DISK_CHECK_MS);
  const onAbort = (): void => kill('cancelled');
  if (spec.signal?.aborted) kill('cancelled');
  spec.signal?.addEventListener('abort', onAbort, { once: true });

  const result = new Promise<SandboxResult>((resolve) => {
    let settled = false;
    // "exit", not "close": an escaped grandchild may hold the pipes open forever.
    const finish = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(diskCheck);
      // Its own tmpfs refused the write before a check came round: the run still passed its quota.
      if (!killed && quota && quota.used() >= quota.bytes) killed = 'disk-quota';
      spec.signal?.removeEventListener('abort', onAbort);
      killTree();
      await cgroup?.killAll();
      await waitForClose(child, 200);
      const oom = cgroup?.oomKilled() ?? false;
      const peak = cgroup?.peakMemoryBytes();
      await cgroup?.remove();
      if (privateTmp) rmSync(privateTmp, { recursive: true, force: true });
      const stderr = err.text();
      const status = statusOf(killed, oom, spawnError, code, stderr);
      countSandboxRun(status);
      resolve({
        id,
        status,
        exitCode: code,
        signal,
        durationMs: Date.now() - started,
        stdout: out.text(),
        stderr,
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
        ...(peak !== undefined ? { peakMemoryBytes: peak } : {}),
        isolation,
        ...(spawnError ? { reason: spawnError } : killed ? { reason: killed } : {}),
      });
    };
    child.on('error', (error) => {
      spawnError ??= error.message;
      void finish(null, null);
    });
    child.on('exit', (code, signal) => void finish(code, signal));
  });

  return {
    pid: child.pid,
    stdin: child.stdin,
    pipes: child.stdio.slice(3).filter((s): s is Duplex => s !== null && s !== undefined) as Duplex[],
    isolation,
    kill,
    result,
  };
}

async function waitForClose(child: ChildProcess, ms: number): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s) => s && !s.destroyed && !s.readableEnded);
  await Promise.race([Promise.all(streams.map((s) => new Promise((resolve) => s?.once('close', resolve)))), sleep(ms)]);
  for (const stream of child.stdio) stream?.destroy();
}
