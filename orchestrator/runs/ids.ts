import { randomBytes } from 'node:crypto';

/** Sortable, unique run ids: time first, then randomness. */
export function newRunId(): string {
  return `run_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}
