import pg from 'pg';
import { migrateAsync, migrationSteps, MIGRATIONS, type Migration } from './migrations.ts';
import { txDriver, type SqlDriver } from './types.ts';

/** Serialises schema set-up across every process that opens the database at once. */
const SETUP_LOCK = 0x5_7e_a4_d0;

/** A small pool (every worker process holds two on a shared server: runs and checkpoints). */
export function postgresPool(url: string, name: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: name });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** `fn` while this session holds a Postgres advisory lock: one process at a time, across machines. */
export async function withAdvisoryLock<T>(pool: pg.Pool, key: number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // A client whose statement failed may have a broken connection: the pool drops it.
    client.release(broken);
  }
}

/**
 * Postgres through a node-postgres pool. The migrations run on first use, under an
 * advisory lock, so that several workers starting together do not race to apply them.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly migrations: readonly Migration[] = MIGRATIONS,
  ) {
    this.pool = postgresPool(url, 'plugin-steward');
  }

  private setUp(): Promise<void> {
    this.ready ??= withAdvisoryLock(this.pool, SETUP_LOCK, async (client) => {
      await migrateAsync(async (sql, params) => (await client.query(sql, params as unknown[])).rows as Record<string, unknown>[], migrationSteps('postgres', this.migrations));
    }).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    await this.setUp();
    return (await this.pool.query(sql, params as unknown[])).rows as T[];
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    await this.setUp();
    const client = await this.pool.connect();
    const tx = txDriver('postgres', async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows as R[]);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => {
        broken = rollback as Error;
      });
      throw error;
    } finally {
      // Only a connection that could not even roll back is dropped from the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
