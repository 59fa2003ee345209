import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '../redis/connection.ts';

import { allowedFrom, isGroupStatus, type GroupStatus } from './group-lifecycle.ts';

export { GROUP_STATUSES, type GroupStatus } from './group-lifecycle.ts';

/** Why a group goes to triage; undefined when it just counted. */
export type TriageReason = 'new' | 'regressed' | 'threshold';

export interface RecordInput {
  eventId: string;
  fingerprint: string;
  plugin: string;
  type: string;
  message: string;
  version: string;
  level: string;
  /** The scrubbed event, kept among the group's samples. */
  sample: string;
  at: number;
  sampleSize: number;
  threshold: { events: number; windowSeconds: number };
  dedupeSeconds: number;
}

export interface RecordResult {
  duplicate: boolean;
  /** Set when this event sends the group to triage (or a crash left it owed). */
  triage?: TriageReason;
  count: number;
}

export interface Group {
  id: string;
  plugin: string;
  type: string;
  message: string;
  level: string;
  status: GroupStatus;
  count: number;
  firstSeen: string;
  lastSeen: string;
  lastVersion: string;
  versions: string[];
  resolvedIn: string | null;
  triagePending: TriageReason | null;
  /** When a run ended without a fix a person took (escalated, or its proposal rejected): triage leaves the group to them. */
  needsHuman: string | null;
  /** Events in each of the last 24 hours, oldest first, the current hour last. */
  hourly: number[];
}

const keys = {
  seen: (eventId: string) => `${KEY_PREFIX}seen:${eventId}`,
  group: (id: string) => `${KEY_PREFIX}group:${id}`,
  versions: (id: string) => `${KEY_PREFIX}group:${id}:versions`,
  samples: (id: string) => `${KEY_PREFIX}group:${id}:samples`,
  window: (id: string) => `${KEY_PREFIX}group:${id}:window`,
  all: () => `${KEY_PREFIX}groups`,
  byPlugin: (plugin: string) => `${KEY_PREFIX}groups:plugin:${plugin}`,
};

/**
 * One event into its group, all or nothing, so a worker killed at any point never
 * counts an event twice or loses one: the event id is remembered (for `dedupe`
 * seconds) in the same step that counts it. Samples and the threshold window are
 * capped, so a group's memory does not grow with its events.
 */

/** The Lua scripts of lua/, each a command on the connection (ioredis keeps their SHAs and falls back to EVAL). */
const lua = (name: string): string => readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8');
const LUA_DIR = join(import.meta.dirname, 'lua');
const SEMVER_GE = lua('semver-ge');
const SCRIPTS = {
  stewardRecordEvent: { numberOfKeys: 7, lua: `${SEMVER_GE}\n${lua('record-event')}` },
  stewardSettleTriage: { numberOfKeys: 1, lua: lua('settle-triage') },
  stewardTransitionGroup: { numberOfKeys: 1, lua: lua('transition-group') },
  stewardPruneGroup: { numberOfKeys: 6, lua: lua('prune-group') },
} as const;

type Script = (...args: (string | number)[]) => Promise<unknown>;

export interface TransitionResult {
  outcome: 'moved' | 'same' | 'refused' | 'missing';
  /** The status it had. */
  from: GroupStatus | null;
}

