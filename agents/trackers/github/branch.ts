import { execFileSync } from 'node:child_process';
import type { Octokit } from '@octokit/rest';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import { git } from '../../../orchestrator/library/git/run.ts';
import { isGitHubStatus } from './client.ts';

interface Repo {
  owner: string;
  repo: string;
}

interface Change {
  path: string;
  mode: string;
  /** The new blob, or null when the change deletes the file. */
  blob: string | null;
}

/** What a one-commit fix branch changes against its parent, from `git diff-tree -z`. */
async function changesOf(root: string, parent: string, tip: string): Promise<Change[]> {
  const out = await git(root, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', '--end-of-options', parent, tip]);
  const fields = out.split('\0');
  const changes: Change[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = /^:(\d{6}) (\d{6}) [0-9a-f]+ ([0-9a-f]+) ([A-Z])/.exec(fields[i] ?? '');
    const path = fields[i + 1];
    if (!meta || path === undefined) continue;
    const [, oldMode, newMode, blob, status] = meta;
    changes.push(status === 'D' ? { path, mode: oldMode!, blob: null } : { path, mode: newMode!, blob: blob! });
  }
  return changes;
}

/**
 * Puts a local fix branch on GitHub through the Git Data API (blobs, a tree on the
 * parent's tree, a commit, a ref), so no git credentials or push are needed. The
 * parent must already be on GitHub: it is the library commit the fix was validated on.
 * A ref left by an earlier attempt is reused when it holds the same tree; a branch
 * that holds something else is a person's and is never overwritten.
 */
export async function mirrorBranch(octokit: Octokit, repo: Repo, root: string, branch: string): Promise<{ commit: string; same: boolean }> {
  const tip = (await git(root, ['rev-parse', '--verify', '--end-of-options', `refs/heads/${branch}^{commit}`])).trim();
  const parent = (await git(root, ['rev-parse', '--verify', '--end-of-options', `${tip}^1`])).trim();
  let baseTree: string;
  try {
    baseTree = (await octokit.rest.git.getCommit({ ...repo, commit_sha: parent })).data.tree.sha;
  } catch (error) {
    if (!isGitHubStatus(error, 404, 422)) throw error;
    throw new StewardError('E_TRACKER_CONFLICT', `the fix's base commit ${parent.slice(0, 12)} is not on GitHub (${repo.owner}/${repo.repo})`, {
      hint: 'push the library branch the fix was made on, then approve or retry the run',
    });
  }
  const tree = [];
  for (const change of await changesOf(root, parent, tip)) {
    if (change.blob === null) {
      tree.push({ path: change.path, mode: change.mode as '100644', type: 'blob' as const, sha: null });
      continue;
    }
    // The blob's bytes as git has them, not through a string: nothing is re-encoded.
    const content = execFileSync('git', ['cat-file', 'blob', change.blob], { cwd: root, maxBuffer: 64 * 1024 * 1024 }).toString('base64');
    const blob = await octokit.rest.git.createBlob({ ...repo, content, encoding: 'base64' });
    tree.push({ path: change.path, mode: change.mode as '100644', type: 'blob' as const, sha: blob.data.sha });
  }
  const madeTree = await octokit.rest.git.createTree({ ...repo, base_tree: baseTree, tree });
  // The commit exactly as the library has it (message byte for byte, author and
  // committer with their dates), so GitHub's id is the library's and a merge on either
  // side is recognised on the other.
  const identity = (await git(root, ['show', '-s', '--format=%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI', '--end-of-options', tip])).trim().split('\0');
  const message = execFileSync('git', ['cat-file', 'commit', tip], { cwd: root, encoding: 'utf8' }).split('\n\n').slice(1).join('\n\n');
  const person = (at: number) => ({ name: identity[at] ?? 'steward', email: identity[at + 1] ?? 'steward@localhost', ...(identity[at + 2] ? { date: identity[at + 2] } : {}) });
  const commit = await octokit.rest.git.createCommit({ ...repo, message, tree: madeTree.data.sha, parents: [parent], author: person(0), committer: person(3) });
  const same = commit.data.sha === tip;
  try {
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.data.sha });
    return { commit: commit.data.sha, same };
  } catch (error) {
    if (!isGitHubStatus(error, 422)) throw error;
  }
  const existing = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
  const held = await octokit.rest.git.getCommit({ ...repo, commit_sha: existing.data.object.sha });
  if (held.data.tree.sha !== madeTree.data.sha) {
    throw new StewardError('E_TRACKER_CONFLICT', `branch ${branch} already exists on GitHub with other content; steward does not overwrite it`, {
      hint: `delete the branch on GitHub if it is stale, then retry the run`,
    });
  }
  return { commit: existing.data.object.sha, same: existing.data.object.sha === tip };
}
