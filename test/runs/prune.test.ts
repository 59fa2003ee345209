import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { afterEach, describe, expect, it } from 'vitest';
import { deadLetter } from '../../orchestrator/ingest/dead-letter.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openQueue, QUEUES, type DeadLetter } from '../../orchestrator/ingest/queues.ts';
import { pruneLibrary } from '../../orchestrator/maintenance/open.ts';
import { configSchema } from '../../orchestrator/library/config.ts';
import { steward } from '../helpers/cli.ts';
import { runsFixture, type RunsFixture } from './fixture.ts';
import { newRun, groupEvent } from '../helpers/runs.ts';

const DAY = 86_400_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function group(groups: GroupStore, fingerprint: string, at: number): Promise<void> {
  await groups.record(groupEvent(fingerprint, at));
}

async function run(f: RunsFixture, state: 'completed' | 'awaiting_approval'): Promise<string> {
  const { id } = await f.store.create(newRun());
  await f.store.update(id, { state });
  const config = { configurable: { thread_id: id, checkpoint_ns: '' } };
  await f.saver.put(config, emptyCheckpoint(), { source: 'input', step: -1, parents: {} }, {});
  return id;
}

describe('retention', () => {
  it('has defaults: dead letters 14 days, resolved groups 90, finished runs 30, pruned daily', () => {
    expect(configSchema.parse({}).retention).toEqual({ deadLetterDays: 14, resolvedGroupDays: 90, finishedRunDays: 30, schedule: '17 3 * * *' });
  });

  it('prune deletes only what is past its retention, with the checkpoints of the runs it deletes', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    const dead = openQueue<DeadLetter>(QUEUES.dead, f.redis);
    cleanups.push(() => dead.close());
    await deadLetter(dead, { reason: 'bad', raw: {}, source: 'http' });
    const groups = new GroupStore(f.redis);
    const now = Date.now();
    await group(groups, 'a'.repeat(16), now);
    await group(groups, 'b'.repeat(16), now);
    await group(groups, 'c'.repeat(16), now);
    await groups.transition('a'.repeat(16), 'resolved', { resolvedIn: '1.0.1' });
    await groups.transition('b'.repeat(16), 'in-progress');
    await groups.transition('b'.repeat(16), 'fix-proposed');
    const finished = await run(f, 'completed');
    const waiting = await run(f, 'awaiting_approval');

    // Today nothing is old enough.
    expect(await pruneLibrary(f.library, f.target, now)).toMatchObject({ deadLetters: 0, groups: 0, runs: 0 });

    // 100 days on: the dead letter, the resolved group and the finished run are past retention.
    const later = await pruneLibrary(f.library, f.target, now + 100 * DAY);
    expect(later).toMatchObject({ deadLetters: 1, groups: 1, runs: 1 });
    expect((await groups.list()).map((g) => g.id).sort()).toEqual(['b'.repeat(16), 'c'.repeat(16)]);
    expect(await groups.get('a'.repeat(16))).toBeUndefined();
    expect(await groups.samples('a'.repeat(16))).toEqual([]);
    expect((await f.store.list()).map((r) => r.id)).toEqual([waiting]);
    expect(await f.saver.getTuple({ configurable: { thread_id: finished, checkpoint_ns: '' } })).toBeUndefined();
    expect(await f.saver.getTuple({ configurable: { thread_id: waiting, checkpoint_ns: '' } })).toBeDefined();
    expect(await dead.count()).toBe(0);
  });

  it('steward prune prints what it deleted, and --json the same as a report', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    writeFileSync(join(f.library.root, 'steward.config.json'), JSON.stringify({ retention: { finishedRunDays: 1 } }));
    const text = steward(['--library', f.library.root, 'prune']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/finished runs: 0 deleted .* \(ended over 1 days ago\)/);
    const json = steward(['--library', f.library.root, 'prune', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 1, deadLetters: 0, groups: 0, runs: 0 });
  });
});