export class GroupStore {
  constructor(private readonly redis: Redis) {
    for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, script);
  }

  private script(name: keyof typeof SCRIPTS): Script {
    const run = (this.redis as unknown as Record<string, Script | undefined>)[name];
    if (!run) throw new Error(`the ${name} script is not defined`);
    return run.bind(this.redis);
  }

  async record(input: RecordInput): Promise<RecordResult> {
    const [outcome, reason, count] = (await this.script('stewardRecordEvent')(
      keys.seen(input.eventId),
      keys.group(input.fingerprint),
      keys.versions(input.fingerprint),
      keys.samples(input.fingerprint),
      keys.window(input.fingerprint),
      keys.all(),
      keys.byPlugin(input.plugin),
      input.at,
      input.fingerprint,
      input.plugin,
      input.type,
      input.message,
      input.version,
      input.level,
      input.sample,
      input.sampleSize,
      input.dedupeSeconds,
      input.threshold.events,
      input.threshold.windowSeconds,
      input.eventId,
    )) as [string, string, number];
    return { duplicate: outcome === 'duplicate', count: Number(count), ...(reason ? { triage: reason as TriageReason } : {}) };
  }

  /** Clears a triage debt once the triage job is safely queued. */
  async triageQueued(id: string, reason: TriageReason): Promise<void> {
    await this.script('stewardSettleTriage')(keys.group(id), reason);
  }

  /**
   * Moves a group to `to` if the lifecycle allows it from the status it has now, in
   * one step; `resolvedIn` records the version a resolution holds from, `needsHuman`
   * that a person has it now (a run's start, a resolution or an ignore clears that).
   */
  async transition(id: string, to: GroupStatus, options: { resolvedIn?: string; needsHuman?: boolean } = {}): Promise<TransitionResult> {
    const [outcome, from] = (await this.script('stewardTransitionGroup')(keys.group(id), to, options.resolvedIn ?? '', options.needsHuman ? '1' : '', ...allowedFrom(to))) as [
      TransitionResult['outcome'],
      string,
    ];
    return { outcome, from: from && isGroupStatus(from) ? from : null };
  }

  async get(id: string): Promise<Group | undefined> {
    const [hash, versions] = await Promise.all([this.redis.hgetall(keys.group(id)), this.redis.smembers(keys.versions(id))]);
    if (!hash.id) return undefined;
    return toGroup(hash, versions);
  }

  /** A group by its id or an unambiguous prefix of it (as git takes short shas). */
  async resolveId(prefix: string): Promise<string[]> {
    if (!/^[0-9a-f]{4,64}$/.test(prefix)) return [];
    const ids = await this.redis.zrange(keys.all(), 0, -1);
    return ids.filter((id) => id.startsWith(prefix));
  }

  async samples(id: string): Promise<unknown[]> {
    return (await this.redis.lrange(keys.samples(id), 0, -1)).map((s) => JSON.parse(s) as unknown);
  }

  async list(filter: { plugin?: string; status?: GroupStatus; limit?: number } = {}): Promise<Group[]> {
    const ids = await this.redis.zrevrange(filter.plugin ? keys.byPlugin(filter.plugin) : keys.all(), 0, -1);
    const groups: Group[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const pipeline = this.redis.pipeline();
      for (const id of chunk) pipeline.hgetall(keys.group(id)).smembers(keys.versions(id));
      const results = (await pipeline.exec()) ?? [];
      for (let j = 0; j < chunk.length; j++) {
        const hash = results[j * 2]?.[1] as Record<string, string> | undefined;
        const versions = (results[j * 2 + 1]?.[1] as string[] | undefined) ?? [];
        if (hash?.id) groups.push(toGroup(hash, versions));
      }
    }
    const filtered = filter.status ? groups.filter((g) => g.status === filter.status) : groups;
    return filter.limit ? filtered.slice(0, filter.limit) : filtered;
  }

  /**
   * Deletes groups in one of `statuses` last seen before `before` (ms), each with its
   * samples, versions and window, in one script per group: an event that arrives
   * meanwhile keeps its group. Returns the ids deleted.
   */
  async prune(statuses: readonly GroupStatus[], before: number): Promise<string[]> {
    const deleted: string[] = [];
    for (const id of await this.redis.zrangebyscore(keys.all(), '-inf', `(${before}`)) {
      const plugin = (await this.redis.hget(keys.group(id), 'plugin')) ?? '';
      const gone = await this.script('stewardPruneGroup')(
        keys.group(id),
        keys.versions(id),
        keys.samples(id),
        keys.window(id),
        keys.all(),
        keys.byPlugin(plugin),
        id,
        before,
        ...statuses,
      );
      if (gone === 1) deleted.push(id);
    }
    return deleted;
  }
}

function toGroup(hash: Record<string, string>, versions: string[]): Group {
  const iso = (ms: string | undefined): string => new Date(Number(ms ?? 0)).toISOString();
  return {
    id: hash.id ?? '',
    plugin: hash.plugin ?? '',
    type: hash.type ?? '',
    message: hash.message ?? '',
    level: hash.level ?? 'error',
    status: (hash.status ?? 'new') as GroupStatus,
    count: Number(hash.count ?? 0),
    firstSeen: iso(hash.firstSeen),
    lastSeen: iso(hash.lastSeen),
    lastVersion: hash.lastVersion ?? '',
    versions: versions.sort(),
    resolvedIn: hash.resolvedIn ?? null,
    triagePending: (hash.triagePending as TriageReason | undefined) ?? null,
    needsHuman: hash.needsHumanAt ? new Date(Number(hash.needsHumanAt) * 1000).toISOString() : null,
    hourly: hourlyOf(hash, Date.now()),
  };
}

/** The ring of hourly counts `record-event.lua` keeps, read as the 24 hours up to `now`. */
export function hourlyOf(hash: Record<string, string>, now: number): number[] {
  const current = Math.floor(now / 3_600_000);
  return Array.from({ length: 24 }, (_, i) => {
    const hour = current - 23 + i;
    const slot = hour % 24;
    return Number(hash[`hourAt${slot}`]) === hour ? Number(hash[`hour${slot}`] ?? 0) : 0;
  });
}
