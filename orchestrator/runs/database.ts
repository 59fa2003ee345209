import { join } from 'node:path';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver, ChannelVersions, Checkpoint, CheckpointListOptions, CheckpointMetadata, CheckpointTuple, PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type pg from 'pg';
import { StewardError } from '../core/errors.ts';
import type { Library } from '../library/library.ts';
import { SqlRunStore } from './sql-store.ts';
import { PostgresDriver, postgresPool, withAdvisoryLock } from './sql/postgres.ts';
import { inTurn, openSqlite, SqliteDriver } from './sql/sqlite.ts';
import type { RunStore } from './types.ts';

/** LangGraph's checkpointer, closable whichever database holds it. */
export type Checkpointer = BaseCheckpointSaver & { close(): Promise<void> };

/** The SQLite state database: run sessions and the agent graphs' checkpoints, side by side. */
export function stateDatabase(library: Library): string {
  return join(library.paths.state, 'state.db');
}

/** The Postgres URL, checked so that a typo is one clear error and not a hang. */
function postgresUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.DATABASE_URL;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StewardError('E_CONFIG_INVALID', 'DATABASE_URL is not a URL', { hint: 'postgres://user:password@host:5432/steward, or unset it for SQLite under the state dir' });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StewardError('E_CONFIG_INVALID', `DATABASE_URL must be a postgres:// URL, not ${parsed.protocol}//…`, {
      hint: 'unset it to keep run sessions in SQLite under the state dir',
    });
  }
  return url;
}

export function openRunStore(library: Library, env: NodeJS.ProcessEnv = process.env): RunStore {
  const url = postgresUrl(env);
  return new SqlRunStore(url ? new PostgresDriver(url) : new SqliteDriver(stateDatabase(library)));
}

/** SqliteSaver whose reads and writes take their turn with the run store's (see `inTurn`). */
class QueuedSqliteSaver extends SqliteSaver implements Checkpointer {
  constructor(private readonly file: string) {
    super(openSqlite(file));
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return inTurn(this.file, () => super.getTuple(config));
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    // Read whole within one turn: a turn cannot stay open while the caller consumes.
    const tuples = await inTurn(this.file, async () => {
      const all: CheckpointTuple[] = [];
      for await (const tuple of super.list(config, options)) all.push(tuple);
      return all;
    });
    yield* tuples;
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    return inTurn(this.file, () => super.put(config, checkpoint, metadata));
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    return inTurn(this.file, () => super.putWrites(config, writes, taskId));
  }

  override deleteThread(threadId: string): Promise<void> {
    return inTurn(this.file, () => super.deleteThread(threadId));
  }

  async close(): Promise<void> {
    await inTurn(this.file, async () => this.db.close());
  }
}

/** Its own advisory lock key: the run store's set-up holds another. */
const CHECKPOINT_SETUP_LOCK = 0x5_7e_a4_d1;

/**
 * PostgresSaver whose tables are made on first use, once across processes: its own
 * `setup()` must be called before anything else, and two workers calling it at once
 * would race on the migrations table.
 */
class LazyPostgresSaver extends PostgresSaver implements Checkpointer {
  private ready: Promise<void> | undefined;

  constructor(private readonly owned: pg.Pool) {
    super(owned);
  }

  private ensure(): Promise<void> {
    this.ready ??= withAdvisoryLock(this.owned, CHECKPOINT_SETUP_LOCK, () => this.setup()).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    await this.ensure();
    return super.getTuple(config);
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    await this.ensure();
    yield* super.list(config, options);
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    await this.ensure();
    return super.put(config, checkpoint, metadata, newVersions);
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    await this.ensure();
    return super.putWrites(config, writes, taskId);
  }

  override async deleteThread(threadId: string): Promise<void> {
    await this.ensure();
    return super.deleteThread(threadId);
  }

  async close(): Promise<void> {
    await this.owned.end();
  }
}

/** LangGraph's checkpointer in the same database as the runs; the thread id of a run is its id. */
export function openCheckpointer(library: Library, env: NodeJS.ProcessEnv = process.env): Checkpointer {
  const url = postgresUrl(env);
  if (url) {
    return new LazyPostgresSaver(postgresPool(url, 'plugin-steward-checkpoints'));
  }
  return new QueuedSqliteSaver(stateDatabase(library));
}
