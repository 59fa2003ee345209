import { git, gitRaw } from '../git/run.ts';
import type { Library } from '../library.ts';
import { findJoins } from './joins.ts';
import { readSubtreeState } from './state.ts';

export interface SubtreeStatus {
  /** A `git subtree add` (or a later merge) of this prefix is in the history. */
  added: boolean;
  /**
   * Commits to the plugin since the last push from this machine (or since it was
   * added, when it never was pushed here); null where that cannot be told.
   */
  unpushed: number | null;
  /** What `unpushed` counts from. */
  since: 'push' | 'add' | null;
}

/**
 * The subtree state of every plugin from three passes over the history, whatever
 * the number of plugins: the joins, the commit order, and the files each commit touched.
 */
export async function subtreeStatuses(library: Library, prefixes: Map<string, string>): Promise<Map<string, SubtreeStatus>> {
  const statuses = new Map<string, SubtreeStatus>();
  const head = await gitRaw(library.root, ['rev-parse', '--verify', '-q', '--end-of-options', 'HEAD']);
  if (head.code !== 0) return statuses;

  const pluginsDir = library.config.pluginsDir.replace(/\/+$/, '');
  // Which plugin a commit touched needs no rename detection, which is most of the log's cost.
  const [joins, revList, log] = await Promise.all([
    findJoins(library.root, ['HEAD']),
    git(library.root, ['rev-list', '--topo-order', '--end-of-options', 'HEAD']),
    git(library.root, ['log', '--no-merges', '--no-renames', '--topo-order', '--format=%x1e%H', '--name-only', '--end-of-options', 'HEAD', '--', pluginsDir]),
  ]);
  const addedAt = new Map<string, string>();
  // findJoins lists newest first: the last one seen for a prefix is where it was added.
  for (const join of joins) if (join.mainline) addedAt.set(join.dir, join.commit);

  const order = new Map<string, number>();
  revList.split('\n').forEach((sha, i) => sha && order.set(sha, i));

  const touched = new Map<string, string[]>();
  for (const record of log.split('\u001e')) {
    const [sha, ...files] = record.split('\n').filter(Boolean);
    if (!sha) continue;
    const seen = new Set<string>();
    for (const file of files) {
      const prefix = file
        .split('/')
        .slice(0, pluginsDir.split('/').length + 1)
        .join('/');
      if (!seen.has(prefix)) {
        seen.add(prefix);
        const shas = touched.get(prefix);
        if (shas) shas.push(sha);
        else touched.set(prefix, [sha]);
      }
    }
  }

  for (const [name, prefix] of prefixes) {
    const push = readSubtreeState(library, name, prefix).lastPush;
    const sync = push && order.has(push.libraryCommit) ? push.libraryCommit : addedAt.get(prefix);
    const since = sync === undefined ? null : push && sync === push.libraryCommit ? 'push' : 'add';
    const syncIndex = sync === undefined ? undefined : order.get(sync);
    // A commit listed before the sync point in topological order is not among its ancestors.
    const unpushed = syncIndex === undefined ? null : (touched.get(prefix) ?? []).filter((sha) => (order.get(sha) ?? Infinity) < syncIndex).length;
    statuses.set(name, { added: addedAt.has(prefix), unpushed, since });
  }
  return statuses;
}
