import { join } from 'node:path';
import { readJsonOr, writeJsonAtomic } from '../../core/files.ts';
import type { Library } from '../library.ts';
import { emptySplitMemo, type SplitMemo } from './split.ts';

/** Per-plugin subtree state kept in the state dir: the split memo and the last push. */
export interface SubtreeState {
  version: 1;
  split: SplitMemo;
  lastPush?: { libraryCommit: string; splitCommit: string; url: string; branch: string; at: string };
}

function isSubtreeState(value: unknown): value is SubtreeState {
  const v = value as Partial<SubtreeState> | null;
  return typeof v === 'object' && v !== null && v.version === 1 && typeof v.split?.prefix === 'string';
}

export function subtreeStateFile(library: Library, name: string): string {
  return join(library.paths.state, 'subtree', `${name}.json`);
}

export function readSubtreeState(library: Library, name: string, prefix: string): SubtreeState {
  const state = readJsonOr<SubtreeState>(subtreeStateFile(library, name), { version: 1, split: emptySplitMemo(prefix) }, isSubtreeState);
  // A plugin that moved has a different history under its new prefix.
  if (state.split.prefix !== prefix) state.split = emptySplitMemo(prefix);
  return state;
}

export function writeSubtreeState(library: Library, name: string, state: SubtreeState): void {
  writeJsonAtomic(subtreeStateFile(library, name), state);
}
