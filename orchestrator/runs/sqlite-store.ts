import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Effect, HeldBack, RunEvent, RunRecord, RunState, RunStore } from './types.ts';

const SCHEMA = `
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
  id INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, plugin TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL
);
`;

interface Row {
  id: string; plugin: string; grp: string; trigger: string; state: string; playbook: string; playbook_hash: string;
  fixer: string; model: string | null; stop_after: string; tokens_used: number; created_at: string; updated_at: string;
  next_action: string | null; error: string | null;
}

function toRecord(row: Row): RunRecord {
  return {
    id: row.id, plugin: row.plugin, group: row.grp, trigger: row.trigger as RunRecord['trigger'], state: row.state as RunState,
    playbook: row.playbook, playbookHash: row.playbook_hash, fixer: row.fixer, model: row.model,
    stopAfter: row.stop_after as RunRecord['stopAfter'], tokensUsed: row.tokens_used, createdAt: row.created_at,
    updatedAt: row.updated_at, nextAction: row.next_action, error: row.error,
  };
}

const ACTIVE: RunState[] = ['queued', 'running', 'awaiting_approval', 'paused'];

/** Run sessions in SQLite (WAL: readers never wait for the writer). */
export class SqliteRunStore implements RunStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Under WAL, NORMAL survives a crash of the process (what a worker's death is); only a
    // power loss can cost the last transactions. FULL would fsync every run event.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // State databases made before effects were claimed first have no state column: theirs are all done.
    const columns = this.db.prepare('PRAGMA table_info(effects)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'state')) this.db.exec("ALTER TABLE effects ADD COLUMN state TEXT NOT NULL DEFAULT 'done'");
  }

  create(run: Parameters<RunStore['create']>[0]): RunRecord {
    const now = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO runs (id, plugin, grp, trigger, state, playbook, playbook_hash, fixer, model, stop_after, created_at, updated_at, next_action)
                VALUES (@id, @plugin, @group, @trigger, @state, @playbook, @playbookHash, @fixer, @model, @stopAfter, @now, @now, @nextAction)`)
      .run({ ...run, now, nextAction: run.nextAction ?? null });
    this.appendEvent(run.id, 'state', { state: run.state });
    return this.get(run.id) as RunRecord;
  }

  createMany(runs: Parameters<RunStore['create']>[0][]): void {
    this.db.transaction(() => {
      for (const run of runs) this.create(run);
    })();
  }

  get(id: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(filter: { state?: RunState; plugin?: string; limit?: number } = {}): RunRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.plugin) {
      where.push('plugin = ?');
      args.push(filter.plugin);
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[]).map(toRecord);
  }

  active(): RunRecord[] {
    return (this.db.prepare(`SELECT * FROM runs WHERE state IN (${ACTIVE.map(() => '?').join(',')})`).all(...ACTIVE) as Row[]).map(toRecord);
  }

  update(id: string, patch: Parameters<RunStore['update']>[1]): RunRecord | undefined {
    const before = this.get(id);
    if (!before) return undefined;
    const next = { ...before, ...patch };
    const now = new Date().toISOString();
    const proposed = patch.state === 'awaiting_approval' ? now : null;
    // tokens_used only when asked: a worker adds to it (addTokens) while others update the state.
    this.db
      .prepare(`UPDATE runs SET state = ?, next_action = ?, error = ?, tokens_used = COALESCE(?, tokens_used), updated_at = ?, proposed_at = COALESCE(proposed_at, ?) WHERE id = ?`)
      .run(next.state, next.nextAction, next.error, patch.tokensUsed ?? null, now, proposed, id);
    if (patch.state && patch.state !== before.state) this.appendEvent(id, 'state', { from: before.state, state: patch.state });
    return this.get(id);
  }

  appendEvent(run: string, kind: string, data: unknown): RunEvent {
    const at = new Date().toISOString();
    // One statement: the next sequence number and the insert cannot interleave with another writer.
    const info = this.db
      .prepare('INSERT INTO run_events (run, seq, at, kind, data) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE run = ?), ?, ?, ?) RETURNING seq')
      .get(run, run, at, kind, JSON.stringify(data)) as { seq: number };
    return { run, seq: info.seq, at, kind, data };
  }

  events(run: string, afterSeq = 0): RunEvent[] {
    return (this.db.prepare('SELECT * FROM run_events WHERE run = ? AND seq > ? ORDER BY seq').all(run, afterSeq) as { run: string; seq: number; at: string; kind: string; data: string }[]).map(
      (row) => ({ ...row, data: JSON.parse(row.data) as unknown }),
    );
  }

  lastEvent(run: string, kind: string): RunEvent | undefined {
    const row = this.db.prepare('SELECT * FROM run_events WHERE run = ? AND kind = ? ORDER BY seq DESC LIMIT 1').get(run, kind) as { run: string; seq: number; at: string; kind: string; data: string } | undefined;
    return row ? { ...row, data: JSON.parse(row.data) as unknown } : undefined;
  }

  recordHeld(items: Omit<HeldBack, 'at'>[]): void {
    const at = new Date().toISOString();
    const insert = this.db.prepare('INSERT INTO held_back (grp, plugin, reason, at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const item of items) insert.run(item.group, item.plugin, item.reason, at);
    })();
  }

  held(limit = 100): HeldBack[] {
    return (this.db.prepare('SELECT grp, plugin, reason, at FROM held_back ORDER BY id DESC LIMIT ?').all(limit) as { grp: string; plugin: string; reason: string; at: string }[]).map(
      (row) => ({ group: row.grp, plugin: row.plugin, reason: row.reason, at: row.at }),
    );
  }

  tokensSince(since: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(tokens_used), 0) AS n FROM runs WHERE created_at >= ?').get(since) as { n: number }).n;
  }

  proposals(since: string): { sinceCount: number; open: number } {
    const sinceCount = (this.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE proposed_at >= ?').get(since) as { n: number }).n;
    const open = (this.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'awaiting_approval'").get() as { n: number }).n;
    return { sinceCount, open };
  }

  effect(key: string): Effect | undefined {
    const row = this.db.prepare("SELECT key, run, result, at FROM effects WHERE key = ? AND state = 'done'").get(key) as { key: string; run: string; result: string; at: string } | undefined;
    return row ? { ...row, result: JSON.parse(row.result) as unknown } : undefined;
  }

  claimEffect(key: string, run: string, staleMs: number): ReturnType<RunStore['claimEffect']> {
    // One transaction: two workers claiming at once see each other's claim.
    return this.db.transaction((): ReturnType<RunStore['claimEffect']> => {
      const now = new Date();
      const row = this.db.prepare('SELECT key, run, result, at, state FROM effects WHERE key = ?').get(key) as { key: string; run: string; result: string; at: string; state: string } | undefined;
      if (!row) {
        this.db.prepare("INSERT INTO effects (key, run, result, at, state) VALUES (?, ?, 'null', ?, 'pending')").run(key, run, now.toISOString());
        return { status: 'claimed' };
      }
      if (row.state === 'done') return { status: 'done', effect: { key: row.key, run: row.run, at: row.at, result: JSON.parse(row.result) as unknown } };
      if (now.getTime() - Date.parse(row.at) > staleMs) {
        this.db.prepare('UPDATE effects SET run = ?, at = ? WHERE key = ?').run(run, now.toISOString(), key);
        return { status: 'claimed' };
      }
      return { status: 'pending', by: row.run };
    })();
  }

  completeEffect(key: string, result: unknown): void {
    this.db.prepare("UPDATE effects SET result = ?, state = 'done', at = ? WHERE key = ?").run(JSON.stringify(result ?? null), new Date().toISOString(), key);
  }

  releaseEffect(key: string, run: string): void {
    this.db.prepare("DELETE FROM effects WHERE key = ? AND run = ? AND state = 'pending'").run(key, run);
  }

  addTokens(run: string, tokens: number): number {
    const row = this.db.prepare('UPDATE runs SET tokens_used = tokens_used + ?, updated_at = ? WHERE id = ? RETURNING tokens_used').get(Math.max(0, Math.round(tokens)), new Date().toISOString(), run) as { tokens_used: number } | undefined;
    return row?.tokens_used ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
