import type { SqlDriver } from './types.ts';

/** Runs one statement and returns its rows: what a migration works with, in either database. */
export type Exec = <T>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

export interface Migration {
  /** Applied in order, each once: never renumber or edit one that shipped; add the next. */
  id: number;
  name: string;
  up(exec: Exec, dialect: SqlDriver['dialect']): Promise<void>;
}

/** The run store's tables; the dialects differ only in how an id counts up. */
function tables(dialect: SqlDriver['dialect']): string[] {
  const serial = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  return [
    `CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY, plugin TEXT NOT NULL, grp TEXT NOT NULL, trigger TEXT NOT NULL, state TEXT NOT NULL,
      playbook TEXT NOT NULL, playbook_hash TEXT NOT NULL, fixer TEXT NOT NULL, model TEXT, stop_after TEXT NOT NULL,
      tokens_used INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      next_action TEXT, error TEXT, proposed_at TEXT
    )`,
    'CREATE INDEX IF NOT EXISTS runs_state ON runs(state)',
    'CREATE INDEX IF NOT EXISTS runs_plugin ON runs(plugin)',
    `CREATE TABLE IF NOT EXISTS run_events (
      run TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (run, seq)
    )`,
    'CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, run TEXT NOT NULL, result TEXT NOT NULL, at TEXT NOT NULL)',
    `CREATE TABLE IF NOT EXISTS held_back (id ${serial}, grp TEXT NOT NULL, plugin TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)`,
  ];
}

async function hasColumn(exec: Exec, dialect: SqlDriver['dialect'], table: string, column: string): Promise<boolean> {
  if (dialect === 'sqlite') return (await exec<{ name: string }>(`PRAGMA table_info(${table})`)).some((c) => c.name === column);
  return (await exec('SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2', [table, column])).length > 0;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'runs, their events, effects and held-back groups',
    async up(exec, dialect) {
      for (const statement of tables(dialect)) await exec(statement);
    },
  },
  {
    id: 2,
    name: 'an effect is claimed before it is done',
    async up(exec, dialect) {
      // Stores made before migrations were versioned may have the column already.
      if (!(await hasColumn(exec, dialect, 'effects', 'state'))) await exec("ALTER TABLE effects ADD COLUMN state TEXT NOT NULL DEFAULT 'done'");
    },
  },
];

/**
 * Applies the migrations a store has not had yet, in order, each in its own transaction
 * with its row in `schema_migrations`, so both databases go through the same steps. The
 * caller holds the store's set-up lock (SQLite's write lock, Postgres's advisory lock).
 */
export async function migrate(exec: Exec, dialect: SqlDriver['dialect'], migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((await exec<{ id: number | string }>('SELECT id FROM schema_migrations')).map((r) => Number(r.id)));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
    if (done.has(migration.id)) continue;
    await exec(dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
    try {
      // Asked again under the write lock: another process may have applied it meanwhile.
      if ((await exec('SELECT 1 FROM schema_migrations WHERE id = $1', [migration.id])).length === 0) {
        await migration.up(exec, dialect);
        await exec('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [migration.id, migration.name, new Date().toISOString()]);
        applied.push(migration.id);
      }
      await exec('COMMIT');
    } catch (error) {
      await exec('ROLLBACK');
      throw error;
    }
  }
  return applied;
}
