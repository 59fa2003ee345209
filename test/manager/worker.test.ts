import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openQueue, QUEUES } from '../../orchestrator/ingest/queues.ts';
import { linkTemplates } from '../../orchestrator/library/links.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { PRUNE_SCHEDULER_ID, SCHEDULER_ID } from '../../agents/manager/schedule.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { openRunStore } from '../../orchestrator/runs/database.ts';
import { startWorker } from '../../orchestrator/cli/worker-process.ts';
import { makeLibrary, sh } from '../helpers/git.ts';
import { eventOf } from '../helpers/ingest.ts';
import { writePlugin } from '../helpers/plugins.ts';
import { until } from '../helpers/processes.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { quietLog } from '../runs/fixture.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('steward worker', () => {
  it('ingests an event, triages its new group and dispatches a run; one of two workers upserts the schedule', async () => {
    const made = await makeLibrary();
    writePlugin(join(made.paths.plugins, 'alpha'), 'alpha');
    linkTemplates(made);
    writeFileSync(join(made.root, 'steward.config.json'), `${JSON.stringify({ manager: { schedule: '*/5 * * * *' } })}\n`);
    sh(made.root, 'add', '-A');
    sh(made.root, 'commit', '-q', '-m', 'alpha');
    const library = openLibrary({ library: made.root });
    const { target } = await startTestRedis(library.paths.state);
    const options = { ingest: true, triage: true, schedule: true, runTests: false, log: quietLog };
    const first = await startWorker(target, library, options);
    cleanups.push(() => first.close());
    const second = await startWorker(target, library, options);
    cleanups.push(() => second.close());
    expect(first.lines).toContain('schedule: triage at "*/5 * * * *" (upserted)');
    expect(second.lines).toContain('schedule: triage at "*/5 * * * *" (left-to-another)');
    expect(first.lines.at(-1)).toMatch(/^runs: not consumed here: no agent was given to this worker/);

    const redis = connect(target, 'test');
    const errors = openQueue<unknown>(QUEUES.errors, redis);
    const triage = openQueue<unknown>(QUEUES.triage, redis);
    cleanups.push(async () => {
      await Promise.all([errors.close(), triage.close()]);
      redis.disconnect();
    });
    const schedulers = await triage.getJobSchedulers();
    // The daily prune rides on the same queue.
    expect(schedulers.map((s) => [s.key, s.pattern]).sort()).toEqual([
      [PRUNE_SCHEDULER_ID, '17 3 * * *'],
      [SCHEDULER_ID, '*/5 * * * *'],
    ]);

    await errors.add('event', eventOf('alpha', { fn: 'parse' }));
    const store = openRunStore(library);
    cleanups.push(async () => store.close());
    expect(await until(async () => (await store.list({ plugin: 'alpha' })).length === 1, 20_000)).toBe(true);
    const [run] = await store.list({ plugin: 'alpha' });
    expect(run).toMatchObject({ state: 'queued', trigger: 'new' });
    // A second group of the same plugin is triaged too, but held back: one active run per plugin.
    await errors.add('event', eventOf('alpha', { fn: 'format' }));
    expect(await until(async () => (await store.held()).some((h) => h.plugin === 'alpha' && h.reason.startsWith(`one active run per plugin: ${run?.id ?? ''}`)), 20_000)).toBe(
      true,
    );
    expect(await store.list({ plugin: 'alpha' })).toHaveLength(1);
  }, 60_000);
});
