import { describe, expect, it } from 'vitest';
import { compareResults } from '../../evals/harness/compare.ts';
import { renderHtml } from '../../evals/harness/report/html.ts';
import { summarise, type Attempt, type Results } from '../../evals/harness/results.ts';
import { mcnemarExact, pairedBootstrap, signFlipTest, wilson } from '../../evals/harness/stats.ts';

describe('Wilson intervals', () => {
  it('match published values and stay inside [0, 1] at the extremes', () => {
    const half = wilson(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 3);
    expect(half.high).toBeCloseTo(0.7634, 3);
    const none = wilson(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 3);
    const all = wilson(8, 8);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.6756, 3);
    expect(wilson(0, 0)).toEqual({ rate: 0, low: 0, high: 1 });
  });
});

describe('the exact McNemar test', () => {
  it('is the two-sided binomial tail of the discordant pairs', () => {
    expect(mcnemarExact(0, 6)).toBeCloseTo(0.03125, 10);
    expect(mcnemarExact(1, 5)).toBeCloseTo(0.21875, 10);
    expect(mcnemarExact(6, 0)).toBeCloseTo(0.03125, 10);
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
    // Large counts stay finite and exact enough: 10 vs 40 of 50.
    expect(mcnemarExact(10, 40)).toBeLessThan(1e-4);
    expect(mcnemarExact(10, 40)).toBeGreaterThan(0);
  });
});

describe('the paired bootstrap', () => {
  it('finds a consistent improvement significant and no change not significant, the same on every run', () => {
    const a = Array.from({ length: 20 }, (_, i) => (i < 5 ? 1 : 0));
    const b = Array.from({ length: 20 }, (_, i) => (i < 15 ? 1 : 0));
    const better = pairedBootstrap(a, b);
    expect(better.difference).toBeCloseTo(0.5, 10);
    expect(better.p).toBeLessThan(0.01);
    expect(better.low).toBeGreaterThan(0);
    expect(pairedBootstrap(a, b)).toEqual(better);
    const same = pairedBootstrap(a, a);
    expect(same.p).toBe(1);
    // One, two or three tasks that flipped are no evidence: as the exact McNemar test says.
    expect(pairedBootstrap([0], [1]).p).toBe(1);
    expect(pairedBootstrap([0, 0], [1, 1]).p).toBe(0.5);
    expect(pairedBootstrap([0, 0, 0], [1, 1, 1]).p).toBe(0.25);
    expect(signFlipTest([0.5, -0.5, 1, 0])).toBe(6 / 8);
    // Past 20 differing tasks, Monte Carlo: close to the exact binomial tail.
    expect(signFlipTest(Array.from({ length: 30 }, (_, i) => (i < 22 ? 1 : -1)))).toBeCloseTo(mcnemarExact(8, 22), 2);
    expect(() => pairedBootstrap([1], [1, 0])).toThrow(/differ in length/);
  });
});

function attempt(task: string, success: boolean, repeat = 1, tier = 1): Attempt {
  return {
    task,
    repeat,
    tier,
    category: tier === 4 ? 'no code fix' : 'null check',
    expectFix: tier !== 4,
    success,
    scores: { issue: true, reproduced: true, patch: success, resolved: tier === 4 ? null : success, correct: tier === 4 ? success : null },
    reason: success ? null : 'no-candidate',
    detail: null,
    costs: { wallMs: 1000, tokens: 0, modelCalls: 0, sandboxRuns: 3, candidatesTried: 2 },
    patch: null,
    run: null,
    runState: null,
    startedAt: '2026-11-30T00:00:00.000Z',
  };
}

function results(attempts: Attempt[], repeat = 1, suite = 'core'): Results {
  return {
    format: 'steward-eval-results/1',
    config: {
      suite: { name: suite, description: '', dir: '/x' },
      fixer: 'offline',
      model: null,
      playbook: { name: 'default', version: '1', hash: 'h' },
      repeat,
      tasks: [...new Set(attempts.map((a) => a.task))],
    },
    startedAt: '',
    finishedAt: '',
    wallMs: 0,
    concurrency: 1,
    tasks: [],
    attempts,
    summary: summarise(attempts, 'offline'),
  };
}

