import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

/**
 * A cgroup v1 pair (memory + pids) for one run: the cap that kills at the limit, the
 * counter that tells an OOM kill from a timeout, and the list of every process of the
 * run, escaped ones included, so that none survives it. cgroup v2 is not handled yet:
 * there the runner falls back to rlimits.
 */
export class RunCgroup {
  private constructor(
    readonly id: string,
    private readonly dirs: { memory: string; pids: string },
  ) {}

  static create(id: string, memoryMb: number, maxProcesses: number): RunCgroup | undefined {
    if (!available()) return undefined;
    const dirs = { memory: join(ROOT, 'memory', 'steward', id), pids: join(ROOT, 'pids', 'steward', id) };
    try {
      mkdirSync(dirs.memory, { recursive: true });
      mkdirSync(dirs.pids, { recursive: true });
      const bytes = String(memoryMb * 1024 * 1024);
      writeFileSync(join(dirs.memory, 'memory.limit_in_bytes'), bytes);
      // With swap accounting, the cap must cover swap too or the run pages out instead of dying.
      if (existsSync(join(dirs.memory, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dirs.memory, 'memory.memsw.limit_in_bytes'), bytes);
      writeFileSync(join(dirs.pids, 'pids.max'), String(maxProcesses));
      return new RunCgroup(id, dirs);
    } catch {
      for (const dir of Object.values(dirs)) tryRmdir(dir);
      return undefined;
    }
  }

  /** The files a process writes its pid into to join (see the spawn wrapper). */
  get procsFiles(): string[] {
    return [join(this.dirs.memory, 'cgroup.procs'), join(this.dirs.pids, 'cgroup.procs')];
  }

  pids(): number[] {
    const seen = new Set<number>();
    for (const file of this.procsFiles) {
      try {
        for (const line of readFileSync(file, 'utf8').split('\n')) if (line) seen.add(Number(line));
      } catch {
        // Already removed.
      }
    }
    return [...seen];
  }

  /** SIGKILL to every member until none is left; pids.max keeps a fork storm from outrunning it. */
  async killAll(): Promise<void> {
    for (let round = 0; round < 200; round++) {
      const pids = this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone between the read and the kill.
        }
      }
      await sleep(round < 10 ? 5 : 25);
    }
  }

  oomKilled(): boolean {
    try {
      const kills = /oom_kill (\d+)/.exec(readFileSync(join(this.dirs.memory, 'memory.oom_control'), 'utf8'))?.[1];
      return kills !== undefined && kills !== '0';
    } catch {
      return false;
    }
  }

  peakMemoryBytes(): number | undefined {
    try {
      return Number(readFileSync(join(this.dirs.memory, 'memory.max_usage_in_bytes'), 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  async remove(): Promise<void> {
    await this.killAll();
    for (const dir of Object.values(this.dirs)) {
      for (let i = 0; i < 20 && existsSync(dir); i++) {
        if (tryRmdir(dir)) break;
        await sleep(10);
      }
    }
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

let probed: boolean | undefined;

/** Whether this machine lets steward make cgroup v1 memory and pids groups (root, writable hierarchy). */
export function available(): boolean {
  if (probed !== undefined) return probed;
  probed = false;
  if (process.env.STEWARD_SANDBOX_CGROUP === 'off') return probed;
  try {
    for (const controller of ['memory', 'pids']) {
      const dir = join(ROOT, controller, 'steward');
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, 'cgroup.procs'))) return probed;
    }
    probed = true;
  } catch {
    probed = false;
  }
  return probed;
}
