import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { isInside } from '../../orchestrator/library/tree.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';

const GIT_ENV = { GIT_AUTHOR_NAME: 'steward', GIT_AUTHOR_EMAIL: 'steward@localhost', GIT_COMMITTER_NAME: 'steward', GIT_COMMITTER_EMAIL: 'steward@localhost', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'core.quotepath=false', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * A working copy under git, so that what a fixer changed is one `git diff` away: a
 * unified diff relative to the plugin root, and its line counts for the policy.
 */
export class Workspace {
  readonly copy: WorkingCopy;

  constructor(pluginDir: string) {
    this.copy = createWorkingCopy(pluginDir);
    try {
      git(this.copy.dir, ['init', '-q']);
      git(this.copy.dir, ['add', '-A']);
      git(this.copy.dir, ['commit', '-q', '--no-verify', '-m', 'original', '--allow-empty']);
    } catch (error) {
      this.copy.dispose();
      throw error;
    }
  }

  get dir(): string {
    return this.copy.dir;
  }

  /** A path inside the copy, through any symlinks; anything else is refused. */
  resolve(path: string): string {
    const target = resolve(this.dir, path);
    const root = realpathSync(this.dir);
    let real = target;
    // The deepest existing ancestor decides where a new file would really land.
    let probe = target;
    while (!existsSync(probe) && probe !== dirname(probe)) probe = dirname(probe);
    real = join(realpathSync(probe), target.slice(probe.length));
    if (!isInside(root, real) || real === root || /(^|\/)\.git(\/|$)/.test(path)) {
      throw new StewardError('E_USAGE', `path "${path}" is outside the working copy`);
    }
    return target;
  }

  read(path: string): string {
    return readFileSync(this.resolve(path), 'utf8');
  }

  write(path: string, text: string | null): void {
    const target = this.resolve(path);
    if (text === null) rmSync(target, { force: true });
    else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  }

  apply(files: Record<string, string | null>): void {
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  /** The change as a unified diff relative to the plugin root (`a/src/x.js`). */
  diff(): string {
    git(this.dir, ['add', '-A']);
    return git(this.dir, ['diff', '--cached', '--no-color', '--no-ext-diff']);
  }

  /** Changed files with their added and removed line counts. */
  stats(): { path: string; added: number; removed: number }[] {
    git(this.dir, ['add', '-A']);
    return git(this.dir, ['diff', '--cached', '--numstat'])
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [added, removed, path] = line.split('\t');
        return { path: path ?? '', added: Number(added) || 0, removed: Number(removed) || 0 };
      });
  }

  /** Changed files as whole texts: what a candidate carries. */
  changedFiles(): Record<string, string | null> {
    const files: Record<string, string | null> = {};
    for (const { path } of this.stats()) files[path] = existsSync(join(this.dir, path)) ? readFileSync(join(this.dir, path), 'utf8') : null;
    return files;
  }

  dispose(): void {
    this.copy.dispose();
  }
}
