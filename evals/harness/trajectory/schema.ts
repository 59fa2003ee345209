import { z } from 'zod';

const thrown = z.object({ type: z.string(), message: z.string() });

/** One candidate at one stage: the fixer's own search, or steward's validation of what the search handed over. */
const candidateStep = z.object({
  stage: z.enum(['search', 'validate']),
  fixer: z.string(),
  /** What it changes: the template and file (search), or the files (validate). */
  change: z.string(),
  verdict: z.string(),
  /** Why it went no further; null when it did. */
  rejected: z.string().nullable(),
  rationale: z.string().nullable(),
  /** The validated candidate that became the proposal. */
  proposed: z.boolean(),
  /** Whatever else the run recorded of this verdict (lines changed, outputs changed, warnings, …), as recorded. */
  notes: z.record(z.string(), z.unknown()),
});
export type CandidateStep = z.output<typeof candidateStep>;

/** What one run of an attempt did, from what it recorded (its events and the agent's state at its last checkpoint). */
const runTrajectory = z.object({
  run: z.object({ id: z.string(), state: z.string(), error: z.string().nullable() }).nullable(),
  issue: z.object({ number: z.number(), url: z.string(), title: z.string(), body: z.string(), comments: z.array(z.string()) }).nullable(),
  reproduction: z
    .object({
      status: z.string(),
      /** The group's captured inputs the reproduction could replay, newest first. */
      captured: z.array(z.unknown()),
      /** Each input tried and what happened, in the agent's words. */
      tried: z.array(z.string()),
      /** The input of the failing call, when one failed. */
      failingInput: z.unknown(),
      error: thrown.nullable(),
      sameError: z.boolean(),
      /** Every sandboxed reproduction run, as recorded. */
      runs: z.array(z.record(z.string(), z.unknown())),
    })
    .nullable(),
  suspects: z.array(z.object({ file: z.string(), line: z.number().nullable(), score: z.number(), reason: z.string() })),
  /** Coverage-ranked lines (the offline fixer's spectrum), when taken. */
  spectrum: z.array(z.unknown()),
  /** Why each fixer stopped or failed, and what else it reported about its search. */
  search: z.array(z.record(z.string(), z.unknown())),
  candidates: z.array(candidateStep),
  proposal: z
    .object({
      fixer: z.string(),
      rationale: z.string(),
      stats: z.record(z.string(), z.unknown()),
      /** Whatever the agent recorded as evidence (before, after, suite, and any other field), as it recorded it. */
      evidence: z.record(z.string(), z.unknown()),
      validated: z.number().nullable(),
      tried: z.number().nullable(),
    })
    .nullable(),
  /** Every event of the run, in order: kinds this file does not interpret are kept here. */
  events: z.array(z.object({ seq: z.number(), at: z.string(), kind: z.string(), data: z.unknown() })),
});
export type RunTrajectory = z.output<typeof runTrajectory>;

/**
 * What one eval attempt did: its first run's story at the top level and, when the
 * task's events made more than one error group, the later groups' runs in
 * `followUps`, each on the library with the earlier fixes merged.
 * `<out>/trajectories/<task>/<repeat>.json`, rendered beside it as `.md`.
 */
export const trajectorySchema = z.object({
  format: z.literal('steward-eval-trajectory/1'),
  task: z.string(),
  repeat: z.int().min(1),
  /** `resolved`, `correct`, or the failure reason, with its detail. */
  outcome: z.string(),
  detail: z.string().nullable(),
  /** Why no run was dispatched, when none was. */
  notDispatched: z.string().nullable(),
  ...runTrajectory.shape,
  /** Every published fix of the attempt together, else the first run's proposal diff. */
  patch: z.string().nullable(),
  /** The runs of the task's later error groups, in the order they ran (absent in older trajectories). */
  followUps: z.array(runTrajectory).default([]),
  /** Why the task's later error groups got no run, when a run came before (absent in older trajectories). */
  stopped: z.string().nullable().default(null),
});
export type Trajectory = z.output<typeof trajectorySchema>;
