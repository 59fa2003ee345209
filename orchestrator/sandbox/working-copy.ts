import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { isInside, leadsInside } from '../library/tree.ts';
import { STEWARD_ROOT } from '../core/steward-root.ts';
import { claimQuota, DEFAULT_DISK_MB, releaseQuota, WORKING_COPY_PREFIX, type DiskQuota } from './disk-quota.ts';

/** steward's own node_modules: where a TypeScript plugin's loader (tsx) resolves from. */
const STEWARD_NODE_MODULES = join(STEWARD_ROOT, 'node_modules');

export interface WorkingCopy {
  /** The copy of the plugin: the sandbox's working directory. */
  dir: string;
  /** Symlinks left out because they lead outside the plugin. */
  skipped: string[];
  /** Binds a sandbox needs for this copy (the module resolver's node_modules). */
  binds: { source: string; target: string }[];
  /** What the copy may hold; a run that writes more is killed. */
  quota: DiskQuota;
  dispose(): void;
}

function copyTree(from: string, to: string, root: string, skipped: string[]): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) {
      const link = readlinkSync(source);
      // A link is copied as a link only when it stays inside the plugin, all links on its way
      // followed; its target is never copied.
      const inside = !link.startsWith('/') && isInside(root, resolve(dirname(source), link)) && leadsInside(root, source) && existsSync(source);
      if (inside) symlinkSync(link, target);
      else skipped.push(relative(root, source));
    } else if (entry.isDirectory()) {
      copyTree(source, target, root, skipped);
    } else if (entry.isFile()) {
      copyFileSync(source, target);
      chmodSync(target, lstatSync(source).mode & 0o777);
    }
  }
}

/**
 * A fresh copy of a plugin for one run, in its own temporary directory, with a size
 * quota (default DEFAULT_DISK_MB): its own tmpfs, mounted nosuid and nodev, where steward
 * may mount one (as root; a setuid file made in the sandbox is then inert on the host),
 * else a limit the sandbox checks while the run goes.
 */
export function createWorkingCopy(pluginDir: string, options: { parent?: string; quotaMb?: number | undefined } = {}): WorkingCopy {
  const root = mkdtempSync(join(options.parent ?? tmpdir(), WORKING_COPY_PREFIX));
  const quota = claimQuota(root, (options.quotaMb ?? DEFAULT_DISK_MB) * 1024 * 1024);
  const dir = join(root, 'plugin');
  const skipped: string[] = [];
  const dispose = (): void => {
    releaseQuota(quota);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    copyTree(pluginDir, dir, pluginDir, skipped);
    symlinkSync(STEWARD_NODE_MODULES, join(root, 'node_modules'));
  } catch (error) {
    dispose();
    throw error;
  }
  return {
    dir,
    skipped,
    binds: [{ source: STEWARD_NODE_MODULES, target: join(root, 'node_modules') }],
    quota,
    dispose,
  };
}

/** Adds files (a reproduction test, hidden eval tests) to a working copy for one run. */
export function addFiles(copy: WorkingCopy, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const target = resolve(copy.dir, path);
    if (!isInside(copy.dir, target) || target === copy.dir) {
      throw new StewardError('E_USAGE', `extra test file "${path}" would land outside the working copy`);
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}
