import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, writeSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import { readRegularFile } from '../../../orchestrator/core/files.ts';
import { isInside } from '../../../orchestrator/library/tree.ts';

/** Directories that hold no test of the plugin's own: dependencies, builds, caches, steward's. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.steward', '__pycache__', '.venv', 'venv', '.tox', '.pytest_cache', 'dist', 'build', 'coverage', 'test-results']);
const MAX_DEPTH = 6;
const MAX_FILES = 5000;
/** A test file longer than this is not one to learn a style from. */
const MAX_READ_BYTES = 256 * 1024;

/**
 * The plugin's directory as the regression test sees it. It is the maintainers' code
 * and may hold anything (a symlinked `test/` to a host directory, say): reads and
 * writes never follow a link and never leave the plugin.
 */
export class PluginFiles {
  private listing: string[] | undefined;
  private readonly texts = new Map<string, string | undefined>();

  constructor(readonly root: string) {}

  /** Plugin-relative, "/"-separated paths of the regular files, links not followed. */
  list(): string[] {
    if (this.listing) return this.listing;
    const out: string[] = [];
    const visit = (dir: string, depth: number): void => {
      if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
      let entries;
      try {
        entries = readdirSync(join(this.root, dir), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) visit(path, depth + 1);
        else if (entry.isFile() && out.length < MAX_FILES) out.push(path);
      }
    };
    visit('', 0);
    this.listing = out;
    return out;
  }

  /** Whether `path` is a real directory of the plugin (not a link to one). */
  isDirectory(path: string): boolean {
    const full = this.inside(path);
    if (!full) return false;
    try {
      return lstatSync(full).isDirectory() && this.parentIsReal(full);
    } catch {
      return false;
    }
  }

  /** The text of a regular file of the plugin, or undefined (absent, a link, too large, outside). */
  read(path: string): string | undefined {
    const key = posix.normalize(path);
    if (this.texts.has(key)) return this.texts.get(key);
    const text = this.readUncached(key);
    this.texts.set(key, text);
    return text;
  }

  private readUncached(path: string): string | undefined {
    const full = this.inside(path);
    if (!full || !this.parentIsReal(full)) return undefined;
    try {
      return readRegularFile(full, MAX_READ_BYTES);
    } catch {
      return undefined;
    }
  }

  /**
   * Writes a file of the plugin, making its missing directories. Refuses (typed) a
   * path whose directories or file are links or not what they seem, rather than write
   * where a link leads.
   */
  write(path: string, text: string): void {
    const full = this.inside(path);
    if (!full) throw new StewardError('E_USAGE', `the regression test's path "${path}" is not inside the plugin`);
    const parts = posix.normalize(path).split('/');
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      let stat;
      try {
        stat = lstatSync(dir);
      } catch {
        mkdirSync(dir);
        continue;
      }
      if (!stat.isDirectory())
        throw new StewardError('E_SYMLINK_ESCAPE', `"${path}": ${parts.slice(0, -1).join('/')} is a link or not a directory; the regression test is not written through it`);
    }
    let fd: number;
    try {
      fd = openSync(full, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new StewardError('E_SYMLINK_ESCAPE', `"${path}" is a link in the plugin; the regression test is not written through it`);
      throw error;
    }
    try {
      if (!fstatSync(fd).isFile()) throw new StewardError('E_SYMLINK_ESCAPE', `"${path}" is not a regular file in the plugin`);
      const buffer = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
    } finally {
      closeSync(fd);
    }
    this.texts.set(posix.normalize(path), text);
  }

  /** The absolute path of a plugin-relative one, or undefined when it climbs out. */
  private inside(path: string): string | undefined {
    const normal = posix.normalize(path);
    if (normal.startsWith('/') || normal === '..' || normal.startsWith('../')) return undefined;
    const full = join(this.root, normal);
    return isInside(this.root, full) ? full : undefined;
  }

  /** Whether the directories on the way to `full` are the plugin's own, no link among them. */
  private parentIsReal(full: string): boolean {
    try {
      return realpathSync(dirname(full)) === join(realpathSync(this.root), relative(this.root, dirname(full)));
    } catch {
      return false;
    }
  }
}
