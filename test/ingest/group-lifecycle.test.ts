import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import semver from 'semver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUP_STATUSES, TRANSITIONS, type GroupStatus } from '../../orchestrator/ingest/group-lifecycle.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { groupEvent } from '../helpers/runs.ts';

let redis: Redis;
let groups: GroupStore;
// Each test gets its own Redis: temp dirs (and the servers under them) go after every test.
beforeEach(async () => {
  const { target } = await startTestRedis();
  redis = new Redis(target.options);
  redis.on('error', () => undefined);
  groups = new GroupStore(redis);
});
afterEach(() => redis.disconnect());

let n = 0;
/** A group recorded as ingest makes one, then put straight into `status` for the test. */
async function groupIn(status: GroupStatus): Promise<string> {
  const id = `g${++n}`.padEnd(16, '0');
  await groups.record(groupEvent(id, Date.now()));
  await redis.hset(`steward:group:${id}`, 'status', status);
  return id;
}

describe('events per hour', () => {
  it('counts the last 24 hours in a bounded ring: a slot a day old starts over, the current hour is last', async () => {
    const id = 'e'.repeat(16);
    const hour = 3_600_000;
    const now = Date.now();
    for (const [k, at] of [now, now - 1, now - 2, now - 2 * hour, now - 25 * hour].entries()) await groups.record(groupEvent(id, at, { eventId: `ev${k}` }));
    const hourly = (await groups.get(id))?.hourly ?? [];
    expect(hourly).toHaveLength(24);
    expect(hourly[23]).toBe(3);
    expect(hourly[21]).toBe(1);
    // The event of 25 hours ago shares a slot with one hour ago: it is not counted as now.
    expect(hourly.reduce((a, b) => a + b, 0)).toBe(4);
    expect(Object.keys(await redis.hgetall(`steward:group:${id}`)).filter((k) => k.startsWith('hour')).length).toBeLessThanOrEqual(48);
  });
});

describe('the group lifecycle', () => {
  it('allows exactly the moves its table lists, and refuses every other one leaving the status as it was', async () => {
    for (const from of GROUP_STATUSES) {
      for (const to of GROUP_STATUSES) {
        if (from === to) continue;
        const id = await groupIn(from);
        const result = await groups.transition(id, to);
        const allowed = TRANSITIONS[from].includes(to);
        expect(result, `${from} -> ${to}`).toEqual({ outcome: allowed ? 'moved' : 'refused', from });
        expect((await groups.get(id))?.status, `${from} -> ${to}`).toBe(allowed ? to : from);
      }
    }
  });

  it('records the version a resolution holds from, and says so for a group that is gone', async () => {
    const id = await groupIn('fix-proposed');
    expect(await groups.transition(id, 'resolved', { resolvedIn: '2.0.1' })).toEqual({ outcome: 'moved', from: 'fix-proposed' });
    expect((await groups.get(id))?.resolvedIn).toBe('2.0.1');
    expect(await groups.transition(id, 'resolved')).toEqual({ outcome: 'same', from: 'resolved' });
    expect(await groups.transition('f'.repeat(16), 'triaged')).toEqual({ outcome: 'missing', from: null });
  });

  it('marks a group a person has (a run escalated, a proposal rejected), and clears the mark when a run starts or it is resolved', async () => {
    for (const from of ['in-progress', 'fix-proposed'] as const) {
      const id = await groupIn(from);
      expect(await groups.transition(id, 'triaged', { needsHuman: true })).toEqual({ outcome: 'moved', from });
      expect(await groups.get(id)).toMatchObject({ status: 'triaged', needsHuman: expect.stringMatching(/^\d{4}-/) });
      // A plain move to triaged (triage holding it back) leaves the mark as it is.
      expect(await groups.transition(id, 'triaged')).toEqual({ outcome: 'same', from: 'triaged' });
      expect((await groups.get(id))?.needsHuman).not.toBeNull();
      expect(await groups.transition(id, from === 'in-progress' ? 'in-progress' : 'resolved')).toMatchObject({ outcome: 'moved' });
      expect((await groups.get(id))?.needsHuman).toBeNull();
    }
  });

  it("compares versions in its Lua as npm's semver does", async () => {
    const lua = readFileSync(join(STEWARD_ROOT, 'orchestrator/ingest/lua/semver-ge.lua'), 'utf8');
    const script = `${lua}\nreturn semver_ge(ARGV[1], ARGV[2]) and 1 or 0`;
    const versions = [
      '0.0.1',
      '0.1.0',
      '1.0.0',
      '1.0.1',
      '1.2.0',
      '1.2.3',
      '1.10.0',
      '1.2.10',
      '2.0.0',
      '10.0.0',
      '1.0.0-alpha',
      '1.0.0-rc.1',
      '2.0.0-beta',
      'v1.2.3',
      '1.2.3+build.7',
    ];
    for (const a of versions) {
      for (const b of versions) {
        const got = (await redis.eval(script, 0, a, b)) === 1;
        // Steward's rule: any pre-release of a version sorts before it, whatever its tag.
        const pre = semver.prerelease(a) && semver.prerelease(b) && semver.eq(semver.coerce(a) ?? a, semver.coerce(b) ?? b);
        if (pre) continue;
        expect(got, `${a} >= ${b}`).toBe(semver.gte(semver.clean(a) ?? a, semver.clean(b) ?? b));
      }
    }
  });
});
