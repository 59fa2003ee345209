import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createScratchLibrary, createUpstream } from '../../orchestrator/library/scratch.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { writePlugin, type PluginFiles } from './plugins.ts';
import { tempDir } from './temp.ts';

export const STEWARD_ROOT = join(import.meta.dirname, '..', '..');

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Synchronous git for test set-up and assertions; the code under test uses its own runner. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface UpstreamFixture {
  /** The bare repository a library adds from. */
  bare: string;
  /** A clone for making upstream changes (push to `bare`). */
  work: string;
}

/** A bare upstream repository holding one plugin, plus a work clone to change it with. */
export async function makeUpstream(root: string, name: string, files: PluginFiles = {}): Promise<UpstreamFixture> {
  const source = writePlugin(join(root, `${name}-src`), name, files);
  const bare = join(root, `${name}.git`);
  const work = await createUpstream(source, bare);
  sh(work, 'remote', 'add', 'origin', bare);
  sh(work, 'fetch', '-q', 'origin');
  sh(work, 'branch', '-q', '--set-upstream-to=origin/main', 'main');
  return { bare, work };
}

/** A committed, empty library with steward's templates and playbooks. */
export async function makeLibrary(root = tempDir()): Promise<Library> {
  return createScratchLibrary(join(root, 'library'), STEWARD_ROOT);
}

export function commitFile(repo: string, path: string, text: string, message: string): string {
  execFileSync('sh', ['-c', `mkdir -p "$(dirname "$1")" && printf '%s' "$2" > "$1"`, 'sh', join(repo, path), text]);
  sh(repo, 'add', '-A');
  sh(repo, 'commit', '-q', '-m', message);
  return sh(repo, 'rev-parse', 'HEAD');
}
