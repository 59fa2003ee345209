import type { SqlDriver } from './types.ts';

type Dialect = SqlDriver['dialect'];

/**
 * One step of the run store's schema, as data, so that SQLite can apply it in one
 * synchronous stretch: an `await` inside SQLite's write lock would let another
 * connection of the same process block the event loop in its busy wait.
 */
export interface Migration {
  /** Applied in order, each once: never renumber or edit one that shipped; add the next. */
  id: number;
  name: string;
  statements(dialect: Dialect): string[];
  /** A store made before migrations were versioned may have this column already: then the step is only recorded. */
  addsColumn?: { table: string; column: string };
}

/** The run store's tables; the dialects differ only in how an id counts up. */
function tables(dialect: Dialect): string[] {
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

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'runs, their events, effects and held-back groups', statements: tables },
  {
    id: 2,
    name: 'an effect is claimed before it is done',
    statements: () => ["ALTER TABLE effects ADD COLUMN state TEXT NOT NULL DEFAULT 'done'"],
    addsColumn: { table: 'effects', column: 'state' },
  },
  {
    id: 3,
    name: "a finished run's outcome",
    statements: () => ['ALTER TABLE runs ADD COLUMN outcome TEXT'],
    addsColumn: { table: 'runs', column: 'outcome' },
  },
];

interface Statement {
  sql: string;
  params?: readonly unknown[];
}

/**
 * The migration procedure once for both databases: a generator that yields each
 * statement and is handed its rows back, so SQLite can drive it synchronously and
 * Postgres with awaits. Each migration runs in its own transaction with its row in
 * `schema_migrations`; the caller holds the store's set-up lock (the Postgres advisory
 * lock; for SQLite, the process's queue), and the check is repeated under the write
 * lock because another process may have applied it meanwhile. Returns the ids applied.
 */
export function* migrationSteps(dialect: Dialect, migrations: readonly Migration[] = MIGRATIONS): Generator<Statement, number[], Record<string, unknown>[]> {
  yield { sql: 'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)' };
  const done = new Set((yield { sql: 'SELECT id FROM schema_migrations' }).map((r) => Number(r.id)));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
    if (done.has(migration.id)) continue;
    yield { sql: dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN' };
    if ((yield { sql: 'SELECT 1 AS one FROM schema_migrations WHERE id = $1', params: [migration.id] }).length === 0) {
      const column = migration.addsColumn;
      const present = column ? (yield columnQuery(dialect, column.table)).some((r) => r.name === column.column) : false;
      if (!present) for (const sql of migration.statements(dialect)) yield { sql };
      yield { sql: 'INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', params: [migration.id, migration.name, new Date().toISOString()] };
      applied.push(migration.id);
    }
    yield { sql: 'COMMIT' };
  }
  return applied;
}

function columnQuery(dialect: Dialect, table: string): Statement {
  return dialect === 'sqlite'
    ? { sql: 'SELECT name FROM pragma_table_info($1)', params: [table] }
    : { sql: 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', params: [table] };
}

/** Drives the steps synchronously (better-sqlite3), rolling back the open migration on an error. */
export function migrateSync(run: (sql: string, params: readonly unknown[]) => Record<string, unknown>[], steps = migrationSteps('sqlite')): number[] {
  let inTx = false;
  try {
    let next = steps.next([]);
    while (!next.done) {
      const { sql, params = [] } = next.value;
      const rows = run(sql, params);
      if (/^BEGIN/.test(sql)) inTx = true;
      if (sql === 'COMMIT') inTx = false;
      next = steps.next(rows);
    }
    return next.value;
  } catch (error) {
    if (inTx) run('ROLLBACK', []);
    throw error;
  }
}

/** Drives the steps with awaits (node-postgres), rolling back the open migration on an error. */
export async function migrateAsync(
  run: (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>,
  steps: ReturnType<typeof migrationSteps>,
): Promise<number[]> {
  let inTx = false;
  try {
    let next = steps.next([]);
    while (!next.done) {
      const { sql, params = [] } = next.value;
      const rows = await run(sql, params);
      if (/^BEGIN/.test(sql)) inTx = true;
      if (sql === 'COMMIT') inTx = false;
      next = steps.next(rows);
    }
    return next.value;
  } catch (error) {
    if (inTx) await run('ROLLBACK', []);
    throw error;
  }
}
