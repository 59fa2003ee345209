import { join } from 'node:path';
import { z } from 'zod';
import { readCacheOr, writeJsonAtomic } from '../../core/files.ts';
import type { Library } from '../library.ts';
import { emptySplitMemo, type SplitMemo } from './split.ts';

/** Per-plugin subtree state kept in the state dir: the split memo and the last push. */
const subtreeStateSchema = z.object({
  version: z.literal(1),
  split: z.object({ prefix: z.string(), map: z.record(z.string(), z.string()), tips: z.array(z.string()) }),
  lastPush: z.object({ libraryCommit: z.string(), splitCommit: z.string(), url: z.string(), branch: z.string(), at: z.string() }).optional(),
});
export type SubtreeState = z.output<typeof subtreeStateSchema> & { split: SplitMemo };

function subtreeStateFile(library: Library, name: string): string {
  return join(library.paths.state, 'subtree', `${name}.json`);
}

export function readSubtreeState(library: Library, name: string, prefix: string): SubtreeState {
  const state: SubtreeState = readCacheOr(subtreeStateSchema, subtreeStateFile(library, name), { version: 1, split: emptySplitMemo(prefix) });
  // A plugin that moved has a different history under its new prefix.
  if (state.split.prefix !== prefix) state.split = emptySplitMemo(prefix);
  return state;
}

export function writeSubtreeState(library: Library, name: string, state: SubtreeState): void {
  writeJsonAtomic(subtreeStateFile(library, name), state);
}
