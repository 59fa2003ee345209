import { isOverfit, precisionOf, type Precision } from './precision.ts';
import { rateOf, type Rate, type Results } from './results.ts';
import { mcnemarExact, pairedBootstrap } from './stats.ts';

type Verdict = 'better' | 'worse' | 'no significant difference';

/**
 * What makes `compare` exit 1: B significantly worse, or B proposing more patches that
 * fail the hidden tests than A, whatever the success rates say.
 */
type Flag = 'significantly-worse' | 'more-overfits';

export interface Comparison {
  a: { label: string; rate: Rate; precision: Precision; overfits: number };
  b: { label: string; rate: Rate; precision: Precision; overfits: number };
  /** Tasks in both, paired by id. */
  tasks: number;
  /** Tasks only one side ran: left out of the test. */
  unpaired: string[];
  /** Tasks that went from failing to succeeding (improved) and the other way (regressed). */
  improved: string[];
  regressed: string[];
  test: 'mcnemar-exact' | 'paired-sign-flip';
  /** With repeats: the bootstrap 95% interval of the difference. */
  interval?: { low: number; high: number };
  /** B's success rate minus A's, over the paired tasks. */
  difference: number;
  p: number;
  alpha: number;
  verdict: Verdict;
  /** Tasks with more overfit attempts in B than in A, and the other way. */
  overfits: { more: string[]; fewer: string[] };
  /** Empty when nothing calls for a look: then compare exits 0. */
  flags: Flag[];
  warnings: string[];
}

function overfitsPerTask(results: Results, tasks: readonly string[]): Map<string, number> {
  const out = new Map(tasks.map((task) => [task, 0]));
  for (const a of results.attempts) if (out.has(a.task) && isOverfit(a)) out.set(a.task, (out.get(a.task) ?? 0) + 1);
  return out;
}

const total = (counts: Map<string, number>): number => [...counts.values()].reduce((sum, n) => sum + n, 0);

/** Per-task success rate over its repeats. */
function perTask(results: Results): Map<string, number> {
  const out = new Map<string, { ok: number; n: number }>();
  for (const a of results.attempts) {
    const entry = out.get(a.task) ?? { ok: 0, n: 0 };
    entry.ok += a.success ? 1 : 0;
    entry.n += 1;
    out.set(a.task, entry);
  }
  return new Map([...out].map(([task, { ok, n }]) => [task, ok / n]));
}

/**
 * A against B, paired per task: the exact McNemar test on single attempts; when
 * either side repeated them, the sign-flip test on per-task success rates, with a
 * bootstrap interval of the difference.
 */
export function compareResults(a: Results, b: Results, labels: [string, string] = ['A', 'B'], alpha = 0.05): Comparison {
  const ra = perTask(a);
  const rb = perTask(b);
  const paired = [...ra.keys()].filter((task) => rb.has(task)).sort();
  const unpaired = [...new Set([...ra.keys(), ...rb.keys()])].filter((task) => !paired.includes(task)).sort();
  const warnings: string[] = [];
  if (a.config.suite.name !== b.config.suite.name)
    warnings.push(`the suites differ ("${a.config.suite.name}" and "${b.config.suite.name}"): only tasks with the same id are paired`);
  const settings: string[] = (['fixer', 'model', 'repeat'] as const).filter((key) => a.config[key] !== b.config[key]);
  if (a.config.playbook.hash !== b.config.playbook.hash) settings.unshift('playbook');
  if (settings.length > 0) warnings.push(`A and B differ in ${settings.join(', ')}: that is what this comparison measures`);
  if (unpaired.length > 0) warnings.push(`${unpaired.length} task(s) ran on one side only and are left out: ${unpaired.join(', ')}`);
  if (a.startedAt === b.startedAt && JSON.stringify(a.attempts) === JSON.stringify(b.attempts))
    warnings.push(`A and B are the same run (started ${a.startedAt}): every difference is zero by construction, so this compares nothing`);
  const single = a.config.repeat === 1 && b.config.repeat === 1;
  // The smallest p any outcome could give: every paired task flipping the same way.
  const smallest = single ? mcnemarExact(0, paired.length) : Math.min(1, 2 ** (1 - paired.length));
  if (smallest >= alpha)
    warnings.push(
      `the suite is too small: with ${paired.length} paired task(s) no difference can be significant at alpha ${alpha} (the smallest p possible is ${smallest.toPrecision(3)}); read the flips, not the verdict`,
    );
  const improved = paired.filter((task) => (rb.get(task) ?? 0) > (ra.get(task) ?? 0));
  const regressed = paired.filter((task) => (rb.get(task) ?? 0) < (ra.get(task) ?? 0));
  const xs = paired.map((task) => ra.get(task) ?? 0);
  const ys = paired.map((task) => rb.get(task) ?? 0);
  let p: number;
  let difference: number;
  let interval: { low: number; high: number } | undefined;
  if (single) {
    p = mcnemarExact(regressed.length, improved.length);
    difference = paired.length > 0 ? (improved.length - regressed.length) / paired.length : 0;
  } else {
    const test = pairedBootstrap(xs, ys);
    ({ p, difference } = test);
    interval = { low: test.low, high: test.high };
  }
  const inPaired = (results: Results): Results['attempts'] => results.attempts.filter((attempt) => paired.includes(attempt.task));
  const verdict: Verdict = p < alpha ? (difference > 0 ? 'better' : 'worse') : 'no significant difference';
  // Counted over the paired tasks, as the rates are: a task one side did not run says nothing of the change.
  const oa = overfitsPerTask(a, paired);
  const ob = overfitsPerTask(b, paired);
  const flags: Flag[] = [];
  if (verdict === 'worse') flags.push('significantly-worse');
  if (total(ob) > total(oa)) flags.push('more-overfits');
  return {
    a: { label: labels[0], rate: rateOf(inPaired(a)), precision: precisionOf(inPaired(a)), overfits: total(oa) },
    b: { label: labels[1], rate: rateOf(inPaired(b)), precision: precisionOf(inPaired(b)), overfits: total(ob) },
    tasks: paired.length,
    unpaired,
    improved,
    regressed,
    test: single ? 'mcnemar-exact' : 'paired-sign-flip',
    ...(interval ? { interval } : {}),
    difference,
    p,
    alpha,
    verdict,
    overfits: { more: paired.filter((task) => (ob.get(task) ?? 0) > (oa.get(task) ?? 0)), fewer: paired.filter((task) => (ob.get(task) ?? 0) < (oa.get(task) ?? 0)) },
    flags,
    warnings,
  };
}
