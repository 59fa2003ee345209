import { lstatSync, readdirSync, readlinkSync, realpathSync, type Dirent } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Directories a walk of a plugin never enters: dependencies, build output, VCS data. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'test-results', 'coverage']);

export interface TreeEntry {
  /** Path relative to the plugin root, "/"-separated. */
  path: string;
  kind: 'file' | 'symlink';
  size: number;
  /** For symlinks: the link text as written. */
  target?: string;
}

/** Calls `onEntry` for every file and symlink under `root`, without following symlinks. */
function visitTree(root: string, onEntry: (path: string, full: string, entry: Dirent) => void): void {
  const visit = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = prefix + entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) visit(full, `${path}/`);
      } else if (entry.isSymbolicLink() || entry.isFile()) {
        onEntry(path, full, entry);
      }
    }
  };
  visit(root, '');
}

function byPath(a: TreeEntry, b: TreeEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Every file and symlink in a plugin, without following symlinks. */
export function walkPlugin(root: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  visitTree(root, (path, full, entry) =>
    entries.push(entry.isSymbolicLink() ? { path, kind: 'symlink', size: 0, target: readlinkSync(full) } : { path, kind: 'file', size: lstatSync(full).size }),
  );
  return entries.sort(byPath);
}

/** The symlinks alone: what the escape check needs, without a stat of every file. */
function symlinksIn(root: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  visitTree(root, (path, full, entry) => {
    if (entry.isSymbolicLink()) entries.push({ path, kind: 'symlink', size: 0, target: readlinkSync(full) });
  });
  return entries.sort(byPath);
}

export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Where a symlink in a plugin leads: inside the plugin, to a managed template, or out. */
function classifySymlink(pluginRoot: string, linkPath: string, target: string, linkedDir: string): 'inside' | 'managed' | 'escape' {
  const from = join(pluginRoot, linkPath);
  const resolved = resolve(dirname(from), target);
  if (!isAbsolute(target) && isInside(pluginRoot, resolved) && leadsInside(pluginRoot, from)) return 'inside';
  if (!isAbsolute(target) && linkPath.startsWith('.steward/') && isInside(linkedDir, resolved)) return 'managed';
  return 'escape';
}

/**
 * Where a link really ends, following every link on the way: `a -> ..` plus
 * `b -> a/a/../..` reads as inside but leads out. A dangling link leads nowhere.
 */
export function leadsInside(root: string, link: string): boolean {
  let real: string;
  try {
    real = realpathSync.native(link);
  } catch {
    return true;
  }
  return isInside(realpathSync.native(root), real);
}

/** Symlinks that leave the plugin other than steward's own template links. */
export function escapingSymlinks(pluginRoot: string, linkedDir: string, entries = symlinksIn(pluginRoot)): TreeEntry[] {
  return entries.filter((e) => e.kind === 'symlink' && classifySymlink(pluginRoot, e.path, e.target ?? '', linkedDir) === 'escape');
}
