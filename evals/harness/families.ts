import { z } from 'zod';
import { eventsOf, type PipelineOutcome } from './outcome.ts';

/** One operator family's (or template's) work in one attempt. */
export const familyCountsSchema = z.object({
  /** Candidates of the family the fixer's search tried. */
  tried: z.int().min(0),
  /** Of those, the ones that passed the search's own check (the reproduction and the visible tests). */
  passed: z.int().min(0),
  /** The ones steward's validation then accepted (the traffic, behaviour and silencing checks included). */
  validated: z.int().min(0),
  /** 1 when the family's candidate became the proposal. */
  proposed: z.int().min(0),
});
export type FamilyCounts = z.output<typeof familyCountsSchema>;

/** Summed over attempts, with `resolved`: proposals of the family that passed the hidden tests. */
export const familyYieldSchema = familyCountsSchema.extend({ resolved: z.int().min(0) });
export type FamilyYield = z.output<typeof familyYieldSchema>;

const named = z.object({ template: z.string().nullish(), verdict: z.string().optional() }).loose();

const zero = (): FamilyCounts => ({ tried: 0, passed: 0, validated: 0, proposed: 0 });

/** Per family, from the events of the attempt's runs: `candidate-tried` (the search), `candidate` (validation) and `chosen`. */
export function familiesOf(outcome: PipelineOutcome): Record<string, FamilyCounts> {
  const out: Record<string, FamilyCounts> = {};
  const of = (name: string): FamilyCounts => (out[name] ??= zero());
  for (const event of eventsOf(outcome)) {
    const parsed = named.safeParse(event.data);
    const family = parsed.data?.template;
    const verdict = parsed.data?.verdict;
    if (!family) continue;
    if (event.kind === 'candidate-tried') {
      of(family).tried++;
      if (verdict === 'passes' || verdict === 'refuses') of(family).passed++;
    } else if (event.kind === 'candidate' && verdict === 'validated') of(family).validated++;
    else if (event.kind === 'chosen') of(family).proposed++;
  }
  return out;
}

/**
 * Each family's yield over an eval's attempts, so a fixer's budget can favour what
 * works: tried, passed, validated, proposed, and resolved (its proposal passed the
 * hidden tests). Attempts recorded before families were kept add nothing.
 */
export function familyYield(attempts: readonly { families?: Record<string, FamilyCounts> | undefined; scores: { resolved: boolean | null } }[]): Record<string, FamilyYield> {
  const out: Record<string, FamilyYield> = {};
  for (const attempt of attempts)
    for (const [name, counts] of Object.entries(attempt.families ?? {})) {
      const sum = (out[name] ??= { ...zero(), resolved: 0 });
      sum.tried += counts.tried;
      sum.passed += counts.passed;
      sum.validated += counts.validated;
      sum.proposed += counts.proposed;
      if (counts.proposed > 0 && attempt.scores.resolved === true) sum.resolved++;
    }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
