import { isUniqueViolation, type SqlDriver } from './sql/types.ts';
import type { Effect, HeldBack, RunEvent, RunRecord, RunState, RunStore } from './types.ts';

interface Row {
  id: string;
  plugin: string;
  grp: string;
  trigger: string;
  state: string;
  playbook: string;
  playbook_hash: string;
  fixer: string;
  model: string | null;
  stop_after: string;
  tokens_used: number;
  created_at: string;
  updated_at: string;
  next_action: string | null;
  error: string | null;
  outcome: string | null;
}

interface EventRow {
  run: string;
  seq: number;
  at: string;
  kind: string;
  data: string;
}

function toRecord(row: Row): RunRecord {
  return {
    id: row.id,
    plugin: row.plugin,
    group: row.grp,
    trigger: row.trigger as RunRecord['trigger'],
    state: row.state as RunState,
    playbook: row.playbook,
    playbookHash: row.playbook_hash,
    fixer: row.fixer,
    model: row.model,
    stopAfter: row.stop_after as RunRecord['stopAfter'],
    tokensUsed: Number(row.tokens_used),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    nextAction: row.next_action,
    error: row.error,
    outcome: row.outcome ?? null,
  };
}

const toEvent = (row: EventRow): RunEvent => ({ run: row.run, seq: Number(row.seq), at: row.at, kind: row.kind, data: JSON.parse(row.data) as unknown });

const ACTIVE = "('queued', 'running', 'awaiting_approval', 'paused')";

/** Run sessions in SQL: SQLite under the state dir, or Postgres shared by every machine. */
export class SqlRunStore implements RunStore {
  constructor(private readonly db: SqlDriver) {}

  async create(run: Parameters<RunStore['create']>[0]): Promise<RunRecord> {
    return this.db.transaction(async (tx) => {
      await this.insert(tx, run);
      return (await this.getWith(tx, run.id)) as RunRecord;
    });
  }

  private async insert(tx: SqlDriver, run: Parameters<RunStore['create']>[0]): Promise<void> {
    const now = new Date().toISOString();
    await tx.all(
      `INSERT INTO runs (id, plugin, grp, trigger, state, playbook, playbook_hash, fixer, model, stop_after, created_at, updated_at, next_action)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)`,
      [run.id, run.plugin, run.group, run.trigger, run.state, run.playbook, run.playbookHash, run.fixer, run.model, run.stopAfter, now, run.nextAction ?? null],
    );
    await this.appendWith(tx, run.id, 'state', { state: run.state });
  }

