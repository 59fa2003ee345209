import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import semver from 'semver';
import { z } from 'zod';
import { StewardError } from '../core/errors.ts';
import { assertPluginName, PLUGIN_NAME_PATTERN } from '../library/names.ts';
import { KEY_PREFIX } from '../redis/connection.ts';
import { scrubValue } from './scrub.ts';

/** One kept call: what went in and what came out, both scrubbed, and when. */
export interface TrafficSample {
  input: unknown;
  output: unknown;
  at: string;
}

export type TrafficOutcome = 'kept' | 'skipped' | 'too-large';

export interface TrafficVersion {
  version: string;
  kept: number;
  /** Calls offered to the reservoir; a too-large one never is. */
  seen: number;
}

/** Samples a request to POST /v1/traffic may carry. */
export const MAX_TRAFFIC_BATCH = 100;

const validVersion = (version: string): boolean => semver.valid(version) !== null;

/** One sample as a producer sends it (POST /v1/traffic, the capture SDK). */
export const trafficSampleSchema = z
  .strictObject({
    plugin: z.string().regex(PLUGIN_NAME_PATTERN, 'must match ^[a-z][a-z0-9-]{1,63}$'),
    version: z.string().refine(validVersion, 'must be a semver version such as 1.4.2'),
    // JSON has no undefined: a missing field is the only way to get here without a value.
    input: z.unknown().refine((value) => value !== undefined, 'is required'),
    output: z.unknown().refine((value) => value !== undefined, 'is required'),
    at: z.iso.datetime({ offset: true }).optional().describe('When the call was made; default: when it is recorded.'),
  })
  .describe('One successful plugin call, kept (when sampled) as a regression oracle.');

/** POST /v1/traffic's body: one sample or an array of them. */
export const trafficBatchSchema = z.array(trafficSampleSchema).min(1, 'holds no sample').max(MAX_TRAFFIC_BATCH, `at most ${MAX_TRAFFIC_BATCH} samples a request`);

const keys = {
  /** The reservoir of one plugin version: a list of sample JSON texts. */
  samples: (plugin: string, version: string) => `${KEY_PREFIX}traffic:${plugin}:${version}`,
  /** Calls offered, by version: the seen counts, and the list of the plugin's versions. */
  seen: (plugin: string) => `${KEY_PREFIX}traffic:${plugin}`,
  /** Plugins with traffic, for clearing all. Not under traffic: a plugin may be named "plugins". */
  plugins: () => `${KEY_PREFIX}traffic-plugins`,
};

const LUA_DIR = join(import.meta.dirname, 'lua');
const SCRIPTS = {
  stewardRecordTraffic: { numberOfKeys: 3, lua: readFileSync(join(LUA_DIR, 'record-traffic.lua'), 'utf8') },
  stewardClearTraffic: { numberOfKeys: 2, lua: readFileSync(join(LUA_DIR, 'clear-traffic.lua'), 'utf8') },
} as const;

type Script = (...args: (string | number)[]) => Promise<unknown>;

function assertVersion(version: string): string {
  if (!validVersion(version)) throw new StewardError('E_USAGE', `invalid plugin version ${JSON.stringify(version)}: it must be a semver version such as 1.4.2`);
  return version;
}

/** Bytes of a value's JSON, exact whenever it may be over `limit` (below it, the count is skipped). */
function jsonBytes(value: unknown, limit: number): number {
  const text = JSON.stringify(value) ?? 'null';
  // UTF-8 takes at least one byte and at most three per UTF-16 unit.
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text);
}

/**
 * A bound a value's JSON never exceeds in bytes, found without writing it (the host sizes
 * every call it serves, and writing 1 KiB of JSON costs more than walking it): a character
 * counts 6 (an escape, at worst), a number 24. Walked without recursion; it stops once
 * past `limit`, and gives up (Infinity) on an object with its own toJSON.
 */
