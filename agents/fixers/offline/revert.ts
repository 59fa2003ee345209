import { git as runGit } from '../../../orchestrator/library/git/run.ts';
import type { FixRequest } from '../types.ts';
import { normalPath } from '../workspace.ts';
import type { Tried } from './candidates.ts';

/**
 * Read-only git in the library, with nothing of a repository's or a user's config
 * that would run a program (fsmonitor, textconv, signature checks) or wait (a lazy
 * fetch), and a time limit.
 */
function git(dir: string, args: string[]): Promise<string> {
  return runGit(dir, ['-c', 'core.fsmonitor=false', '-c', 'log.showSignature=false', '-c', 'diff.external=', ...args], {
    env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: '/nonexistent', GIT_NO_LAZY_FETCH: '1' },
    timeoutMs: 20_000,
  });
}

/**
 * The plugin's own code and data: steward's bookkeeping (the manifest's upstream
 * record, the template links under .steward/) is never "the last change" to revert.
 */
const CODE = ['--', '.', ':(exclude).steward', ':(exclude)plugin.json'];

/**
 * SapFix's first rung: when the group first appeared after the plugin's most recent
 * change, that change is the likeliest cause, and the plugin as it was before it is a
 * candidate (checked like any other: the reproduction and the suite must pass). None
 * when the plugin is not in a git repository, has no earlier version, or the group
 * is older than the change.
 */
export async function revertCandidate(request: FixRequest): Promise<{ candidate?: Tried; why: string }> {
  let last: string;
  try {
    last = (await git(request.dir, ['log', '-1', '--format=%H%x00%cI%x00%s', ...CODE])).trim();
  } catch {
    return { why: 'the plugin is not in a git repository' };
  }
  const [commit, at, subject] = last.split('\0');
  if (!commit || !at) return { why: 'the plugin has no history' };
  const firstSeen = Date.parse(request.context.error.firstSeen);
  if (!(firstSeen > Date.parse(at))) return { why: `the group was first seen before the plugin's last change (${commit.slice(0, 12)}, ${at})` };
  let parent: string;
  try {
    parent = (await git(request.dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${commit}^1`])).trim();
  } catch {
    return { why: `the plugin's last change ${commit.slice(0, 12)} has no earlier version to go back to` };
  }
  const prefix = (await git(request.dir, ['rev-parse', '--show-prefix'])).trim();
  try {
    await git(request.dir, ['cat-file', '-e', '--end-of-options', `${parent}:${prefix}`]);
  } catch {
    return { why: `the plugin's last change ${commit.slice(0, 12)} added it: there is no earlier version` };
  }
  const changed = (
    await git(request.dir, ['diff', '--no-textconv', '--no-ext-diff', '--relative', '--no-renames', '--name-only', '-z', '--end-of-options', parent, commit, ...CODE])
  )
    .split('\0')
    .filter(Boolean);
  if (changed.length === 0) return { why: `the plugin's last change ${commit.slice(0, 12)} changed none of its files` };
  const files: Record<string, string | null> = {};
  for (const file of changed) {
    let path: string;
    try {
      path = normalPath(file);
    } catch {
      return { why: `the plugin's last change touches a path steward does not write (${JSON.stringify(file)})` };
    }
    let text: string;
    try {
      text = await git(request.dir, ['cat-file', 'blob', '--end-of-options', `${parent}:${prefix}${path}`]);
    } catch {
      files[path] = null; // The change added it: going back removes it.
      continue;
    }
    // Candidates are text: a file that is not UTF-8 cannot be put back through one.
    if (text.includes('\uFFFD')) return { why: `the plugin's last change touches ${path}, which is not UTF-8 text` };
    files[path] = text;
  }
  const lines = (await git(request.dir, ['diff', '--no-textconv', '--no-ext-diff', '--relative', '--numstat', '--end-of-options', parent, commit, ...CODE])).split('\n').reduce(
    (n, row) =>
      n +
      row
        .split('\t')
        .slice(0, 2)
        .reduce((m, v) => m + (Number(v) || 0), 0),
    0,
  );
  return {
    why: `reverting ${commit.slice(0, 12)}`,
    candidate: {
      fixer: 'offline',
      template: 'revert',
      files,
      rationale: `revert of the plugin's last change ${commit.slice(0, 12)} "${subject ?? ''}" (${at}): the group first appeared after it (${request.context.error.firstSeen})`,
      rank: [lines, 0, 0],
    },
  };
}
