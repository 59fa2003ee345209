import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver } from './types.ts';

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
 * SQLite through better-sqlite3 (WAL: readers never wait for the writer). Its calls
 * are synchronous, so a transaction is a critical section: while one is open, other
 * statements of this process wait for it instead of landing inside it.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, schema: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Under WAL, NORMAL survives a crash of the process (what a worker's death is); only a
    // power loss can cost the last transactions. FULL would fsync every run event.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(schema);
    // State databases made before effects were claimed first have no state column: theirs are all done.
    const columns = this.db.prepare('PRAGMA table_info(effects)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'state')) this.db.exec("ALTER TABLE effects ADD COLUMN state TEXT NOT NULL DEFAULT 'done'");
  }

  private now<T>(sql: string, params: readonly unknown[]): T[] {
    const { sql: text, args } = positional(sql, params);
    const statement = this.db.prepare(text);
    if (statement.reader) return statement.all(...args) as T[];
    statement.run(...args);
    return [];
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(fn);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.serial(async () => this.now<T>(sql, params));
  }

  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const tx: SqlDriver = {
        dialect: 'sqlite',
        all: async <R>(sql: string, params: readonly unknown[] = []) => this.now<R>(sql, params),
        transaction: (inner) => inner(tx),
        close: async () => undefined,
      };
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
    await this.queue;
    this.db.close();
  }
}
