import { Gauge, type Registry } from 'prom-client';
import { StewardError } from '../core/errors.ts';
import { openQueue, QUEUES } from '../ingest/queues.ts';
import { readHistory } from '../library/history.ts';
import { listPluginNames, pluginDir, type Library } from '../library/library.ts';
import { sandboxRunCounts } from '../sandbox/tally.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { openRunStore } from '../runs/database.ts';
import { RUNS_QUEUE } from '../runs/run-executor.ts';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * What `steward start` adds to the host's readiness and metrics: the run store and a
 * live worker on the runs queue must answer for /readyz, and /metrics gains the
 * queues' depths and the runs by state, read when scraped. `close` releases them.
 */
export function serviceChecks(
  library: Library,
  target: RedisTarget,
): { readiness: Record<string, () => Promise<void>>; metrics: (registry: Registry) => void; close(): Promise<void> } {
  const store = openRunStore(library);
  const redis = connect(target, 'service-checks');
  const queues = Object.fromEntries([QUEUES.errors, QUEUES.triage, QUEUES.dead, RUNS_QUEUE].map((name) => [name, openQueue<unknown>(name, redis)]));
  const runs = queues[RUNS_QUEUE]!;
  return {
    readiness: {
      'run store': async () => void (await store.list({ limit: 1 })),
      worker: async () => {
        if ((await runs.getWorkersCount()) === 0) throw new StewardError('E_RUN_STATE', 'no worker takes runs');
      },
    },
    metrics(registry) {
      new Gauge({
        name: 'steward_queue_jobs',
        help: 'Jobs in each queue, by state.',
        labelNames: ['queue', 'state'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const [name, queue] of Object.entries(queues)) {
            const counts = await queue.getJobCounts(...STATES);
            for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
          }
        },
      });
      new Gauge({
        name: 'steward_runs',
        help: 'Runs in the run store, by state.',
        labelNames: ['state'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const [state, count] of Object.entries(await store.countByState())) this.set({ state }, count ?? 0);
        },
      });
      new Gauge({
        name: 'steward_fixes',
        help: 'Fixes by stage: proposed (validated and put to a person), approved, rejected, and merged (released in the plugin).',
        labelNames: ['stage'],
        registers: [registry],
        async collect() {
          const counts = await store.fixCounts();
          this.reset();
          for (const [stage, value] of Object.entries({ ...counts, merged: mergedFixes(library) })) this.set({ stage }, value);
        },
      });
      new Gauge({
        name: 'steward_sandbox_runs',
        help: 'Sandboxed runs this process finished (reproductions, candidates, suites), by how they ended.',
        labelNames: ['status'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [status, value] of sandboxRunCounts()) this.set({ status }, value);
        },
      });
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
      await store.close();
    },
  };
}

/**
 * Merged fixes: the `fix` entries settle wrote into the plugins' histories. Reading
 * every plugin's history is kept off each scrape: a count is reused for a minute.
 */
const MERGED_TTL_MS = 60_000;
const mergedCache = new WeakMap<Library, { at: number; count: number }>();
function mergedFixes(library: Library): number {
  const cached = mergedCache.get(library);
  if (cached && Date.now() - cached.at < MERGED_TTL_MS) return cached.count;
  const count = listPluginNames(library).reduce((n, name) => n + readHistory(pluginDir(library, name), Number.MAX_SAFE_INTEGER).entries.filter((e) => e.type === 'fix').length, 0);
  mergedCache.set(library, { at: Date.now(), count });
  return count;
}
