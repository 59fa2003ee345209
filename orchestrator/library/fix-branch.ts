import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { git } from './git/run.ts';
import type { Library } from './library.ts';

async function must(library: Library, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  return (await git(library.root, args, options)).trim();
}

/**
 * A fix as a branch of the library: one commit on top of HEAD that changes the
 * plugin's files, made with git's plumbing and a private index, so that the work
 * tree, the index and the checked-out branch are never touched. Never a commit on
 * the main branch.
 */
export async function createFixBranch(library: Library, plugin: string, branch: string, files: Record<string, string | null>, message: string): Promise<{ branch: string; commit: string }> {
  const prefix = `${library.config.pluginsDir}/${plugin}`;
  const head = await must(library, ['rev-parse', '--verify', 'HEAD^{commit}']);
  const current = await must(library, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '');
  if (current === branch) throw new StewardError('E_USAGE', `${branch} is checked out: steward will not commit to it`);
  const scratch = mkdtempSync(join(tmpdir(), 'steward-index-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await must(library, ['read-tree', head], { env });
    for (const [path, text] of Object.entries(files)) {
      const target = `${prefix}/${path}`;
      if (text === null) {
        await must(library, ['update-index', '--force-remove', '--', target], { env });
        continue;
      }
      const blob = await must(library, ['hash-object', '-w', '--stdin'], { input: text });
      const listed = await must(library, ['ls-tree', head, '--', target]);
      const mode = /^(\d+) blob /.exec(listed)?.[1] ?? '100644';
      await must(library, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${target}`], { env });
    }
    const tree = await must(library, ['write-tree'], { env });
    const commit = await must(library, ['commit-tree', tree, '-p', head], { input: `${message}\n`, env: { GIT_AUTHOR_NAME: 'steward', GIT_AUTHOR_EMAIL: 'steward@localhost', GIT_COMMITTER_NAME: 'steward', GIT_COMMITTER_EMAIL: 'steward@localhost' } });
    await must(library, ['update-ref', `refs/heads/${branch}`, commit]);
    return { branch, commit };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