describe('compare', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);

  it('calls B worse when enough tasks flipped to failing, and names them', () => {
    const a = results(ids.map((id) => attempt(id, true)));
    const b = results(ids.map((id, i) => attempt(id, i >= 7)));
    const c = compareResults(a, b);
    expect(c.test).toBe('mcnemar-exact');
    expect(c.regressed).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(c.improved).toEqual([]);
    expect(c.p).toBeCloseTo(2 / 128, 10);
    expect(c.verdict).toBe('worse');
    expect(compareResults(b, a).verdict).toBe('better');
  });

  it('finds no significant difference in a few flips either way', () => {
    const a = results(ids.map((id, i) => attempt(id, i % 2 === 0)));
    const b = results(ids.map((id, i) => attempt(id, i % 2 === 0 ? i !== 0 : i === 1)));
    const c = compareResults(a, b);
    expect(c.improved).toEqual(['t1']);
    expect(c.regressed).toEqual(['t0']);
    expect(c.verdict).toBe('no significant difference');
    expect(c.p).toBe(1);
  });

  it('pairs by task id, leaves the rest out with a warning, and bootstraps repeats', () => {
    const a = results([...ids.flatMap((id) => [attempt(id, true, 1), attempt(id, true, 2)]), attempt('only-a', true)], 2);
    const b = results(
      ids.flatMap((id) => [attempt(id, false, 1), attempt(id, false, 2)]),
      2,
      'core-2',
    );
    const c = compareResults(a, b);
    expect(c.test).toBe('paired-sign-flip');
    expect(c.interval?.high).toBeLessThan(0);
    expect(c.tasks).toBe(10);
    expect(c.unpaired).toEqual(['only-a']);
    expect(c.warnings.join('\n')).toMatch(/suites differ[\s\S]*only-a/);
    expect(c.verdict).toBe('worse');
    expect(c.a.rate.attempts).toBe(20);
  });

  it('names the settings A and B differ in, and report.html escapes what suites and tasks are called', () => {
    const a = results(ids.map((id) => attempt(id, true)));
    const b = { ...results(ids.map((id) => attempt(id, true))), config: { ...a.config, fixer: 'hybrid' as const, playbook: { ...a.config.playbook, hash: 'other' } } };
    expect(compareResults(a, b).warnings).toContain('A and B differ in playbook, fixer: that is what this comparison measures');
    const hostile = {
      ...a,
      config: { ...a.config, suite: { ...a.config.suite, name: '<img src=x onerror=alert(1)>' } },
      tasks: [
        {
          id: 't0',
          title: 't',
          tier: 1,
          category: 'null check',
          expectFix: true,
          baseline: { visiblePassed: [], hiddenTests: [], hiddenFailedOnOriginal: 0, warnings: ['hidden: <b>no results</b>'] },
        },
      ],
    };
    const html = renderHtml(hostile);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toMatch(/<h2>Task warnings<\/h2><ul><li><code>t0<\/code>: hidden: &lt;b&gt;no results&lt;\/b&gt;; its hidden tests pass on the original plugin<\/li><\/ul>/);
  });

  it('summarises rates by tier and category and marks tasks whose repeats disagree as flaky', () => {
    const summary = summarise([attempt('a', true, 1), attempt('a', false, 2), attempt('b', true, 1, 4), attempt('b', true, 2, 4)], 'offline');
    expect(summary.flaky).toEqual(['a']);
    expect(summary.byTier['1']).toMatchObject({ successes: 1, attempts: 2 });
    expect(summary.byTier['4']).toMatchObject({ successes: 2, attempts: 2 });
    expect(summary.byCategory['no code fix']?.rate).toBe(1);
    expect(summary.costs.candidatesTried).toBe(8);
    expect(summary.costs.candidatesPerMinute).toBe(120);
  });
});
