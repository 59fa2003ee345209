import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '../redis/connection.ts';

export const GROUP_STATUSES = ['new', 'triaged', 'in-progress', 'fix-proposed', 'resolved', 'regressed', 'ignored'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

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
const RECORD = `
local function semver_ge(a, b)
  local function parts(v)
    local core, pre = string.match(string.gsub(v, '%+.*$', ''), '^v?([%d%.]+)(.*)$')
    if not core then return nil end
    local out = {}
    for n in string.gmatch(core, '%d+') do out[#out + 1] = tonumber(n) end
    return out, pre ~= ''
  end
  local pa, prea = parts(a)
  local pb, preb = parts(b)
  if not pa or not pb then return a == b end
  for i = 1, 3 do
    local x, y = pa[i] or 0, pb[i] or 0
    if x ~= y then return x > y end
  end
  return not prea or preb
end

local now = tonumber(ARGV[1])
local id = ARGV[2]
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[10])) == false then
  return {'duplicate', redis.call('HGET', KEYS[2], 'triagePending') or '', tonumber(redis.call('HGET', KEYS[2], 'count') or '0')}
end
local fresh = redis.call('EXISTS', KEYS[2]) == 0
if fresh then
  redis.call('HSET', KEYS[2], 'id', id, 'plugin', ARGV[3], 'type', ARGV[4], 'message', ARGV[5], 'level', ARGV[7],
    'status', 'new', 'count', 0, 'firstSeen', now)
end
local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
redis.call('HSET', KEYS[2], 'lastSeen', now, 'lastVersion', ARGV[6], 'message', ARGV[5], 'level', ARGV[7])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('LPUSH', KEYS[4], ARGV[8])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[9]) - 1)
local threshold = tonumber(ARGV[11])
local window = tonumber(ARGV[12]) * 1000
redis.call('ZADD', KEYS[5], now, ARGV[13])
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(threshold + 1))
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - window)
redis.call('ZADD', KEYS[6], now, id)
redis.call('ZADD', KEYS[7], now, id)

local reason = ''
local status = redis.call('HGET', KEYS[2], 'status')
if fresh then
  reason = 'new'
elseif status == 'resolved' then
  local fixed = redis.call('HGET', KEYS[2], 'resolvedIn')
  if fixed and semver_ge(ARGV[6], fixed) then
    redis.call('HSET', KEYS[2], 'status', 'regressed', 'regressedAt', now)
    reason = 'regressed'
  end
elseif status ~= 'ignored' and redis.call('ZCARD', KEYS[5]) >= threshold then
  local last = tonumber(redis.call('HGET', KEYS[2], 'thresholdAt') or '0')
  if now - last >= window then
    redis.call('HSET', KEYS[2], 'thresholdAt', now)
    reason = 'threshold'
  end
end
if reason ~= '' then redis.call('HSET', KEYS[2], 'triagePending', reason) end
return {'counted', reason, count}
`;

export class GroupStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('stewardRecordEvent', { numberOfKeys: 7, lua: RECORD });
  }

  async record(input: RecordInput): Promise<RecordResult> {
    const run = (this.redis as unknown as Record<string, (...args: (string | number)[]) => Promise<[string, string, number]>>).stewardRecordEvent;
    if (!run) throw new Error('the record script is not defined');
    const [outcome, reason, count] = await run.call(
      this.redis,
      keys.seen(input.eventId), keys.group(input.fingerprint), keys.versions(input.fingerprint), keys.samples(input.fingerprint),
      keys.window(input.fingerprint), keys.all(), keys.byPlugin(input.plugin),
      input.at, input.fingerprint, input.plugin, input.type, input.message, input.version, input.level, input.sample,
      input.sampleSize, input.dedupeSeconds, input.threshold.events, input.threshold.windowSeconds, input.eventId,
    );
    return { duplicate: outcome === 'duplicate', count: Number(count), ...(reason ? { triage: reason as TriageReason } : {}) };
  }

  /** Clears a triage debt once the triage job is safely queued. */
  async triageQueued(id: string, reason: TriageReason): Promise<void> {
    await this.redis.eval(
      "if redis.call('HGET', KEYS[1], 'triagePending') == ARGV[1] then redis.call('HDEL', KEYS[1], 'triagePending') end return 1",
      1, keys.group(id), reason,
    );
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
      const hash = await this.redis.hmget(keys.group(id), 'plugin');
      const plugin = hash[0] ?? '';
      const gone = await this.redis.eval(
        `local status = redis.call('HGET', KEYS[1], 'status')
         local seen = tonumber(redis.call('HGET', KEYS[1], 'lastSeen') or '0')
         if not status then redis.call('ZREM', KEYS[5], ARGV[1]) return 1 end
         for i = 3, #ARGV do
           if status == ARGV[i] and seen < tonumber(ARGV[2]) then
             redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
             redis.call('ZREM', KEYS[5], ARGV[1])
             redis.call('ZREM', KEYS[6], ARGV[1])
             return 1
           end
         end
         return 0`,
        6, keys.group(id), keys.versions(id), keys.samples(id), keys.window(id), keys.all(), keys.byPlugin(plugin),
        id, before, ...statuses,
      );
      if (gone === 1) deleted.push(id);
    }
    return deleted;
  }

  async setStatus(id: string, status: GroupStatus, resolvedIn?: string): Promise<void> {
    await this.redis.hset(keys.group(id), 'status', status, ...(resolvedIn ? ['resolvedIn', resolvedIn] : []));
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
  };
}
