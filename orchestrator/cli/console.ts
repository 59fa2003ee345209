import { existsSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { behaviourLines, proposalFile, readProposalRecord } from '../../agents/plugin-agent/index.ts';
import { describePrecision } from '../../evals/harness/precision.ts';
import { readResults } from '../../evals/harness/results.ts';
import { describeRate } from '../../evals/harness/report/markdown.ts';
import { consoleApp } from '../console/app.ts';
import type { EvalReport, ProposalView } from '../console/types.ts';
import { GroupStore } from '../ingest/groups.ts';
import { openQueue, QUEUES } from '../ingest/queues.ts';
import { apiToken } from '../ingest/token.ts';
import type { Library } from '../library/library.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { openRunStore } from '../runs/database.ts';
import type { RunJob } from '../runs/execute-run.ts';
import { RUNS_QUEUE } from '../runs/run-executor.ts';

/** The paths the console answers on the API's port; everything else is the host's. */
const OURS = /^\/($|console(\/|$)|queues(\/|$))/;

/**
 * The web console for `steward start`, wired to the run store, the groups, the queues,
 * the proposals runs leave and the eval reports on disk; a request handler that
 * answers the console's paths and leaves the rest to the host.
 */
export function openConsole(
  library: Library,
  target: RedisTarget,
  options: { evalDirs?: string[] } = {},
): { routes: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>; close(): Promise<void> } {
  const store = openRunStore(library);
  const redis = connect(target, 'console');
  const queues = [QUEUES.errors, QUEUES.triage, QUEUES.dead].map((name) => openQueue<unknown>(name, redis));
  const runs = openQueue<RunJob>(RUNS_QUEUE, redis);
  const evalDirs = options.evalDirs ?? [...new Set([join(library.root, '.steward', 'eval'), join(process.cwd(), '.steward', 'eval')])];
  const app = consoleApp({
    store,
    groups: new GroupStore(redis),
    control: { store, queue: runs, redis },
    queues: [...queues, runs],
    tokens: { console: apiToken(library, 'console'), review: apiToken(library, 'review') },
    proposals: {
      has: (run) => existsSync(proposalFile({ library }, run)),
      read: (run): ProposalView => {
        const record = readProposalRecord(library, run);
        return { ...record, evidenceLines: behaviourLines(record.evidence) };
      },
    },
    evals: { list: () => evalReports(evalDirs), where: evalDirs },
  });
  const listener = getRequestListener(app.fetch);
  return {
    async routes(req, res) {
      if (!OURS.test(new URL(req.url ?? '/', 'http://host').pathname)) return false;
      await listener(req, res);
      return true;
    },
    async close() {
      await Promise.all([...queues, runs].map((q) => q.close()));
      redis.disconnect();
      await store.close();
    },
  };
}

/** Each eval out directory with a results.json this version reads, newest first. */
function evalReports(dirs: readonly string[]): EvalReport[] {
  const out: EvalReport[] = [];
  for (const parent of dirs) {
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const dir = join(parent, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'results.json'))) continue;
      try {
        const results = readResults(dir);
        out.push({
          name: entry.name,
          dir,
          suite: results.config.suite.name,
          fixer: results.config.fixer,
          finishedAt: results.finishedAt,
          success: describeRate(results.summary.overall),
          precision: describePrecision(results.summary.precision.overall),
        });
      } catch {
        // A results.json this version cannot read is not listed.
      }
    }
  }
  return out.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
}
