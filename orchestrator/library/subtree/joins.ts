import { git } from '../git/run.ts';

/** A commit whose message records a subtree add, merge or rejoin (`git-subtree-*` trailers). */
export interface SubtreeJoin {
  commit: string;
  dir: string;
  /** Mainline commit recorded by an add or rejoin; absent for a squash. */
  mainline?: string;
  /** Commit of the subtree's own history that was joined. */
  split?: string;
}

const RECORD = '\u001e';
const FIELD = '\u001f';

function parseJoins(output: string): SubtreeJoin[] {
  const joins: SubtreeJoin[] = [];
  for (const record of output.split(RECORD)) {
    const [commit, body] = record.replace(/^\n/, '').split(FIELD);
    if (!commit || body === undefined) continue;
    const trailer = (key: string): string | undefined => new RegExp(`^${key}: *(\\S+)`, 'm').exec(body)?.[1];
    const dir = trailer('git-subtree-dir')?.replace(/\/+$/, '');
    if (!dir) continue;
    const mainline = trailer('git-subtree-mainline');
    const split = trailer('git-subtree-split');
    joins.push({ commit, dir, ...(mainline ? { mainline } : {}), ...(split ? { split } : {}) });
  }
  return joins;
}

/**
 * Joins reachable from `revs`, newest first. `dir` narrows the search to one prefix;
 * without it every plugin's joins come back from one pass over the history.
 */
export async function findJoins(cwd: string, revs: readonly string[], dir?: string): Promise<SubtreeJoin[]> {
  const pattern = dir ? `^git-subtree-dir: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/*$` : '^git-subtree-dir: ';
  const output = await git(cwd, ['log', `--grep=${pattern}`, '--no-show-signature', `--format=%H${FIELD}%B${RECORD}`, '--end-of-options', ...revs]);
  return parseJoins(output);
}
