/** The run store's tables; the dialects differ only in how an id counts up. */
function schema(serial: string): string {
  return `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, plugin TEXT NOT NULL, grp TEXT NOT NULL, trigger TEXT NOT NULL, state TEXT NOT NULL,
  playbook TEXT NOT NULL, playbook_hash TEXT NOT NULL, fixer TEXT NOT NULL, model TEXT, stop_after TEXT NOT NULL,
  tokens_used INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  next_action TEXT, error TEXT, proposed_at TEXT
);
CREATE INDEX IF NOT EXISTS runs_state ON runs(state);
CREATE INDEX IF NOT EXISTS runs_plugin ON runs(plugin);
CREATE TABLE IF NOT EXISTS run_events (
  run TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (run, seq)
);
CREATE TABLE IF NOT EXISTS effects (
  key TEXT PRIMARY KEY, run TEXT NOT NULL, result TEXT NOT NULL, at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'done'
);
CREATE TABLE IF NOT EXISTS held_back (
  id ${serial}, grp TEXT NOT NULL, plugin TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL
);
`;
}

export const SQLITE_SCHEMA = schema('INTEGER PRIMARY KEY AUTOINCREMENT');
export const POSTGRES_SCHEMA = schema('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY');
