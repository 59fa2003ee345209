import { GitError, StewardError } from '../../core/errors.ts';
import { git, gitRaw } from '../git/run.ts';
import { assertClean, assertRepo, commitIdentityEnv, fetchBranch, headCommit, resolveRemoteBranch } from '../git/repo.ts';
import { type Library, pluginPrefix, requirePlugin } from '../library.ts';
import { loadManifest, MANIFEST_FILE } from '../manifest.ts';
import { withRollback } from './transaction.ts';
import { verifyIncomingPlugin } from './verify.ts';

export interface PullResult {
  name: string;
  url: string;
  branch: string;
  /** False when upstream had nothing new. */
  changed: boolean;
  head: string;
}

export function upstreamOf(library: Library, name: string): { url: string; branch: string } {
  const dir = requirePlugin(library, name);
  const manifest = loadManifest(dir, `${pluginPrefix(library, name)}/${MANIFEST_FILE}`);
  if (!manifest.upstream) {
    throw new StewardError('E_NO_UPSTREAM', `plugin "${name}" has no upstream recorded`, {
      file: `${pluginPrefix(library, name)}/${MANIFEST_FILE}`,
      path: '$.upstream',
      hint: 'set "upstream": { "url": …, "branch": … } in its manifest',
    });
  }
  return manifest.upstream;
}

/** `steward plugin pull`: upstream's new commits merged into the subtree with a merge commit. */
export async function pullPlugin(library: Library, name: string): Promise<PullResult> {
  const { url, branch } = upstreamOf(library, name);
  const prefix = pluginPrefix(library, name);
  await assertRepo(library.root);
  await assertClean(library.root, `pull ${name}`);
  await resolveRemoteBranch(library.root, url, branch);
  const identity = await commitIdentityEnv(library.root);
  const before = await headCommit(library.root);

  return withRollback(library.root, prefix, async () => {
    const upstreamCommit = await fetchBranch(library.root, url, branch);
    const pulled = await gitRaw(library.root, ['subtree', 'merge', `--prefix=${prefix}`, '-m', `steward: pull ${name} from ${url} (${branch})`, '--', upstreamCommit], {
      env: identity,
    });
    if (pulled.code !== 0) {
      const conflicts = (await git(library.root, ['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
      if (conflicts.length > 0) {
        throw new GitError('E_PULL_CONFLICT', `upstream changes conflict with the library's in ${conflicts.join(', ')}`, {
          hint: `resolve by hand: git subtree pull --prefix=${prefix} -- ${url} ${branch}`,
        });
      }
      const said = (pulled.stderr || pulled.stdout).trim().split('\n').slice(-2).join(' / ');
      throw new GitError('E_GIT_FAILED', `git subtree merge failed: ${said}`);
    }
    verifyIncomingPlugin(library, name, requirePlugin(library, name));
    // Where a plugin comes from is the library's decision, not the upstream's: a pull may not move it.
    const now = upstreamOf(library, name);
    if (now.url !== url || now.branch !== branch) {
      throw new StewardError('E_UPSTREAM_CHANGED', `the pull would change the plugin's recorded upstream from ${url} (${branch}) to ${now.url} (${now.branch})`, {
        file: `${prefix}/${MANIFEST_FILE}`,
        path: '$.upstream',
        hint: 'if the plugin really moved, change "upstream" in the library by hand and commit, then pull',
      });
    }
    const head = await headCommit(library.root);
    return { name, url, branch, changed: head !== before, head };
  });
}
