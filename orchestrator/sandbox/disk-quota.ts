import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a working copy may hold unless the plugin's manifest says otherwise. */
export const DEFAULT_DISK_MB = 512;
export const WORKING_COPY_PREFIX = 'steward-wc-';
/** The private /tmp of a run without bubblewrap. */
export const RUN_TMP_PREFIX = 'steward-run-';
const OWNER_FILE = 'owner';

export interface DiskQuota {
  /** The working copy's own directory (the tmpfs, when mounted). */
  root: string;
  bytes: number;
  /** Its own tmpfs (nosuid, nodev, sized): the kernel refuses writes past the quota. */
  mounted: boolean;
  /** Bytes held now, counted only as far as the quota (a hostile tree costs no more). */
  used(): number;
}

/** Quotas by working-copy root, so a sandboxed run finds its own from its directory. */
const quotas = new Map<string, DiskQuota>();

function mountTmpfs(root: string, bytes: number): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || process.env.STEWARD_NO_TMPFS === '1') return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},nosuid,nodev,mode=0700`, 'steward-wc', root], { stdio: 'ignore' });
    return true;
  } catch {
    // A container without CAP_SYS_ADMIN: the checked limit stands in.
    return false;
  }
}

/** What an entry costs at least, so that a million empty files count as the disk they hold. */
const ENTRY_BYTES = 4096;

/**
 * Bytes under `dir`, links not followed: each entry's blocks, at least ENTRY_BYTES, so
 * a tree of empty files or directories is not free. Stops once `limit` is passed.
 */
function treeBytes(dir: string, limit: number): number {
  let total = 0;
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    let entries;
    try {
      entries = readdirSync(next, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(next, entry.name);
      let bytes = ENTRY_BYTES;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        try {
          bytes = Math.max(ENTRY_BYTES, lstatSync(path).blocks * 512);
        } catch {
          // Removed while counted.
        }
      }
      total += bytes;
      if (total > limit) return total;
    }
  }
  return total;
}

/** The process that owns a working copy: its pid and start time (a reused pid is another process). */
function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, after the command name in parentheses (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote an owner line still runs: same pid, and the same start time where one was recorded. */
function ownerAlive(pid: number, start: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const now = processStart(pid);
  if (now !== undefined && start !== '') return now === start;
  // No start time to compare (no /proc, or none recorded): the signal test is all there is.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks a temporary directory as this process's, so a sweep after a kill -9 can tell it is orphaned. */
export function markOwner(dir: string): void {
  writeFileSync(join(dir, OWNER_FILE), `${process.pid} ${processStart(process.pid) ?? ''}\n`);
}

export function claimQuota(root: string, bytes: number): DiskQuota {
  const mounted = mountTmpfs(root, bytes);
  markOwner(root);
  const quota: DiskQuota = {
    root,
    bytes,
    mounted,
    used: mounted
      ? () => {
          try {
            const fs = statfsSync(root);
            return (fs.blocks - fs.bfree) * fs.bsize;
          } catch {
            // Disposed while a run was still going: nothing is held any more.
            return 0;
          }
        }
      : () => treeBytes(root, bytes),
  };
  quotas.set(root, quota);
  return quota;
}

export function releaseQuota(quota: DiskQuota): void {
  quotas.delete(quota.root);
  if (quota.mounted) unmount(quota.root);
}

function unmount(root: string): void {
  try {
    // Lazy: a process of the run that is still being reaped must not keep the copy alive.
    execFileSync('umount', ['-l', root], { stdio: 'ignore' });
  } catch {
    // Not mounted (any more).
  }
}

/** The quota of the working copy `cwd` is in, if it is one. */
export function quotaFor(cwd: string): DiskQuota | undefined {
  for (const [root, quota] of quotas) if (cwd === root || cwd.startsWith(`${root}/`)) return quota;
  return undefined;
}

function mountPoints(): Set<string> {
  try {
    return new Set(
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[4] ?? '')
        .filter(Boolean),
    );
  } catch {
    return new Set();
  }
}

/**
 * Removes working copies whose owner is gone (a worker killed with -9 leaves them):
 * each holds the pid and start time of the process that made it. Run at the start of
 * every long-running command. Returns the directories removed.
 */
export function sweepOrphanedCopies(parent = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(WORKING_COPY_PREFIX) || name.startsWith(RUN_TMP_PREFIX));
  } catch {
    return removed;
  }
  const mounts = mountPoints();
  for (const name of names) {
    const root = join(parent, name);
    let owner: string;
    try {
      owner = readFileSync(join(root, OWNER_FILE), 'utf8').trim();
    } catch {
      // Being made right now, or not steward's: left alone unless an hour old.
      try {
        if (Date.now() - lstatSync(root).mtimeMs < 3_600_000) continue;
      } catch {
        continue;
      }
      owner = '';
    }
    const [pid = '', start = ''] = owner.split(' ');
    if (ownerAlive(Number(pid), start)) continue;
    if (mounts.has(root)) unmount(root);
    rmSync(root, { recursive: true, force: true });
    removed.push(root);
  }
  return removed;
}
