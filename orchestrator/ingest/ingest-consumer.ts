import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { listPluginNames, type Library } from '../library/library.ts';
import { messageOf } from '../core/errors.ts';
import { checkManifest } from '../library/manifest.ts';
import { pluginEnv } from '../library/plugin-env.ts';
import { connect, QUEUE_PREFIX } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { deadLetter } from './dead-letter.ts';
import type { ErrorEvent } from './event.ts';
import { fingerprint } from './fingerprint.ts';
import { GroupStore, type TriageReason } from './groups.ts';
import { eventJobId, openQueue, QUEUES, type DeadLetter, type TriageJob } from './queues.ts';
import { scrubEvent } from './scrub.ts';
import { formatStack, normaliseFrames, parseStack, type Frame } from './stack.ts';
import { validateEvent } from './validate.ts';

export interface IngestOutcome {
  status: 'grouped' | 'duplicate' | 'rejected';
  group?: string;
  triage?: TriageReason;
  reason?: string;
}

/** The plugins the library has, re-read at most every few seconds when an unknown name shows up. */
class PluginIndex {
  private names = new Set<string>();
  private readAt = 0;
  private secrets = new Map<string, string[]>();

  constructor(
    private readonly library: Library,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.refresh();
  }

  private refresh(): void {
    this.names = new Set(listPluginNames(this.library));
    this.secrets.clear();
    this.readAt = Date.now();
  }

  has(name: string): boolean {
    if (!this.names.has(name) && Date.now() - this.readAt > 5000) this.refresh();
    return this.names.has(name);
  }

  /** Values of the plugin's secret variables as this machine knows them: scrubbed wherever they appear. */
  secretsOf(name: string): string[] {
    let found = this.secrets.get(name);
    if (!found) {
      const { manifest } = checkManifest(join(this.library.paths.plugins, name), name);
      found = manifest ? pluginEnv(manifest, this.env).secrets : [];
      this.secrets.set(name, found);
    }
    return found;
  }

  root(name: string): string {
    return join(this.library.paths.plugins, name);
  }
}

export interface IngestDeps {
  library: Library;
  redis: Redis;
  dead: Queue<DeadLetter>;
  triage: Queue<TriageJob>;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

/** Validate, scrub, normalise, fingerprint, group, and send to triage what needs it. */
export class Ingest {
  readonly groups: GroupStore;
  private readonly plugins: PluginIndex;

  constructor(private readonly deps: IngestDeps) {
    this.groups = new GroupStore(deps.redis);
    this.plugins = new PluginIndex(deps.library, deps.env ?? process.env);
  }

  async process(raw: unknown, jobId: string, source: DeadLetter['source'] = 'queue'): Promise<IngestOutcome> {
    let prepared: ReturnType<Ingest['prepare']>;
    try {
      prepared = this.prepare(raw);
    } catch (error) {
      // Whatever an event makes these steps throw would throw again on every retry.
      prepared = { ok: false, reason: `processing failed: ${messageOf(error)}` };
    }
    if (!prepared.ok) {
      await this.reject(raw, jobId, source, prepared.reason, prepared.path);
      return { status: 'rejected', reason: prepared.reason };
    }
    const { event, stored, frames } = prepared;
    const { fingerprint: id } = fingerprint({ plugin: event.plugin, type: event.error.type, message: event.error.message, frames });
    const config = this.deps.library.config.ingest;
    const result = await this.groups.record({
      eventId: event.id,
      fingerprint: id,
      plugin: event.plugin,
      type: event.error.type,
      message: event.error.message.slice(0, 1000),
      version: event.pluginVersion,
      level: event.level,
      sample: JSON.stringify({ event: stored, frames: frames.map(summariseFrame) }),
      at: Date.now(),
      sampleSize: config.sampleSize,
      threshold: config.threshold,
      dedupeSeconds: config.dedupeSeconds,
    });
    if (result.triage) await this.sendToTriage(id, event.plugin, result.triage);
    return { status: result.duplicate ? 'duplicate' : 'grouped', group: id, ...(result.triage ? { triage: result.triage } : {}) };
  }

