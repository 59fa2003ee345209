import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import type { SandboxBackend } from '../../types.ts';
import { DEFAULT_DISK_MB, quotaFor } from '../../disk-quota.ts';
import { onPath } from '../which.ts';

/** Read-only bits of /etc that programs need to start (dynamic loader cache, alternatives, certificates, users). */
const ETC = [
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/mime.types',
];

let sizes: boolean | undefined;

/** Whether this bubblewrap takes `--size` for a tmpfs (0.5 and later), asked once. */
export function bwrapSizesTmpfs(): boolean {
  if (sizes === undefined) {
    const help = spawnSync(onPath('bwrap') ?? 'bwrap', ['--help'], { encoding: 'utf8' });
    sizes = `${help.stdout ?? ''}${help.stderr ?? ''}`.includes('--size');
  }
  return sizes;
}

/** The merged-/usr links (/bin → usr/bin …), or real directories on older layouts. */
function rootDirs(): string[] {
  const args: string[] = [];
  for (const dir of ['/bin', '/lib', '/lib64', '/lib32', '/libx32', '/sbin']) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  return args;
}

/**
 * bubblewrap: new user, pid, net, ipc, uts and mount namespaces; the system read-only;
 * only the working copy writable; a private /tmp; no environment but the one bwrap is
 * started with (the run's, nothing of steward's);
 * and the sandbox dies with the runner.
 */
export const bubblewrap: SandboxBackend = {
  name: 'bubblewrap',
  available: () => onPath('bwrap') !== undefined,
  wrap(spec, env) {
    const args = [
      onPath('bwrap') ?? 'bwrap',
      '--unshare-all',
      ...(spec.network ? ['--share-net'] : []),
      '--unshare-user',
      '--uid',
      '1000',
      '--gid',
      '1000',
      '--die-with-parent',
      '--new-session',
      '--ro-bind',
      '/usr',
      '/usr',
      ...rootDirs(),
      ...ETC.flatMap((path) => ['--ro-bind-try', path, path]),
      ...(spec.network ? ['--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf'] : []),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      // /tmp is memory: sized like the working copy, or a plugin could fill the machine's RAM
      // (bubblewrap 0.5 and later; doctor says when an older one leaves it unbounded).
      ...(bwrapSizesTmpfs() ? ['--size', String(quotaFor(spec.cwd)?.bytes ?? DEFAULT_DISK_MB * 1024 * 1024)] : []),
      '--tmpfs',
      '/tmp',
      '--bind',
      spec.cwd,
      spec.cwd,
      ...(spec.readOnlyBinds ?? []).flatMap((b) => ['--ro-bind', b.source, b.target]),
      '--chdir',
      spec.cwd,
      '--',
      ...spec.argv,
    ];
    return {
      argv: args,
      // The environment goes to bwrap as its own, never as --setenv arguments: a
      // process's arguments are readable by every user on the host, its environment not.
      env,
      isolation: {
        namespaces: ['user', 'pid', 'net', 'ipc', 'uts', 'mount', 'cgroup'],
        network: spec.network ? 'on' : 'off',
        filesystem: 'read-only system, writable working copy',
      },
    };
  },
};
