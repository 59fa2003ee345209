import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { readRegularFile } from '../../orchestrator/core/files.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'steward',
  GIT_AUTHOR_EMAIL: 'steward@localhost',
  GIT_COMMITTER_NAME: 'steward',
  GIT_COMMITTER_EMAIL: 'steward@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  HOME: '/nonexistent',
};

/** A plugin-relative path as steward keeps it: no `.`, `..`, `//`, leading `/`, `.git`, or control characters. */
export function normalPath(path: string): string {
  const normal = posix.normalize(path);
  const bad =
    normal !== path ||
    path.startsWith('/') ||
    path.startsWith('../') ||
    path === '..' ||
    path === '.' ||
    /(^|\/)\.git(\/|$)/.test(path) ||
    [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (bad || path.length === 0) throw new StewardError('E_USAGE', `path "${path}" is outside the working copy`);
  return path;
}

/**
 * The absolute path of a plugin-relative one under `root`; refused when it, or any
 * directory on its way, is a symlink (a link is never followed out, or in).
 */
export function confinedPath(root: string, path: string): string {
  const parts = normalPath(path).split('/');
  let at = root;
  for (const part of parts) {
    at = join(at, part);
    let stat;
    try {
      stat = lstatSync(at);
    } catch {
      break; // The rest does not exist yet: nothing to follow.
    }
    if (stat.isSymbolicLink()) throw new StewardError('E_USAGE', `path "${path}" goes through a symlink`);
  }
  return join(root, ...parts);
}

/** Writes whole files (null: removes one) under `root`, never through a link. */
export function applyFiles(root: string, files: Record<string, string | null>): void {
  for (const [path, text] of Object.entries(files)) {
    const target = confinedPath(root, path);
    if (text === null) rmSync(target, { force: true });
    else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text, { flag: 'w' });
    }
  }
}

/**
 * A working copy whose changes git can tell: the git directory lives beside the copy,
 * out of every sandbox's sight, so code run in the sandbox can plant no hook, config
 * or fsmonitor that the host's git would run. Paths are confined: every component is
 * checked with lstat, so no symlink is ever followed out (or in).
 */
export class Workspace {
  readonly copy: WorkingCopy;
  private readonly gitDir: string;

  constructor(pluginDir: string, quotaMb?: number) {
    this.copy = createWorkingCopy(pluginDir, { quotaMb });
    this.gitDir = join(dirname(this.copy.dir), 'git');
    try {
      this.git(['init', '-q']);
      this.git(['add', '-A']);
      this.git(['commit', '-q', '--no-verify', '-m', 'original', '--allow-empty']);
    } catch (error) {
      this.copy.dispose();
      throw error;
    }
  }

  private git(args: string[]): string {
    return execFileSync(
      'git',
      [
        '--git-dir',
        this.gitDir,
        '--work-tree',
        this.copy.dir,
        '-c',
        'core.autocrlf=false',
        '-c',
        'core.fsmonitor=false',
        '-c',
        'core.hooksPath=/dev/null',
        '-c',
        'core.quotepath=false',
        '-c',
        'core.attributesFile=/dev/null',
        ...args,
      ],
      { cwd: this.copy.dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024 },
    );
  }

  get dir(): string {
    return this.copy.dir;
  }

  /** The absolute path of a plugin-relative one; refused when it, or any directory on its way, is a symlink. */
  resolve(path: string): string {
    return confinedPath(this.dir, path);
  }

  /** Whether anything is at the path (a link counts; it is not followed). */
  exists(path: string): boolean {
    try {
      lstatSync(this.resolve(path));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** A regular file's text, opened without following a link. */
  read(path: string): string {
    const text = readRegularFile(this.resolve(path));
    if (text === undefined) throw new StewardError('E_USAGE', `"${path}" is not a regular file`);
    return text;
  }

  write(path: string, text: string | null): void {
    applyFiles(this.dir, { [path]: text });
  }

  apply(files: Record<string, string | null>): void {
    applyFiles(this.dir, files);
  }

  /** The change as a unified diff relative to the plugin root (`a/src/x.js`), every file as text. */
  diff(): string {
    this.git(['add', '-A']);
    return this.git(['diff', '--cached', '--no-color', '--no-ext-diff', '--no-renames', '--text']);
  }

  /** Changed files with their added and removed line counts (as text, no rename detection). */
  stats(): { path: string; added: number; removed: number }[] {
    this.git(['add', '-A']);
    const fields = this.git(['diff', '--cached', '--numstat', '-z', '--no-renames', '--text']).split('\0').filter(Boolean);
    return fields.map((field) => {
      const [added, removed, path] = field.split('\t');
      return { path: path ?? '', added: Number(added) || 0, removed: Number(removed) || 0 };
    });
  }

  dispose(): void {
    this.copy.dispose();
  }
}
