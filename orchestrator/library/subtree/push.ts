import { GitError } from '../../core/errors.ts';
import { GIT_REMOTE_ENV, redactRemote } from '../git/remote.ts';
import { gitRaw } from '../git/run.ts';
import { assertRepo, headCommit } from '../git/repo.ts';
import { type Library, pluginPrefix, requirePlugin } from '../library.ts';
import { upstreamOf } from './pull.ts';
import { Splitter } from './split.ts';
import { readSubtreeState, writeSubtreeState } from './state.ts';

export interface PushResult {
  name: string;
  url: string;
  branch: string;
  splitCommit: string;
  /** Library commits the split walked this time: what the push cost. */
  walked: number;
  created: number;
}

/**
 * `steward plugin push`: the plugin's history split out of the library and pushed
 * upstream. The split remembers what it walked, so each push walks only the
 * commits made since the one before.
 */
export async function pushPlugin(library: Library, name: string, onProgress?: (done: number, total: number) => void): Promise<PushResult> {
  requirePlugin(library, name);
  const { url, branch } = upstreamOf(library, name);
  await assertRepo(library.root);
  const prefix = pluginPrefix(library, name);
  const state = readSubtreeState(library, name, prefix);
  const libraryCommit = await headCommit(library.root);
  const { split, walked, created } = await new Splitter(library.root, state.split, onProgress).split(libraryCommit);
  // The memo is valid whether or not the push goes through: keep it either way.
  writeSubtreeState(library, name, state);

  const pushed = await gitRaw(library.root, ['push', '--porcelain', '--', url, `${split}:refs/heads/${branch}`], { env: GIT_REMOTE_ENV });
  if (pushed.code !== 0) {
    const said = `${pushed.stdout}\n${pushed.stderr}`;
    if (/\[rejected\]|non-fast-forward|fetch first/.test(said)) {
      throw new GitError('E_PUSH_REJECTED', `${url} (${branch}) has commits the library does not have`, {
        hint: `run "steward plugin pull ${name}" first`,
      });
    }
    throw new GitError('E_REMOTE_UNREACHABLE', `cannot push to ${url}: ${redactRemote(said.trim().split('\n').slice(-1)[0] ?? '', url)}`);
  }
  state.lastPush = { libraryCommit, splitCommit: split, url, branch, at: new Date().toISOString() };
  writeSubtreeState(library, name, state);
  return { name, url, branch, splitCommit: split, walked, created };
}
