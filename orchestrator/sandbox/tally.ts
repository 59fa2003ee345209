import type { SandboxStatus } from './types.ts';

const counts = new Map<SandboxStatus, number>();

/** Counts a finished sandboxed run by how it ended: what `/metrics` reports for this process. */
export function countSandboxRun(status: SandboxStatus): void {
  counts.set(status, (counts.get(status) ?? 0) + 1);
}

/** The sandboxed runs this process has finished, by status. */
export function sandboxRunCounts(): ReadonlyMap<SandboxStatus, number> {
  return counts;
}
