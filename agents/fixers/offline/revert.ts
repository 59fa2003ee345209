import { execFileSync } from 'node:child_process';
import type { FixRequest } from '../types.ts';
import { normalPath } from '../workspace.ts';
import type { Tried } from './candidates.ts';

function git(dir: string, args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' } });
}

/**
 * SapFix's first rung: when the group first appeared after the plugin's most recent
 * change, that change is the likeliest cause, and the plugin as it was before it is a
 * candidate (checked like any other: the reproduction and the suite must pass). None
 * when the plugin is not in a git repository, has no earlier version, or the group
 * is older than the change.
 */
export function revertCandidate(request: FixRequest): { candidate?: Tried; why: string } {
  let last: string;
  try {
    last = git(request.dir, ['log', '-1', '--format=%H%x00%cI%x00%s', '--', '.']).trim();
  } catch {
    return { why: 'the plugin is not in a git repository' };
  }
  const [commit, at, subject] = last.split('\0');
  if (!commit || !at) return { why: 'the plugin has no history' };
  const firstSeen = Date.parse(request.context.error.firstSeen);
  if (!(firstSeen > Date.parse(at))) return { why: `the group was first seen before the plugin's last change (${commit.slice(0, 12)}, ${at})` };
  let parent: string;
  try {
    parent = git(request.dir, ['rev-parse', '--verify', '--quiet', `${commit}^1`]).trim();
  } catch {
    return { why: `the plugin's last change ${commit.slice(0, 12)} has no earlier version to go back to` };
  }
  const prefix = git(request.dir, ['rev-parse', '--show-prefix']).trim();
  try {
    git(request.dir, ['cat-file', '-e', `${parent}:${prefix}`]);
  } catch {
    return { why: `the plugin's last change ${commit.slice(0, 12)} added it: there is no earlier version` };
  }
  const changed = git(request.dir, ['diff', '--relative', '--no-renames', '--name-only', '-z', parent, commit, '--', '.']).split('\0').filter(Boolean);
  if (changed.length === 0) return { why: `the plugin's last change ${commit.slice(0, 12)} changed none of its files` };
  const files: Record<string, string | null> = {};
  for (const file of changed) {
    const path = normalPath(file);
    try {
      files[path] = git(request.dir, ['show', `${parent}:${prefix}${path}`]);
    } catch {
      files[path] = null; // The change added it: going back removes it.
    }
  }
  const lines = git(request.dir, ['diff', '--relative', '--numstat', parent, commit, '--', '.'])
    .split('\n')
    .reduce((n, row) => n + row.split('\t').slice(0, 2).reduce((m, v) => m + (Number(v) || 0), 0), 0);
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