  async createMany(runs: Parameters<RunStore['create']>[0][]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const run of runs) await this.insert(tx, run);
    });
  }

  private async getWith(db: SqlDriver, id: string, forUpdate = false): Promise<RunRecord | undefined> {
    const [row] = await db.all<Row>(`SELECT * FROM runs WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return row ? toRecord(row) : undefined;
  }

  get(id: string): Promise<RunRecord | undefined> {
    return this.getWith(this.db, id);
  }

  async list(filter: { state?: RunState; plugin?: string; limit?: number } = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) where.push(`state = $${args.push(filter.state)}`);
    if (filter.plugin) where.push(`plugin = $${args.push(filter.plugin)}`);
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT $${args.push(filter.limit ?? 1000)}`;
    return (await this.db.all<Row>(sql, args)).map(toRecord);
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ state: string; n: number | string }>('SELECT state, COUNT(*) AS n FROM runs GROUP BY state');
    // Postgres answers COUNT as a string (bigint).
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  async fixCounts(): Promise<{ proposed: number; approved: number; rejected: number }> {
    const [runs] = await this.db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM runs WHERE proposed_at IS NOT NULL');
    // An answer is written as compact JSON (appendEvent), so its decision reads as one exact substring.
    const decided = async (decision: 'approve' | 'reject'): Promise<number> => {
      const [row] = await this.db.all<{ n: number | string }>("SELECT COUNT(DISTINCT run) AS n FROM run_events WHERE kind = 'answered' AND data LIKE $1", [
        `%"decision":"${decision}"%`,
      ]);
      return Number(row?.n ?? 0);
    };
    return { proposed: Number(runs?.n ?? 0), approved: await decided('approve'), rejected: await decided('reject') };
  }

  async active(): Promise<RunRecord[]> {
    return (await this.db.all<Row>(`SELECT * FROM runs WHERE state IN ${ACTIVE}`)).map(toRecord);
  }

  /** A transaction that starts over when another writer took an event number first. */
  private async retrying<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(fn);
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 20) throw error;
      }
    }
  }

  update(id: string, patch: Parameters<RunStore['update']>[1]): Promise<RunRecord | undefined> {
    return this.retrying(async (tx) => {
      // Postgres: the row stays locked until commit, so a concurrent update waits and
      // then reads this one's result (SQLite's BEGIN IMMEDIATE already serialises writers).
      const before = await this.getWith(tx, id, tx.dialect === 'postgres');
      if (!before) return undefined;
      const next = { ...before, ...patch };
      const now = new Date().toISOString();
      const proposed = patch.state === 'awaiting_approval' ? now : null;
      // tokens_used only when asked: a worker adds to it (addTokens) while others update the state.
      await tx.all(
        'UPDATE runs SET state = $1, next_action = $2, error = $3, tokens_used = COALESCE($4, tokens_used), updated_at = $5, proposed_at = COALESCE(proposed_at, $6), outcome = $7 WHERE id = $8',
        [next.state, next.nextAction, next.error, patch.tokensUsed ?? null, now, proposed, next.outcome, id],
      );
      if (patch.state && patch.state !== before.state) await this.appendWith(tx, id, 'state', { from: before.state, state: patch.state });
      return this.getWith(tx, id);
    });
  }

  private async appendWith(db: SqlDriver, run: string, kind: string, data: unknown): Promise<RunEvent> {
    const at = new Date().toISOString();
    // The next number and the insert in one statement; two writers that still pick the
    // same number (Postgres' read committed) collide on the key, and the loser retries.
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await db.all<{ seq: number }>(
          'INSERT INTO run_events (run, seq, at, kind, data) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE run = $1), $2, $3, $4) RETURNING seq',
          [run, at, kind, JSON.stringify(data ?? null)],
        );
        return { run, seq: Number(row?.seq), at, kind, data };
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 20 || db !== this.db) throw error;
      }
    }
  }

  appendEvent(run: string, kind: string, data: unknown): Promise<RunEvent> {
    return this.appendWith(this.db, run, kind, data);
  }

  async events(run: string, afterSeq = 0): Promise<RunEvent[]> {
    return (await this.db.all<EventRow>('SELECT * FROM run_events WHERE run = $1 AND seq > $2 ORDER BY seq', [run, afterSeq])).map(toEvent);
  }

  async lastEvent(run: string, kind: string): Promise<RunEvent | undefined> {
    const [row] = await this.db.all<EventRow>('SELECT * FROM run_events WHERE run = $1 AND kind = $2 ORDER BY seq DESC LIMIT 1', [run, kind]);
    return row ? toEvent(row) : undefined;
  }

  async recordHeld(items: Omit<HeldBack, 'at'>[]): Promise<void> {
    const at = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      for (const item of items) await tx.all('INSERT INTO held_back (grp, plugin, reason, at) VALUES ($1, $2, $3, $4)', [item.group, item.plugin, item.reason, at]);
    });
  }

  async held(limit = 100): Promise<HeldBack[]> {
    const rows = await this.db.all<{ grp: string; plugin: string; reason: string; at: string }>('SELECT grp, plugin, reason, at FROM held_back ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((row) => ({ group: row.grp, plugin: row.plugin, reason: row.reason, at: row.at }));
  }

  async tokensSince(since: string): Promise<number> {
    const [row] = await this.db.all<{ n: number }>('SELECT CAST(COALESCE(SUM(tokens_used), 0) AS BIGINT) AS n FROM runs WHERE created_at >= $1', [since]);
    return Number(row?.n ?? 0);
  }

  async proposals(since: string): Promise<{ sinceCount: number; open: number }> {
    const [row] = await this.db.all<{ since_count: number; open: number }>(
      "SELECT CAST(SUM(CASE WHEN proposed_at >= $1 THEN 1 ELSE 0 END) AS BIGINT) AS since_count, CAST(SUM(CASE WHEN state = 'awaiting_approval' THEN 1 ELSE 0 END) AS BIGINT) AS open FROM runs",
      [since],
    );
    return { sinceCount: Number(row?.since_count ?? 0), open: Number(row?.open ?? 0) };
  }

  async effect(key: string): Promise<Effect | undefined> {
    const [row] = await this.db.all<{ key: string; run: string; result: string; at: string }>("SELECT key, run, result, at FROM effects WHERE key = $1 AND state = 'done'", [key]);
    return row ? { ...row, result: JSON.parse(row.result) as unknown } : undefined;
  }

  /**
   * Compare-and-set, no lock held: the insert wins for the first claimant, a stale
   * claim is taken over only if it is still the one that was read, and whoever loses
   * either race reads again.
   */
  async claimEffect(key: string, run: string, staleMs: number): Promise<Awaited<ReturnType<RunStore['claimEffect']>>> {
    for (;;) {
      const now = new Date();
      const inserted = await this.db.all("INSERT INTO effects (key, run, result, at, state) VALUES ($1, $2, 'null', $3, 'pending') ON CONFLICT (key) DO NOTHING RETURNING key", [
        key,
        run,
        now.toISOString(),
      ]);
      if (inserted.length > 0) return { status: 'claimed' };
      const [row] = await this.db.all<{ key: string; run: string; result: string; at: string; state: string }>('SELECT key, run, result, at, state FROM effects WHERE key = $1', [
        key,
      ]);
      if (!row) continue; // Released between the two statements: claim it again.
      if (row.state === 'done') return { status: 'done', effect: { key: row.key, run: row.run, at: row.at, result: JSON.parse(row.result) as unknown } };
      if (now.getTime() - Date.parse(row.at) <= staleMs) return { status: 'pending', by: row.run };
      const taken = await this.db.all("UPDATE effects SET run = $1, at = $2 WHERE key = $3 AND state = 'pending' AND at = $4 AND run = $5 RETURNING key", [
        run,
        now.toISOString(),
        key,
        row.at,
        row.run,
      ]);
      if (taken.length > 0) return { status: 'claimed' };
    }
  }

  async completeEffect(key: string, run: string, result: unknown): Promise<boolean> {
    const done = await this.db.all("UPDATE effects SET result = $1, state = 'done', at = $2 WHERE key = $3 AND run = $4 AND state = 'pending' RETURNING key", [
      JSON.stringify(result ?? null),
      new Date().toISOString(),
      key,
      run,
    ]);
    return done.length > 0;
  }

  async renewEffect(key: string, run: string): Promise<boolean> {
    const renewed = await this.db.all("UPDATE effects SET at = $1 WHERE key = $2 AND run = $3 AND state = 'pending' RETURNING key", [new Date().toISOString(), key, run]);
    return renewed.length > 0;
  }

  async releaseEffect(key: string, run: string): Promise<void> {
    await this.db.all("DELETE FROM effects WHERE key = $1 AND run = $2 AND state = 'pending'", [key, run]);
  }

  async finishedBefore(before: string): Promise<string[]> {
    return (await this.db.all<{ id: string }>(`SELECT id FROM runs WHERE state NOT IN ${ACTIVE} AND updated_at < $1 ORDER BY updated_at`, [before])).map((r) => r.id);
  }

  async prune(before: string, runs: readonly string[]): Promise<{ runs: string[]; events: number; held: number }> {
    return this.db.transaction(async (tx) => {
      const deleted: string[] = [];
      let events = 0;
      for (const id of runs) {
        // Still finished: a run replayed meanwhile is kept.
        const [row] = await tx.all<{ id: string }>(`SELECT id FROM runs WHERE id = $1 AND state NOT IN ${ACTIVE}`, [id]);
        if (!row) continue;
        const [{ n } = { n: 0 }] = await tx.all<{ n: number | string }>('SELECT count(*) AS n FROM run_events WHERE run = $1', [id]);
        events += Number(n);
        await tx.all('DELETE FROM run_events WHERE run = $1', [id]);
        await tx.all('DELETE FROM effects WHERE run = $1', [id]);
        await tx.all('DELETE FROM runs WHERE id = $1', [id]);
        deleted.push(id);
      }
      const [{ n: held } = { n: 0 }] = await tx.all<{ n: number | string }>('SELECT count(*) AS n FROM held_back WHERE at < $1', [before]);
      await tx.all('DELETE FROM held_back WHERE at < $1', [before]);
      return { runs: deleted, events, held: Number(held) };
    });
  }

  async addTokens(run: string, tokens: number): Promise<number> {
    const [row] = await this.db.all<{ tokens_used: number }>('UPDATE runs SET tokens_used = tokens_used + $1, updated_at = $2 WHERE id = $3 RETURNING tokens_used', [
      Math.max(0, Math.round(tokens)),
      new Date().toISOString(),
      run,
    ]);
    return Number(row?.tokens_used ?? 0);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