  /** Validation, scrubbing and stack normalisation: no I/O, so a throw here is the event's doing. */
  private prepare(raw: unknown): { ok: true; event: ErrorEvent; stored: ErrorEvent; frames: Frame[] } | { ok: false; reason: string; path?: string } {
    const valid = validateEvent(raw, (name) => this.plugins.has(name));
    if (!valid.ok) return valid;
    // Nothing is stored, shown or queued before this line.
    const event = scrubEvent(valid.event, this.plugins.secretsOf(valid.event.plugin));
    const frames = normaliseFrames(event.error.stack ? parseStack(event.error.stack) : [], {
      plugin: event.plugin,
      pluginRoots: [this.plugins.root(event.plugin)],
    });
    const stored: ErrorEvent = frames.length > 0 ? { ...event, error: { ...event.error, stack: formatStack(event.error.type, event.error.message, frames) } } : event;
    return { ok: true, event, stored, frames };
  }

  /** To the dead-letter queue, scrubbed with the secrets of the plugin it names, if any. */
  async reject(raw: unknown, jobId: string, source: DeadLetter['source'], reason: string, path?: string): Promise<void> {
    // A malformed event may still name a plugin whose secrets it carries.
    const named = raw !== null && typeof raw === 'object' ? (raw as { plugin?: unknown }).plugin : undefined;
    const secrets = typeof named === 'string' && this.plugins.has(named) ? this.plugins.secretsOf(named) : [];
    await deadLetter(this.deps.dead, { reason, ...(path ? { path } : {}), raw, source }, eventJobId(jobId), secrets);
  }

  /** Owed triage is settled only once the job is queued; a retry after a crash pays it. */
  private async sendToTriage(group: string, plugin: string, reason: TriageReason): Promise<void> {
    await this.deps.triage.add('group', { group, plugin, reason }, { deduplication: { id: group } });
    await this.groups.triageQueued(group, reason);
    this.deps.log?.info({ group, plugin, reason }, 'group sent to triage');
  }
}

function summariseFrame(frame: Frame): { function: string | null; file: string; line: number | null; inApp: boolean } {
  return { function: frame.function, file: frame.file, line: frame.line, inApp: frame.inApp };
}

export interface RunningIngestConsumer {
  worker: Worker;
  ingest: Ingest;
  close(): Promise<void>;
}

/** The BullMQ worker on the errors queue. Several may run at once, on one machine or many. */
export function startIngestConsumer(target: RedisTarget, library: Library, options: { concurrency?: number; log?: Logger; env?: NodeJS.ProcessEnv } = {}): RunningIngestConsumer {
  const redis = connect(target, 'ingest');
  const producer = connect(target, 'ingest-producer');
  const dead = openQueue<DeadLetter>(QUEUES.dead, producer);
  const triage = openQueue<TriageJob>(QUEUES.triage, producer);
  const ingest = new Ingest({ library, redis, dead, triage, ...(options.log ? { log: options.log } : {}), ...(options.env ? { env: options.env } : {}) });
  const workerConnection = connect(target, 'ingest-worker');
  const worker = new Worker(QUEUES.errors, async (job: Job) => ingest.process(job.data, job.id ?? 'unknown'), {
    connection: workerConnection,
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency ?? 16,
    // A worker killed mid-job leaves it stalled; another takes it back once its lock (10 s,
    // renewed while the job runs) expires. Jobs take milliseconds, so this loses nothing.
    lockDuration: 10_000,
    stalledInterval: 5000,
    maxStalledCount: 5,
  });
  worker.on('error', (error) => options.log?.error({ err: error.message }, 'ingest worker error'));
  // A job that failed its last attempt (Redis kept failing under it, say) is dead-lettered,
  // not left in BullMQ's failed set where nobody looks.
  worker.on('failed', (job, error) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    void ingest
      .reject(job.data, job.id ?? 'unknown', 'queue', `processing failed ${job.attemptsMade} times: ${error.message}`)
      .then(() => job.remove())
      .catch((failure: unknown) => options.log?.error({ err: messageOf(failure), job: job.id }, 'could not dead-letter a failed event'));
  });
  return {
    worker,
    ingest,
    async close() {
      await worker.close();
      await Promise.all([dead.close(), triage.close()]);
      for (const client of [redis, producer, workerConnection]) client.disconnect();
    },
  };
}
