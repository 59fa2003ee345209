import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { problemsFromZod, readJsonFile } from '../../orchestrator/core/json.ts';
import { familyCountsSchema, familyYield, familyYieldSchema } from './families.ts';
import { overfitSchema, overfitsOf, precisionByFixer, precisionOf, precisionSchema } from './precision.ts';
import { wilson, type Interval } from './stats.ts';

const FAILURE_REASONS = [
  'not-dispatched',
  'not-reproduced',
  'no-candidate',
  'fixes-disagree',
  'patch-did-not-apply',
  'failed-hidden-tests',
  'regression',
  'patch-proposed',
  'no-issue',
  'crash',
  'timeout',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const scoresSchema = z.object({
  issue: z.boolean(),
  reproduced: z.boolean(),
  patch: z.boolean(),
  /** Tasks with expect.fix true; null otherwise. */
  resolved: z.boolean().nullable(),
  /** Tasks with expect.fix false; null otherwise. */
  correct: z.boolean().nullable(),
});
export type AttemptScores = z.output<typeof scoresSchema>;

const costsSchema = z.object({
  wallMs: z.number().min(0),
  tokens: z.int().min(0),
  modelCalls: z.int().min(0),
  sandboxRuns: z.int().min(0),
  candidatesTried: z.int().min(0),
});
export type Costs = z.output<typeof costsSchema>;

export const attemptSchema = z.object({
  task: z.string(),
  repeat: z.int().min(1),
  tier: z.int().min(1).max(4),
  category: z.string(),
  expectFix: z.boolean(),
  /** resolved, or correct where no fix is expected. */
  success: z.boolean(),
  scores: scoresSchema,
  reason: z.enum(FAILURE_REASONS).nullable(),
  detail: z.string().nullable(),
  costs: costsSchema,
  /** The proposed patch as a unified diff relative to the plugin root: `git apply` it to plugin/ to re-check. */
  patch: z.string().nullable(),
  /** The first run of the attempt and how it ended. */
  run: z.string().nullable(),
  runState: z.string().nullable(),
  /** Every run of the attempt, one per error group of the task's events, in the order they ran (absent in older results). */
  runs: z.array(z.object({ id: z.string(), state: z.string() })).optional(),
  startedAt: z.string(),
  /** The fixer whose candidate was proposed, when one was (absent in results written before it was recorded). */
  proposedBy: z.string().nullable().optional(),
  /** What the run did, step by step: a JSON file relative to the out directory, with a readable `.md` beside it (absent in older results). */
  trajectory: z.string().nullable().optional(),
  /** Each operator family's (or template's) candidates in this attempt (absent in older results). */
  families: z.record(z.string(), familyCountsSchema).optional(),
});
export type Attempt = z.output<typeof attemptSchema>;

export const baselineSchema = z.object({
  visiblePassed: z.array(z.string()),
  hiddenTests: z.array(z.string()),
  hiddenFailedOnOriginal: z.int().min(0),
  warnings: z.array(z.string()),
});
export type Baseline = z.output<typeof baselineSchema>;

const evalConfigSchema = z.object({
  suite: z.object({ name: z.string(), description: z.string(), dir: z.string() }),
  fixer: z.enum(['offline', 'llm', 'hybrid']),
  model: z.string().nullable(),
  playbook: z.object({ name: z.string(), version: z.string(), hash: z.string() }),
  repeat: z.int().min(1),
  tasks: z.array(z.string()),
});
export type EvalConfig = z.output<typeof evalConfigSchema>;

const rate = z.object({ successes: z.int(), attempts: z.int(), rate: z.number(), low: z.number(), high: z.number() });

const precisionSummary = z.object({ overall: precisionSchema, byFixer: z.record(z.string(), precisionSchema) });

export const resultsSchema = z
  .object({
    format: z.literal('steward-eval-results/1'),
    config: evalConfigSchema,
    startedAt: z.string(),
    finishedAt: z.string(),
    wallMs: z.number(),
    concurrency: z.int().min(1),
    tasks: z.array(z.object({ id: z.string(), title: z.string(), tier: z.int(), category: z.string(), expectFix: z.boolean(), baseline: baselineSchema })),
    attempts: z.array(attemptSchema),
    summary: z.object({
      overall: rate,
      byTier: z.record(z.string(), rate),
      byCategory: z.record(z.string(), rate),
      flaky: z.array(z.string()),
      costs: z.object({
        medianWallMs: z.number(),
        medianWallMsToFix: z.number().nullable(),
        tokens: z.int(),
        modelCalls: z.int(),
        sandboxRuns: z.int(),
        candidatesTried: z.int(),
        candidatesPerMinute: z.number(),
      }),
      /** resolved ÷ patches proposed. Optional in what is read: results written before it are given it from their attempts. */
      precision: precisionSummary.optional(),
      /** Proposed patches that failed the hidden tests (optional as `precision` is). */
      overfits: z.array(overfitSchema).optional(),
      /** Each operator family's yield over the attempts (optional as `precision` is). */
      families: z.record(z.string(), familyYieldSchema).optional(),
    }),
  })
  // Derived from the attempts, so older results.json files read as if they had recorded them.
  .transform((results) => ({
    ...results,
    summary: {
      ...results.summary,
      precision: results.summary.precision ?? precisionSummaryOf(results.attempts, results.config.fixer),
      overfits: results.summary.overfits ?? overfitsOf(results.attempts, results.config.fixer),
      families: results.summary.families ?? familyYield(results.attempts),
    },
  }))
  .describe('What `steward eval run` writes to results.json: every attempt, its scores, costs and patch.');
export type Results = z.output<typeof resultsSchema>;
export type Rate = z.output<typeof rate>;

export function rateOf(attempts: readonly Attempt[]): Rate {
  const successes = attempts.filter((a) => a.success).length;
  const interval: Interval = wilson(successes, attempts.length);
  return { successes, attempts: attempts.length, ...interval };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Tasks whose outcome differs between repeats. */
function flakyTasks(attempts: readonly Attempt[]): string[] {
  return [...groupBy(attempts, (a) => a.task)]
    .filter(([, list]) => new Set(list.map((a) => a.success)).size > 1)
    .map(([task]) => task)
    .sort();
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => a.localeCompare(b);

function precisionSummaryOf(attempts: readonly Attempt[], evalFixer: string): z.output<typeof precisionSummary> {
  return { overall: precisionOf(attempts), byFixer: precisionByFixer(attempts, evalFixer) };
}

/** `evalFixer`: the eval's --fixer, standing in for attempts that did not record which fixer proposed. */
export function summarise(attempts: readonly Attempt[], evalFixer: string): Results['summary'] {
  const sum = (pick: (c: Costs) => number): number => attempts.reduce((total, a) => total + pick(a.costs), 0);
  const wallMinutes = sum((c) => c.wallMs) / 60_000;
  return {
    overall: rateOf(attempts),
    byTier: Object.fromEntries([...groupBy(attempts, (a) => String(a.tier))].sort(byKey).map(([tier, list]) => [tier, rateOf(list)])),
    byCategory: Object.fromEntries([...groupBy(attempts, (a) => a.category)].sort(byKey).map(([category, list]) => [category, rateOf(list)])),
    flaky: flakyTasks(attempts),
    costs: {
      medianWallMs: median(attempts.map((a) => a.costs.wallMs)) ?? 0,
      medianWallMsToFix: median(attempts.filter((a) => a.scores.resolved).map((a) => a.costs.wallMs)),
      tokens: sum((c) => c.tokens),
      modelCalls: sum((c) => c.modelCalls),
      sandboxRuns: sum((c) => c.sandboxRuns),
      candidatesTried: sum((c) => c.candidatesTried),
      candidatesPerMinute: wallMinutes > 0 ? Math.round(sum((c) => c.candidatesTried) / wallMinutes) : 0,
    },
    precision: precisionSummaryOf(attempts, evalFixer),
    overfits: overfitsOf(attempts, evalFixer),
    families: familyYield(attempts),
  };
}

/** A results.json, or the `--out` directory that holds one, checked: compare reads files written by other runs and other versions. */
export function readResults(given: string): Results {
  const file = existsSync(given) && statSync(given).isDirectory() ? join(given, 'results.json') : given;
  if (!existsSync(file)) throw new StewardError('E_EVAL_RESULTS_INVALID', 'no such file', { file, hint: 'give a results.json, or the --out directory of steward eval run' });
  const result = resultsSchema.safeParse(readJsonFile(file, file));
  if (result.success) return result.data;
  const [first] = problemsFromZod(result.error);
  throw new StewardError('E_EVAL_RESULTS_INVALID', first?.message ?? 'not a results.json', {
    file,
    path: first?.path ?? '$',
    hint: 'steward eval run writes results.json in its --out directory',
  });
}
