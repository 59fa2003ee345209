import { z } from 'zod';

export const RUN_STATES = ['queued', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** One agent run: a durable session whose LangGraph thread id is its id. */
export const runRecordSchema = z.strictObject({
  id: z.string(),
  plugin: z.string(),
  group: z.string(),
  trigger: z.enum(['new', 'regressed', 'threshold', 'schedule', 'manual', 'replay']),
  state: z.enum(RUN_STATES),
  playbook: z.string(),
  playbookHash: z.string(),
  fixer: z.string(),
  model: z.string().nullable(),
  stopAfter: z.enum(['issue', 'reproduce', 'propose']),
  tokensUsed: z.int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** What a person can do next, in words (shown by `runs show`). */
  nextAction: z.string().nullable(),
  error: z.string().nullable(),
  /** How a finished run ended, in words: published, rejected, escalated, no fix (`runs list`). */
  outcome: z.string().nullable(),
});
export type RunRecord = z.output<typeof runRecordSchema>;

export interface RunEvent {
  run: string;
  seq: number;
  at: string;
  kind: string;
  data: unknown;
}

/** A triage decision a limit held back, with the limit's reason. */
export interface HeldBack {
  group: string;
  plugin: string;
  reason: string;
  at: string;
}

/** A side effect done once under its key (an issue opened, a proposal sent), with what it returned. */
export interface Effect {
  key: string;
  run: string;
  result: unknown;
  at: string;
}

/**
 * Where run sessions live: SQLite under the state dir by default, Postgres when
 * `DATABASE_URL` is set (orchestrator/runs/database.ts). Every call is async, so one
 * interface serves a local file and a shared server.
 */
export interface RunStore {
  create(run: Omit<RunRecord, 'createdAt' | 'updatedAt' | 'tokensUsed' | 'nextAction' | 'error' | 'outcome'> & Partial<Pick<RunRecord, 'nextAction'>>): Promise<RunRecord>;
  /** Several runs in one transaction: all are recorded or none. */
  createMany(runs: Parameters<RunStore['create']>[0][]): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  list(filter?: { state?: RunState; plugin?: string; limit?: number }): Promise<RunRecord[]>;
  /** Runs not finished: queued, running, awaiting approval or paused. */
  active(): Promise<RunRecord[]>;
  /** How many runs are in each state (states with none are left out). */
  countByState(): Promise<Partial<Record<RunState, number>>>;
  /** Runs that reached a proposal, and those a person approved or rejected (each run once). */
  fixCounts(): Promise<{ proposed: number; approved: number; rejected: number }>;
  update(id: string, patch: Partial<Pick<RunRecord, 'state' | 'nextAction' | 'error' | 'tokensUsed' | 'outcome'>>): Promise<RunRecord | undefined>;
  appendEvent(run: string, kind: string, data: unknown): Promise<RunEvent>;
  events(run: string, afterSeq?: number): Promise<RunEvent[]>;
  /** The newest event of one kind, without reading the whole timeline. */
  lastEvent(run: string, kind: string): Promise<RunEvent | undefined>;
  recordHeld(items: Omit<HeldBack, 'at'>[]): Promise<void>;
  held(limit?: number): Promise<HeldBack[]>;
  /** Tokens spent by runs created since `since` (ISO). */
  tokensSince(since: string): Promise<number>;
  /** Runs that reached a proposal since `since`, and how many proposals are open now. */
  proposals(since: string): Promise<{ sinceCount: number; open: number }>;
  /** The side effect done under `key`, if one was. */
  effect(key: string): Promise<Effect | undefined>;
  /**
   * Claims `key` for `run` before its effect is done: `claimed` (go ahead), `done`
   * (it was, here is what it returned), or `pending` (another run is doing it; a claim
   * older than `staleMs` is taken over instead).
   */
  claimEffect(key: string, run: string, staleMs: number): Promise<{ status: 'claimed' } | { status: 'done'; effect: Effect } | { status: 'pending'; by: string }>;
  /**
   * Records the effect as done, if `run` still holds its claim; false when another run
   * took the claim over meanwhile (the effect may then have been done twice).
   */
  completeEffect(key: string, run: string, result: unknown): Promise<boolean>;
  /** Keeps `run`'s claim fresh while its effect is under way; false when the claim is no longer its own. */
  renewEffect(key: string, run: string): Promise<boolean>;
  /** Drops a claim whose effect failed, so that a retry may do it. */
  releaseEffect(key: string, run: string): Promise<void>;
  /** Adds to the run's token count; returns the new total. */
  addTokens(run: string, tokens: number): Promise<number>;
  /** Runs that finished (completed, failed, cancelled) before `before` (ISO). */
  finishedBefore(before: string): Promise<string[]>;
  /**
   * Deletes those of `runs` that are finished, with their events and effects, and the
   * held-back records older than `before`. Their checkpoints are the checkpointer's.
   */
  prune(before: string, runs: readonly string[]): Promise<{ runs: string[]; events: number; held: number }>;
  close(): Promise<void>;
}