function jsonBytesAtMost(value: unknown, limit: number): number {
  let total = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && total <= limit) {
    const item = pending.pop();
    if (typeof item === 'string') total += item.length * 6 + 2;
    else if (item === null || typeof item !== 'object') total += 24;
    else if (typeof (item as { toJSON?: unknown }).toJSON === 'function') return Number.POSITIVE_INFINITY;
    else if (Array.isArray(item)) {
      total += 2 + item.length;
      if (total > limit) break;
      for (const element of item as unknown[]) pending.push(element);
    } else {
      total += 2;
      for (const key in item) {
        total += key.length * 6 + 4;
        if (total > limit) break;
        pending.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return total;
}

/** How long calls skipped here may wait before their count is added to Redis's. */
const FLUSH_AFTER_MS = 1000;

/** What this process knows of one reservoir: the seen count Redis last gave, and the calls it skipped since. */
interface Known {
  plugin: string;
  version: string;
  seen: number;
  skipped: number;
}

/** Newest first: semver order, which ignores build metadata, then the text. */
function newestFirst(a: string, b: string): number {
  return semver.rcompare(a, b) || b.localeCompare(a);
}

/**
 * Production traffic kept as a regression oracle: for each plugin version, a uniform
 * random sample (a reservoir) of the successful calls it served, scrubbed as error
 * events are. Its memory is capped per version: it does not grow with the traffic.
 *
 * Once a reservoir is full almost every call is skipped (call n is kept with
 * probability size/n), so most calls never need Redis: the random number is drawn
 * here, and a call the reservoir would certainly refuse is only counted, and its count
 * sent later (with the next call that goes to Redis, or within a second). It is
 * certain because the seen count only grows: the one Redis last gave plus the calls
 * skipped since is at most what Redis holds, and with the same random number a call
 * refused at a smaller count is refused at a larger one. Every call that might be
 * kept goes to the script, which decides and writes in one step. A clear() elsewhere
 * can make the count here too high until the next word with Redis; within a second.
 */
export class TrafficStore {
  readonly sampleSize: number;
  readonly maxInputBytes: number;
  /** How long calls skipped here may wait before their count is added to Redis's. */
  readonly flushAfterMs: number;
  private readonly known = new Map<string, Known>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    options: { sampleSize?: number; maxInputBytes?: number; flushAfterMs?: number } = {},
  ) {
    this.sampleSize = options.sampleSize ?? 200;
    this.maxInputBytes = options.maxInputBytes ?? 65_536;
    this.flushAfterMs = options.flushAfterMs ?? FLUSH_AFTER_MS;
    for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, script);
  }

  private script(name: keyof typeof SCRIPTS): Script {
    const run = (this.redis as unknown as Record<string, Script | undefined>)[name];
    if (!run) throw new Error(`the ${name} script is not defined`);
    return run.bind(this.redis);
  }

  /**
   * The field of a sample too large to keep, with its size: an input, or an output,
   * whose JSON is over `maxInputBytes`. A call's output is held to the input's limit
   * too, so that no sample can make a reservoir's memory unbounded.
   */
  oversize(sample: { input: unknown; output: unknown }): { field: 'input' | 'output'; bytes: number } | undefined {
    for (const field of ['input', 'output'] as const) {
      if (jsonBytesAtMost(sample[field], this.maxInputBytes) <= this.maxInputBytes) continue;
      const bytes = jsonBytes(sample[field], this.maxInputBytes);
      if (bytes > this.maxInputBytes) return { field, bytes };
    }
    return undefined;
  }

  /**
   * Offers one successful call to its version's reservoir. Input and output are scrubbed
   * here, as events are (scrubValue, with the plugin's declared secret values), before
   * anything is sent to Redis. Throws on an invalid name or version, or if Redis fails.
   */
  async record(sample: { plugin: string; version: string; input: unknown; output: unknown; at?: string }, secrets?: readonly string[]): Promise<TrafficOutcome> {
    const { plugin, version } = sample;
    const id = `${plugin}\n${version}`;
    const known = this.known.get(id);
    // A name and version that reached Redis once were valid then.
    if (!known) {
      assertPluginName(plugin);
      assertVersion(version);
    }
    // Sized before scrubbing, so a huge value costs no scrub.
    if (this.oversize(sample)) return 'too-large';
    const draw = Math.random();
    if (known && Math.floor(draw * (known.seen + known.skipped + 1)) >= this.sampleSize) {
      known.skipped++;
      this.flushTimer ??= setTimeout(() => void this.flush().catch(() => undefined), this.flushAfterMs).unref();
      return 'skipped';
    }
    const skipped = known?.skipped ?? 0;
    if (known) known.skipped = 0;
    const kept: TrafficSample = { input: scrubValue(sample.input, secrets) ?? null, output: scrubValue(sample.output, secrets) ?? null, at: sample.at ?? new Date().toISOString() };
    let answer: [Exclude<TrafficOutcome, 'too-large'>, number];
    try {
      answer = (await this.script('stewardRecordTraffic')(
        keys.samples(plugin, version),
        keys.seen(plugin),
        keys.plugins(),
        version,
        plugin,
        JSON.stringify(kept),
        this.sampleSize,
        draw,
        skipped,
      )) as typeof answer;
    } catch (error) {
      // Not counted in Redis: they wait for the next try.
      if (known) known.skipped += skipped;
      throw error;
    }
    const now = this.known.get(id);
    if (now) now.seen = Number(answer[1]);
    else this.known.set(id, { plugin, version, seen: Number(answer[1]), skipped: 0 });
    return answer[0];
  }

  /** Adds the calls skipped here to Redis's seen counts (reads do it first, and a timer within a second). */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = [...this.known.values()].filter((k) => k.skipped > 0).map((known) => ({ known, skipped: known.skipped }));
    if (pending.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { known, skipped } of pending) {
      known.skipped -= skipped;
      pipeline.hincrby(keys.seen(known.plugin), known.version, skipped).sadd(keys.plugins(), known.plugin);
    }
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (error) {
      for (const { known, skipped } of pending) known.skipped += skipped;
      throw error;
    }
    for (const [i, { known, skipped }] of pending.entries()) {
      const [error, seen] = results[i * 2] ?? [null, undefined];
      if (error || seen === undefined) known.skipped += skipped;
      else known.seen = Number(seen);
    }
  }

  /** The samples kept of one version, or of every version (newest version first); newest call first within a version. */
  async list(plugin: string, version?: string): Promise<TrafficSample[]> {
    assertPluginName(plugin);
    await this.flush();
    const versions = version !== undefined ? [assertVersion(version)] : (await this.versions(plugin)).map((v) => v.version);
    if (versions.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const v of versions) pipeline.lrange(keys.samples(plugin, v), 0, -1);
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([error, texts]) => {
      if (error) throw error;
      return (texts as string[]).map((text) => JSON.parse(text) as TrafficSample).sort((a, b) => b.at.localeCompare(a.at));
    });
  }

  /** Each version with traffic: samples kept and calls seen, newest version first. */
  async versions(plugin: string): Promise<TrafficVersion[]> {
    await this.flush();
    const seen = await this.redis.hgetall(keys.seen(assertPluginName(plugin)));
    const versions = Object.keys(seen).sort(newestFirst);
    if (versions.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const version of versions) pipeline.llen(keys.samples(plugin, version));
    const lengths = (await pipeline.exec()) ?? [];
    return versions.map((version, i) => {
      const [error, kept] = lengths[i] ?? [null, 0];
      if (error) throw error;
      return { version, kept: Number(kept), seen: Number(seen[version] ?? 0) };
    });
  }

  /** Deletes one plugin's traffic, or every plugin's; returns the number of keys deleted. */
  async clear(plugin?: string): Promise<number> {
    const plugins = plugin !== undefined ? [assertPluginName(plugin)] : await this.redis.smembers(keys.plugins());
    // What was counted here is cleared with the rest.
    for (const [id, known] of this.known) if (plugin === undefined || known.plugin === plugin) this.known.delete(id);
    let removed = 0;
    for (const name of plugins) removed += Number(await this.script('stewardClearTraffic')(keys.seen(name), keys.plugins(), name, keys.samples(name, '')));
    return removed;
  }
}
