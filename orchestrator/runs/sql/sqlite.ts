import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { messageOf, StewardError } from '../../core/errors.ts';
import { migrateSync, migrationSteps, MIGRATIONS, type Migration } from './migrations.ts';
import { txDriver, type SqlDriver } from './types.ts';

/** `$1`, `$2` … as SQLite's positional `?`, with the arguments in the order they appear. */
function positional(sql: string, params: readonly unknown[]): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    args.push(params[Number(n) - 1]);
    return '?';
  });
  return { sql: text, args };
}

/**
 * One queue per database file for the whole process. better-sqlite3 is synchronous:
 * a second connection that writes while the first one's (async) transaction waits for
 * a microtask would block the event loop in its busy wait, and the first could never
 * finish. So every connection of a process to one file (the run store's and the
 * checkpointer's) takes its turn here; other processes are kept apart by SQLite's own locks.
 */
const queues = new Map<string, { chain: Promise<unknown> }>();

function queueOf(file: string): { chain: Promise<unknown> } {
  const key = resolve(file);
  const queue = queues.get(key) ?? { chain: Promise.resolve() };
  queues.set(key, queue);
  return queue;
}

/** Runs `fn` when every earlier turn on `file` in this process has finished. */
export function inTurn<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const queue = queueOf(file);
  const turn = queue.chain.then(fn);
  queue.chain = turn.catch(() => undefined);
  return turn;
}

const DAMAGED_HINT = 'restore it from a backup; or move it (and its -wal and -shm files) aside to start an empty run store, losing its runs and checkpoints';

/** SQLite's own words for a file that is not, or no longer, a database. */
function damaged(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(NOTADB|CORRUPT)/.test(code);
}

/** A damaged state database as one clear error that names the file. */
function stateCorrupt(file: string, error: unknown): StewardError {
  return new StewardError('E_STATE_CORRUPT', `is not a readable SQLite database: ${messageOf(error)}`, { file, hint: DAMAGED_HINT });
}

/**
 * A connection to the state database, its directory made, in WAL mode with a busy wait.
 * An existing file that is empty is refused, not taken for a new store: SQLite would
 * silently start over and every run would be forgotten.
 */
export function openSqlite(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  // The marker says the store was made and used: a file another process is creating right
  // now is empty too, but has no marker yet.
  const marker = `${file}.made`;
  if (existsSync(marker) && (!existsSync(file) || statSync(file).size === 0)) {
    const what = existsSync(file) ? 'is empty (0 bytes)' : 'is missing';
    throw new StewardError('E_STATE_CORRUPT', `${what}: the run store it held is gone, and steward does not start over silently`, {
      file,
      hint: `${DAMAGED_HINT}; to start over on purpose, delete ${basename(marker)} too`,
    });
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // Under WAL, NORMAL survives a crash of the process (what a worker's death is); only a
    // power loss can cost the last transactions. FULL would fsync every run event.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Reads the schema, so a garbled file fails here and not halfway through a command.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    throw damaged(error) ? stateCorrupt(file, error) : error;
  }
  if (!existsSync(marker)) writeFileSync(marker, `${new Date().toISOString()}\n`);
  return db;
}

/**
 * SQLite through better-sqlite3 (WAL: readers never wait for the writer). A
 * transaction is a critical section: while one is open, other statements of this
 * process wait for it instead of landing inside it.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;

  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly file: string,
    private readonly migrations: readonly Migration[] = MIGRATIONS,
  ) {
    this.db = openSqlite(file);
  }

  private now<T>(sql: string, params: readonly unknown[]): T[] {
    const { sql: text, args } = positional(sql, params);
    try {
      const statement = this.db.prepare(text);
      if (statement.reader) return statement.all(...args) as T[];
      statement.run(...args);
      return [];
    } catch (error) {
      throw damaged(error) ? stateCorrupt(this.file, error) : error;
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    // The first statement of this connection waits for the store's migrations, run in turn like any other.
    // In one synchronous stretch: see Migration.
    this.ready ??= inTurn(this.file, async () => migrateSync((sql, params) => this.now(sql, params), migrationSteps('sqlite', this.migrations))).catch((error: unknown) => {
      // Tried again on the next statement, as for Postgres: one busy moment at start must not break a long-running worker.
      this.ready = undefined;
      throw error;
    });
    const ready = this.ready;
    return inTurn(this.file, async () => {
      await ready;
      return fn();
    });
  }

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.serial(async () => this.now<T>(sql, params));
  }

  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const tx = txDriver('sqlite', async <R>(sql: string, params: readonly unknown[] = []) => this.now<R>(sql, params));
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.serial(async () => this.db.close());
  }
}
