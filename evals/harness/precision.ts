import { z } from 'zod';

/** What precision and the overfit list read of an attempt: results.json's attempt, old or new. */
interface Scored {
  task: string;
  repeat: number;
  scores: { patch: boolean; resolved: boolean | null };
  reason: string | null;
  detail: string | null;
  proposedBy?: string | null | undefined;
  trajectory?: string | null | undefined;
}

export const precisionSchema = z.object({
  /** Attempts that proposed a patch (the `patch` score), whether or not a fix was expected. */
  proposed: z.int().min(0),
  /** Of those, the ones resolved. */
  resolved: z.int().min(0),
  /** resolved ÷ proposed; null when nothing was proposed. */
  precision: z.number().min(0).max(1).nullable(),
});
export type Precision = z.output<typeof precisionSchema>;

export const overfitSchema = z.object({
  task: z.string(),
  repeat: z.int().min(1),
  /** The fixer whose candidate was proposed. */
  fixer: z.string(),
  detail: z.string().nullable(),
  /** The attempt's trajectory, relative to the eval's out directory; null for attempts recorded before trajectories were kept. */
  trajectory: z.string().nullable(),
});
export type Overfit = z.output<typeof overfitSchema>;

/**
 * A patch steward proposed, having validated it against the reproduction and the
 * visible suite, that the hidden tests then failed: a fix that fits what the agent
 * could see and not the defect. The one outcome a reviewer is most likely to approve wrongly.
 */
export function isOverfit(attempt: Scored): boolean {
  return attempt.scores.patch && attempt.reason === 'failed-hidden-tests';
}

export function precisionOf(attempts: readonly Scored[]): Precision {
  const proposed = attempts.filter((a) => a.scores.patch);
  const resolved = proposed.filter((a) => a.scores.resolved === true).length;
  return { proposed: proposed.length, resolved, precision: proposed.length > 0 ? resolved / proposed.length : null };
}

/** Older attempts did not record which fixer proposed: the eval's fixer stands in, which is exact for every fixer but hybrid. */
const fixerOf = (attempt: Scored, evalFixer: string): string => attempt.proposedBy ?? evalFixer;

/** Precision per proposing fixer, for the attempts that proposed anything. */
export function precisionByFixer(attempts: readonly Scored[], evalFixer: string): Record<string, Precision> {
  const fixers = [...new Set(attempts.filter((a) => a.scores.patch).map((a) => fixerOf(a, evalFixer)))].sort();
  return Object.fromEntries(fixers.map((fixer) => [fixer, precisionOf(attempts.filter((a) => a.scores.patch && fixerOf(a, evalFixer) === fixer))]));
}

export function overfitsOf(attempts: readonly Scored[], evalFixer: string): Overfit[] {
  return attempts.filter(isOverfit).map((a) => ({ task: a.task, repeat: a.repeat, fixer: fixerOf(a, evalFixer), detail: a.detail, trajectory: a.trajectory ?? null }));
}

/** "2/3 67%", or "n/a" when nothing was proposed. */
export function describePrecision(p: Precision): string {
  return p.precision === null ? 'n/a (no patch proposed)' : `${p.resolved}/${p.proposed} ${Math.round(p.precision * 100)}%`;
}
