import { messageOf } from '../core/errors.ts';
import { git, gitRaw } from './git/run.ts';
import { commitIdentity, type Library } from './library.ts';

/** How a proposal merged on the forge came into the library's HEAD, or why it did not. */
export type BroughtIn = { state: 'present' | 'pulled' | 'merged' } | { state: 'gone' | 'not-brought-in'; why: string };

/**
 * A proposal the forge merged, brought into the library so `settle` can release it.
 * With the library's remote on the forge (`remote`), HEAD is fast-forwarded to the
 * forge's base branch: the forge's own merge commit. Without one, the same fix commit
 * is merged locally (the forge's merge has the same tree when the base had not moved).
 * Only on the base branch, and never over a conflict: then it says why and leaves the
 * library as it was.
 */
export async function bringInMerged(library: Library, proposal: { number: number; branch: string }, base: string, remote?: string): Promise<BroughtIn> {
  const tip = await gitRaw(library.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${proposal.branch}^{commit}`]);
  if (tip.code !== 0) return { state: 'gone', why: `branch ${proposal.branch} is not in the library` };
  const present = async () => (await gitRaw(library.root, ['merge-base', '--is-ancestor', '--end-of-options', tip.stdout.trim(), 'HEAD'])).code === 0;
  if (await present()) return { state: 'present' };
  const head = (await gitRaw(library.root, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).stdout.trim();
  if (head !== base) return { state: 'not-brought-in', why: `the library is on ${head || 'a detached HEAD'}, not ${base}` };
  try {
    if (remote) {
      await git(library.root, ['fetch', '--quiet', '--end-of-options', remote, `refs/heads/${base}`]);
      await git(library.root, ['merge', '--ff-only', '--quiet', '--end-of-options', 'FETCH_HEAD']);
      return (await present()) ? { state: 'pulled' } : { state: 'not-brought-in', why: `${remote}/${base} does not hold the fix commit yet` };
    }
    const message = `Merge pull request #${proposal.number} from ${proposal.branch}`;
    const merged = await gitRaw(library.root, ['merge', '--no-ff', '--quiet', '-m', message, '--end-of-options', `refs/heads/${proposal.branch}`], {
      env: commitIdentity(library),
    });
    if (merged.code !== 0) {
      await gitRaw(library.root, ['merge', '--abort']);
      return { state: 'not-brought-in', why: `git merge failed: ${merged.stderr.trim() || merged.stdout.trim()}` };
    }
    return { state: 'merged' };
  } catch (error) {
    return { state: 'not-brought-in', why: messageOf(error) };
  }
}
