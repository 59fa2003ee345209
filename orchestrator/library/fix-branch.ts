import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { assertBranchName } from './git/repo.ts';
import { git, gitRaw } from './git/run.ts';
import { commitIdentity, type Library } from './library.ts';

async function must(library: Library, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  return (await git(library.root, args, options)).trim();
}

/**
 * A fix as a branch of the library: one commit on top of HEAD that changes the
 * plugin's files, made with git's plumbing and a private index, so that the work
 * tree, the index and the checked-out branch are never touched. Never a commit on
 * the main branch.
 */
export async function createFixBranch(
  library: Library,
  plugin: string,
  wanted: string,
  files: Record<string, string | null>,
  message: string,
  base?: string,
): Promise<{ branch: string; commit: string }> {
  const prefix = posix.join(relative(library.root, library.paths.plugins).split(sep).join('/'), plugin);
  // The commit the fix was validated on, so that nothing committed since is silently undone.
  const head = await must(library, ['rev-parse', '--verify', '--end-of-options', `${base ?? 'HEAD'}^{commit}`]);
  // Checked here first: check-ref-format takes no --end-of-options, so a name may not start with "-".
  assertBranchName(wanted);
  await must(library, ['check-ref-format', '--branch', wanted]);
  const scratch = mkdtempSync(join(tmpdir(), 'steward-index-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await must(library, ['read-tree', '--end-of-options', head], { env });
    for (const [path, text] of Object.entries(files)) {
      const target = `${prefix}/${path}`;
      if (text === null) {
        await must(library, ['update-index', '--force-remove', '--', target], { env });
        continue;
      }
      const blob = await must(library, ['hash-object', '-w', '--stdin'], { input: text });
      const listed = await must(library, ['ls-tree', '--end-of-options', head, '--', target]);
      const mode = /^(\d+) blob /.exec(listed)?.[1] ?? (listed ? 'other' : '100644');
      // A text can only replace a regular file: never a symlink, a submodule or a directory.
      if (mode !== '100644' && mode !== '100755') throw new StewardError('E_USAGE', `${target} is not a regular file in the library; a fix may not replace it`);
      await must(library, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${target}`], { env });
    }
    const tree = await must(library, ['write-tree'], { env });
    const commit = await must(library, ['commit-tree', tree, '-p', head], {
      input: `${message}\n`,
      env: commitIdentity(library),
    });
    // Create-only: a branch another run made (for the same group) is never moved under its proposal.
    for (let n = 1; ; n++) {
      const branch = n === 1 ? wanted : `${wanted}-${n}`;
      const made = await gitRaw(library.root, ['update-ref', '--end-of-options', `refs/heads/${branch}`, commit, '0000000000000000000000000000000000000000']);
      if (made.code === 0) return { branch, commit };
      if (n >= 20) throw new StewardError('E_GIT_FAILED', `cannot create a branch ${wanted}: ${made.stderr.trim()}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
