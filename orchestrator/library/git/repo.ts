import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { GitError, StewardError } from '../../core/errors.ts';
import { branchProblem, GIT_REMOTE_ENV, redactRemote, remoteKind, remoteProblem, withoutCredentials } from './remote.ts';
import { git, gitRaw } from './run.ts';

export async function assertRepo(root: string): Promise<void> {
  const inside = await gitRaw(root, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') {
    throw new GitError('E_NOT_A_REPO', `${root} is not a git work tree`, { hint: 'run "git init" and commit first' });
  }
  const head = await gitRaw(root, ['rev-parse', '--verify', '-q', '--end-of-options', 'HEAD^{commit}']);
  if (head.code !== 0) {
    throw new GitError('E_NOT_A_REPO', `${root} has no commit yet`, { hint: 'commit the library once before adding plugins' });
  }
}

export async function headCommit(root: string): Promise<string> {
  return (await git(root, ['rev-parse', '--verify', '--end-of-options', 'HEAD^{commit}'])).trim();
}

/** Tracked files with changes, staged or not; untracked files do not count. */
export async function dirtyPaths(root: string, pathspec?: string): Promise<string[]> {
  const args = ['status', '--porcelain=v1', '-z', '--untracked-files=no'];
  if (pathspec) args.push('--', pathspec);
  const out = await git(root, args);
  return out
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(3));
}

export async function assertClean(root: string, what: string): Promise<void> {
  const dirty = await dirtyPaths(root);
  if (dirty.length > 0) {
    const shown = dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? `, and ${dirty.length - 5} more` : '');
    throw new GitError('E_DIRTY_WORKTREE', `cannot ${what}: the work tree has uncommitted changes (${shown})`, {
      hint: 'commit or stash them first',
    });
  }
}

/**
 * The upstream as steward will use it: checked (see remote.ts), and a local path made
 * absolute so the recorded upstream works from any directory.
 */
export function normaliseRemote(url: string, cwd: string): string {
  const problem = remoteProblem(url);
  if (problem) {
    throw new StewardError('E_REMOTE_INVALID', `upstream ${JSON.stringify(withoutCredentials(url))} ${problem}`, {
      hint: 'give an https:, ssh:, git@host:path or file: URL, or a local path',
    });
  }
  if (remoteKind(url) !== 'path') return url;
  const path = isAbsolute(url) ? url : resolve(cwd, url);
  return existsSync(path) ? path : url;
}

export function assertBranchName(branch: string): string {
  const problem = branchProblem(branch);
  if (problem) throw new StewardError('E_REF_INVALID', `${JSON.stringify(branch)} is not a branch name: it ${problem}`);
  return branch;
}

/** The branch to use: `ref` when given and present, else the remote's default branch. */
export async function resolveRemoteBranch(root: string, url: string, ref?: string): Promise<string> {
  if (ref !== undefined) assertBranchName(ref);
  const shown = withoutCredentials(url);
  const listing = await gitRaw(root, ['ls-remote', '--symref', '--', url, ...(ref ? [`refs/heads/${ref}`] : ['HEAD'])], { env: GIT_REMOTE_ENV });
  if (listing.code !== 0) {
    const said = redactRemote(listing.stderr.trim().split('\n').slice(-1)[0] ?? '', url);
    throw new GitError('E_REMOTE_UNREACHABLE', `cannot read ${shown}: ${said}`, {
      hint: 'check the URL and that you can reach it (git ls-remote works)',
    });
  }
  if (ref) {
    if (!listing.stdout.trim()) {
      throw new GitError('E_REF_NOT_FOUND', `branch "${ref}" does not exist in ${shown}`);
    }
    return ref;
  }
  const symref = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(listing.stdout)?.[1];
  if (!symref) throw new GitError('E_REF_NOT_FOUND', `${shown} has no default branch; pass --ref <branch>`);
  return assertBranchName(symref);
}

/**
 * Fetches one branch of `url` and returns its commit. `--` keeps the URL an operand;
 * `git subtree pull` cannot do that (it hands its arguments to fetch as they are), so
 * steward fetches itself and merges the commit.
 */
export async function fetchBranch(root: string, url: string, branch: string): Promise<string> {
  assertBranchName(branch);
  const fetched = await gitRaw(root, ['fetch', '--no-tags', '--quiet', '--', url, `refs/heads/${branch}`], { env: GIT_REMOTE_ENV });
  if (fetched.code !== 0) {
    const said = redactRemote((fetched.stderr || fetched.stdout).trim().split('\n').slice(-1)[0] ?? '', url);
    throw new GitError('E_REMOTE_UNREACHABLE', `cannot fetch ${branch} from ${withoutCredentials(url)}: ${said}`);
  }
  return (await git(root, ['rev-parse', '--verify', '--end-of-options', 'FETCH_HEAD^{commit}'])).trim();
}

/** Steward's own commits need an identity even on a machine where none is configured. */
export async function commitIdentityEnv(root: string): Promise<Record<string, string>> {
  const email = await gitRaw(root, ['config', 'user.email']);
  if (email.code === 0 && email.stdout.trim()) return {};
  return {
    GIT_AUTHOR_NAME: 'Plugin Steward',
    GIT_AUTHOR_EMAIL: 'steward@localhost',
    GIT_COMMITTER_NAME: 'Plugin Steward',
    GIT_COMMITTER_EMAIL: 'steward@localhost',
  };
}
