import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export async function timeMs<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Wall time of a real command, as a user would run it. */
/** Wall time, exit status and (where GNU time is installed) peak memory of one command. */
export function timeCommand(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { ms: number; code: number; rssMb?: number } {
  const gnuTime = existsSync('/usr/bin/time');
  const full = gnuTime ? ['/usr/bin/time', '-f', 'steward-bench-rss %M', ...argv] : [...argv];
  const start = process.hrtime.bigint();
  const result = spawnSync(full[0] ?? '', full.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, STEWARD_LIBRARY: '' }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const kb = /steward-bench-rss (\d+)/.exec(result.stderr ?? '')?.[1];
  return { ms, code: result.status ?? -1, ...(kb ? { rssMb: Number(kb) / 1024 } : {}) };
}

export function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}
