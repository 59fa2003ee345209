import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { GroupStore } from '../ingest/groups.ts';
import type { DeadLetter } from '../ingest/queues.ts';
import type { LibraryConfig } from '../library/config.ts';
import type { Checkpointer } from '../runs/database.ts';
import type { RunStore } from '../runs/types.ts';

const DAY = 86_400_000;

export type Retention = LibraryConfig['retention'];

export interface PruneReport {
  deadLetters: number;
  groups: number;
  runs: number;
  runEvents: number;
  heldBack: number;
  /** The cut-off of each kind, as ISO times. */
  before: { deadLetters: string; groups: string; runs: string };
}

export interface PruneDeps {
  redis: Redis;
  dead: Queue<DeadLetter>;
  runs: RunStore;
  checkpointer: Checkpointer;
}

/**
 * Deletes what is past its retention: dead letters, resolved groups no event has
 * touched since, finished runs with their events, effects and checkpoints. Open
 * groups, active runs and anything newer are never touched.
 */
export async function prune(deps: PruneDeps, retention: Retention, now = Date.now()): Promise<PruneReport> {
  const cut = (days: number): number => now - days * DAY;
  const before = {
    deadLetters: new Date(cut(retention.deadLetterDays)).toISOString(),
    groups: new Date(cut(retention.resolvedGroupDays)).toISOString(),
    runs: new Date(cut(retention.finishedRunDays)).toISOString(),
  };
  let deadLetters = 0;
  // Dead letters wait in the queue (nothing consumes it); a job's timestamp is when it was added.
  // BullMQ takes an age against the clock, so a `now` other than the clock's moves the age too.
  const grace = Math.max(0, Date.now() - cut(retention.deadLetterDays));
  for (const state of ['wait', 'delayed', 'completed', 'failed'] as const) {
    deadLetters += (await deps.dead.clean(grace, 0, state)).length;
  }
  const groups = await new GroupStore(deps.redis).prune(['resolved'], cut(retention.resolvedGroupDays));
  // A run's thread id is its id. Its checkpoints go first: a prune cut short leaves a run
  // that the next prune finds again, never checkpoints no run points to.
  const doomed = await deps.runs.finishedBefore(before.runs);
  for (const run of doomed) await deps.checkpointer.deleteThread(run);
  const pruned = await deps.runs.prune(before.runs, doomed);
  return { deadLetters, groups: groups.length, runs: pruned.runs.length, runEvents: pruned.events, heldBack: pruned.held, before };
}
