import { chmodSync, lchownSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { onPath } from './backends/which.ts';
import { isInside } from '../library/tree.ts';
import { STEWARD_ROOT } from '../core/steward-root.ts';

/** nobody: owns nothing steward needs, so a setuid file a run leaves behind grants nothing. */
export const DEFAULT_SANDBOX_UID = 65534;

/**
 * The unprivileged host uid a bubblewrap run is started as when steward runs as root,
 * or undefined when the run keeps steward's own uid (not root; `STEWARD_SANDBOX_UID=0`;
 * no setpriv). Without it, the sandbox's uid maps to host root.
 */
export function sandboxHostUid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (process.getuid?.() !== 0 || !onPath('setpriv')) return undefined;
  const asked = env.STEWARD_SANDBOX_UID?.trim();
  const uid = asked ? Number(asked) : DEFAULT_SANDBOX_UID;
  return Number.isInteger(uid) && uid > 0 && uid < 2 ** 32 - 1 ? uid : undefined;
}

/** Whether every directory on the way to `path` lets `uid` through (it has no groups). */
export function reachableBy(uid: number, path: string): boolean {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (!st || !(st.mode & (st.uid === uid ? 0o100 : 0o001))) return false;
    if (dir === dirname(dir)) return true;
  }
}

/** Lets others through the temporary directory and those under it above `path` (search only, never listing). */
function openWayTo(path: string, temp: string): void {
  for (let dir = dirname(path); isInside(temp, dir); dir = dirname(dir)) {
    const st = statSync(dir);
    if (!(st.mode & 0o001)) chmodSync(dir, (st.mode & 0o7777) | 0o011);
    if (dir === temp) return;
  }
}

function chownTree(path: string, uid: number): void {
  const st = lstatSync(path);
  lchownSync(path, uid, uid);
  if (st.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid);
}

/**
 * Readies a run to start as `uid`: its working directory becomes that uid's, and the
 * temporary directories above it and above the read-only binds are made searchable.
 * Binds are never taken over (steward's own modules may well live in the temporary
 * directory): they must be readable as they are. Returns false, handing nothing over,
 * when that uid still could not reach one of them or steward's install (a `0700`
 * home, say): the run then keeps root's mapping, and its isolation says so.
 */
export function handOver(uid: number, cwd: string, binds: readonly string[]): boolean {
  const temp = resolve(tmpdir());
  const paths = [resolve(cwd), ...binds.map((b) => resolve(b))];
  for (const path of paths) if (isInside(temp, path)) openWayTo(path, temp);
  const readable = (path: string): boolean => {
    const st = statSync(path, { throwIfNoEntry: false });
    const [r, x] = st?.uid === uid ? [0o400, 0o100] : [0o004, 0o001];
    return st !== undefined && (st.mode & r) !== 0 && (!st.isDirectory() || (st.mode & x) !== 0);
  };
  if (![STEWARD_ROOT, ...paths].every((path) => reachableBy(uid, path)) || !paths.slice(1).every(readable)) return false;
  chownTree(resolve(cwd), uid);
  return true;
}
