import { seededRandom } from '../../orchestrator/core/random.ts';

/** Statistics of success rates: small samples, so exact where it can be. */

export interface Interval {
  rate: number;
  low: number;
  high: number;
}

/** The Wilson score interval (95% by default): sound at 0/n and n/n, where the normal one is not. */
export function wilson(successes: number, n: number, z = 1.959964): Interval {
  if (n === 0) return { rate: 0, low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** log C(n, k), by sums of logs: exact enough for n in the thousands. */
function logChoose(n: number, k: number): number {
  let total = 0;
  for (let i = 1; i <= k; i++) total += Math.log(n - k + i) - Math.log(i);
  return total;
}

/**
 * The exact (binomial) McNemar test, two-sided: of the `b + c` discordant pairs, `b`
 * flipped one way and `c` the other; under no difference each is a fair coin.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * The two-sided sign-flip permutation test of paired differences: under "no
 * difference" each task's difference is as likely negated, so p is the share of sign
 * patterns whose sum lies at least as far from 0 as the observed one. Exact up to 20
 * non-zero differences (2^20 patterns), Monte Carlo beyond.
 */
export function signFlipTest(diffs: readonly number[], iterations = 20_000, seed = 1): number {
  const nonzero = diffs.filter((d) => d !== 0);
  const m = nonzero.length;
  if (m === 0) return 1;
  const observed = Math.abs(nonzero.reduce((s, d) => s + d, 0)) - 1e-12;
  if (m <= 20) {
    let extreme = 0;
    for (let mask = 0; mask < 2 ** m; mask++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += mask & (1 << i) ? -(nonzero[i] ?? 0) : (nonzero[i] ?? 0);
      if (Math.abs(sum) >= observed) extreme++;
    }
    return extreme / 2 ** m;
  }
  const random = seededRandom(seed);
  let extreme = 0;
  for (let k = 0; k < iterations; k++) {
    let sum = 0;
    for (const d of nonzero) sum += random() < 0.5 ? -d : d;
    if (Math.abs(sum) >= observed) extreme++;
  }
  return (extreme + 1) / (iterations + 1);
}

/**
 * Repeated attempts, paired per task: the mean difference in success rate (B − A),
 * its 95% interval from a bootstrap over tasks (resampled with replacement, each task's
 * pair kept), and p from the sign-flip test (a bootstrap centred on the observed
 * difference cannot test "no difference").
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], iterations = 10_000, seed = 1): { difference: number; low: number; high: number; p: number } {
  if (a.length !== b.length) throw new Error('paired samples differ in length');
  const n = a.length;
  const diffs = a.map((value, i) => (b[i] ?? 0) - value);
  if (n === 0) return { difference: 0, low: 0, high: 0, p: 1 };
  const observed = diffs.reduce((s, v) => s + v, 0) / n;
  const random = seededRandom(seed);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let total = 0;
    for (let j = 0; j < n; j++) total += diffs[Math.floor(random() * n)] ?? 0;
    samples.push(total / n);
  }
  samples.sort((x, y) => x - y);
  return {
    difference: observed,
    low: samples[Math.floor(iterations * 0.025)] ?? observed,
    high: samples[Math.min(iterations - 1, Math.floor(iterations * 0.975))] ?? observed,
    p: signFlipTest(diffs),
  };
}
