/**
 * The little a run store needs from a SQL database, so that one store serves SQLite
 * on one machine and Postgres across machines. Statements are written once, with
 * `$1`-style parameters and SQL both databases speak.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows a statement returns (none for a statement without RETURNING). */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction: all its statements count, or none. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The driver a transaction's statements go through: nested transactions join the open one. */
export function txDriver(dialect: SqlDriver['dialect'], all: SqlDriver['all']): SqlDriver {
  const tx: SqlDriver = { dialect, all, transaction: (inner) => inner(tx), close: async () => undefined };
  return tx;
}

/** A unique constraint refused a row: the caller may retry with a fresh value. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
