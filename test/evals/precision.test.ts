import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareResults } from '../../evals/harness/compare.ts';
import { describePrecision, precisionOf } from '../../evals/harness/precision.ts';
import { renderHtml } from '../../evals/harness/report/html.ts';
import { renderMarkdown } from '../../evals/harness/report/markdown.ts';
import { readResults, summarise, type Attempt, type Results } from '../../evals/harness/results.ts';
import { steward } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * results.json of a real `steward eval run evals/suites/core --only
 * date-window-utc-offset-sign,paginate-null-cursor`, written before precision,
 * overfits and trajectories were recorded: the offline fixer resolved the pagination
 * task and proposed a patch for the date window that weakens a check the hidden tests hold.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures', 'results-before-precision.json');
const OVERFIT = 'date-window-utc-offset-sign';

/** The same eval had the fixer found nothing for the date window: the same tasks resolved, and no overfit. */
function withoutOverfit(results: Results): Results {
  const attempts: Attempt[] = results.attempts.map((a) =>
    a.task === OVERFIT ? { ...a, scores: { ...a.scores, patch: false }, reason: 'no-candidate', detail: null, patch: null, costs: { ...a.costs, candidatesTried: 0 } } : a,
  );
  return { ...results, attempts, summary: summarise(attempts, results.config.fixer) };
}

describe('precision and overfit patches', () => {
  it('reads results written before they were recorded, deriving both from the attempts', () => {
    const raw = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { summary: Record<string, unknown> };
    expect(raw.summary.precision).toBeUndefined();
    const results = readResults(FIXTURE);
    expect(results.summary.precision).toEqual({ overall: { proposed: 2, resolved: 1, precision: 0.5 }, byFixer: { offline: { proposed: 2, resolved: 1, precision: 0.5 } } });
    expect(results.summary.overfits).toEqual([{ task: OVERFIT, repeat: 1, fixer: 'offline', detail: expect.stringMatching(/^failing: UTC bounds/), trajectory: null }]);
    expect(results.attempts.every((a) => a.trajectory === undefined && a.proposedBy === undefined)).toBe(true);
  });

  it('counts every proposed patch, a wrong one on a task with no fix included, and is n/a with none', () => {
    const results = readResults(FIXTURE);
    const noFixPatched = {
      ...results.attempts[1]!,
      task: 'no-fix',
      expectFix: false,
      success: false,
      reason: 'patch-proposed' as const,
      scores: { ...results.attempts[1]!.scores, resolved: null, correct: false },
    };
    expect(precisionOf([...results.attempts, noFixPatched])).toEqual({ proposed: 3, resolved: 1, precision: 1 / 3 });
    const none = precisionOf(withoutOverfit(results).attempts.filter((a) => a.task === OVERFIT));
    expect(none).toEqual({ proposed: 0, resolved: 0, precision: null });
    expect(describePrecision(none)).toBe('n/a (no patch proposed)');
  });

  it('report.md and report.html list the overfits before anything else, with task, fixer and where the patch is', () => {
    const results = readResults(FIXTURE);
    const md = renderMarkdown(results);
    const headings = md.split('\n').filter((line) => line.startsWith('#'));
    expect(headings.slice(0, 3)).toEqual(['# Eval: core', '## Overfit patches: 1', '## Run']);
    const section = md.slice(md.indexOf('## Overfit patches'), md.indexOf('## Run'));
    expect(section).toContain('- precision (resolved ÷ patches proposed) 1/2 50%');
    // No trajectory was kept by this older run: the patch is found in results.json.
    expect(section).toMatch(/\| date-window-utc-offset-sign \| 1 \| offline \| failing: UTC bounds .* \| - \| in results\.json \|/);
    const html = renderHtml(results);
    expect(html.indexOf('<h2>Overfit patches: 1</h2>')).toBeGreaterThan(html.indexOf('<h1>'));
    expect(html.indexOf('<h2>Overfit patches: 1</h2>')).toBeLessThan(html.indexOf('<h2>Run</h2>'));
    expect(html).toMatch(/<table class="overfits">.*<td>date-window-utc-offset-sign<\/td><td>1<\/td><td>offline<\/td>/);

    // With trajectories, both reports link the trajectory and the patch file beside it.
    const attempts = results.attempts.map((a) => ({ ...a, trajectory: `trajectories/${a.task}/1.json` }));
    const linked = { ...results, attempts, summary: summarise(attempts, 'offline') };
    expect(renderMarkdown(linked)).toContain(
      '| [trajectories/date-window-utc-offset-sign/1.md](trajectories/date-window-utc-offset-sign/1.md) | [trajectories/date-window-utc-offset-sign/1.patch](trajectories/date-window-utc-offset-sign/1.patch) |',
    );
    expect(renderHtml(linked)).toContain(
      '<td><a href="trajectories/date-window-utc-offset-sign/1.md">trajectory</a></td><td><a href="trajectories/date-window-utc-offset-sign/1.patch">patch</a></td>',
    );
    expect(renderMarkdown(withoutOverfit(results))).toMatch(/^# Eval: core\n\n## Overfit patches: none\n\n- precision \(resolved ÷ patches proposed\) 1\/1 100%\n/);
  });

  it('compare flags a change that adds an overfit though as many tasks are resolved, in its JSON and exit status', () => {
    const b = readResults(FIXTURE);
    const a = withoutOverfit(b);
    const c = compareResults(a, b);
    expect(c.a.rate.successes).toBe(c.b.rate.successes);
    expect(c.verdict).toBe('no significant difference');
    expect(c).toMatchObject({ flags: ['more-overfits'], overfits: { more: [OVERFIT], fewer: [] }, a: { overfits: 0 }, b: { overfits: 1 } });
    expect(c.a.precision).toEqual({ proposed: 1, resolved: 1, precision: 1 });
    expect(c.b.precision).toEqual({ proposed: 2, resolved: 1, precision: 0.5 });
    expect(compareResults(b, a)).toMatchObject({ flags: [], overfits: { more: [], fewer: [OVERFIT] } });

    const fileA = writeJson(a);
    const worse = steward(['eval', 'compare', fileA, FIXTURE, '--json']);
    expect(worse.code).toBe(1);
    expect(JSON.parse(worse.stdout)).toMatchObject({ version: 1, verdict: 'no significant difference', flags: ['more-overfits'], overfits: { more: [OVERFIT] } });
    const text = steward(['eval', 'compare', fileA, FIXTURE]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/precision 1\/2 50%; 1 overfit patch\(es\)/);
    expect(text.stdout).toMatch(/flagged: .* proposes more patches that fail the hidden tests \(0 -> 1; more in date-window-utc-offset-sign\)/);
    const better = steward(['eval', 'compare', FIXTURE, fileA, '--json']);
    expect(better.code).toBe(0);
    expect(JSON.parse(better.stdout)).toMatchObject({ flags: [] });
  });
});

function writeJson(results: Results): string {
  const file = join(tempDir(), 'results.json');
  writeFileSync(file, JSON.stringify(results));
  return file;
}
