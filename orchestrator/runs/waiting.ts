import type { RunStore } from './types.ts';

/** What a run waits on, as its executor recorded it when the graph interrupted. */
export interface Waiting {
  kind?: 'approval' | 'pause';
  nextAction?: string;
  /** The interrupt's id: an answer is for this question only. */
  interrupt?: string | null;
}

export async function lastWaiting(store: RunStore, run: string): Promise<Waiting | undefined> {
  return (await store.lastEvent(run, 'waiting'))?.data as Waiting | undefined;
}
