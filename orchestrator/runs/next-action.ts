import type { RunState } from './types.ts';

/** What a person can do about a run in this state, as `runs show` prints it. */
export function nextActionFor(run: string, state: RunState): string | null {
  switch (state) {
    case 'queued':
      return 'waits for a worker (steward worker, or steward start)';
    case 'failed':
      return `steward runs resume ${run} retries from its last checkpoint; steward runs replay ${run} starts a new run from any checkpoint`;
    case 'cancelled':
      return `steward runs resume ${run} goes on from its last checkpoint`;
    case 'completed':
      return null;
    default:
      return null;
  }
}
