import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../evals/harness/results.ts';
import { trajectorySchema } from '../../evals/harness/trajectory/schema.ts';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

/** Written by hand outside steward: JUnit and exit-code hidden tests, events not captured by steward. */
const OUTSIDE = join(STEWARD_ROOT, 'test', 'fixtures', 'eval-suites', 'outside');

const readResults = (out: string): Results => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
const attemptLines = (out: string): string[] => readFileSync(join(out, 'attempts.jsonl'), 'utf8').split('\n').filter(Boolean);

describe('steward eval run on a suite written outside steward', () => {
  it('runs every task through the pipeline, scores it, writes the three reports, and resumes instead of redoing', () => {
    const out = join(tempDir(), 'out');
    const run = steward(['eval', 'run', OUTSIDE, '--out', out, '--concurrency', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/slug-missing-options\s+1\s+null check\s+resolved/);
    expect(run.stdout).toMatch(/slug-number-title\s+4\s+no code fix\s+correct/);
    expect(run.stdout).toMatch(/tier 1\s+1\/1 100% \(21%–100%\)/);
    const results = readResults(out);
    const [fixed, noFix] = results.attempts;
    expect(fixed).toMatchObject({ task: 'slug-missing-options', success: true, scores: { issue: true, reproduced: true, patch: true, resolved: true } });
    expect(noFix).toMatchObject({ task: 'slug-number-title', success: true, scores: { issue: true, patch: false, correct: true }, patch: null });
    expect(fixed?.costs.candidatesTried).toBeGreaterThan(0);
    expect(results.tasks[0]?.baseline).toMatchObject({ hiddenFailedOnOriginal: 1, warnings: [] });
    // The patch is relative to the plugin root: anyone can re-check it on plugin/.
    const copy = join(tempDir(), 'plugin');
    cpSync(join(OUTSIDE, 'slug-missing-options', 'plugin'), copy, { recursive: true });
    writeFileSync(join(copy, '..', 'fix.patch'), fixed?.patch ?? '');
    expect(spawnSync('git', ['apply', '../fix.patch'], { cwd: copy }).status).toBe(0);
    expect(readFileSync(join(copy, 'src', 'index.js'), 'utf8')).not.toContain('input.options.separator');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| tier 1 | 1/1 100% (21%–100%) |');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg role="img" aria-label="Success rate by tier"/);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(results.summary.precision.overall).toEqual({ proposed: 1, resolved: 1, precision: 1 });
    expect(md).toMatch(/^# Eval: outside\n\n## Overfit patches: none\n\n- precision \(resolved ÷ patches proposed\) 1\/1 100%\n/);

    // Each attempt's trajectory, named by report.md and linked from report.html.
    expect(fixed).toMatchObject({ proposedBy: 'offline', trajectory: 'trajectories/slug-missing-options/1.json' });
    expect(noFix).toMatchObject({ proposedBy: null, trajectory: 'trajectories/slug-number-title/1.json' });
    const trajectory = trajectorySchema.parse(JSON.parse(readFileSync(join(out, 'trajectories', 'slug-missing-options', '1.json'), 'utf8')));
    expect(trajectory).toMatchObject({ outcome: 'resolved', run: { id: fixed?.run }, issue: { number: 1 }, reproduction: { status: 'reproduced' }, patch: fixed?.patch });
    expect(trajectory.issue?.body).toContain('slugify');
    expect(trajectory.reproduction?.tried.length).toBeGreaterThan(0);
    expect(trajectory.suspects[0]?.file).toBe('src/index.js');
    expect(trajectory.candidates.filter((c) => c.stage === 'search')).toHaveLength(fixed?.costs.candidatesTried ?? -1);
    expect(trajectory.candidates.filter((c) => c.proposed)).toHaveLength(1);
    expect(trajectory.candidates.filter((c) => c.stage === 'search' && c.verdict !== 'passes' && c.verdict !== 'refuses').every((c) => c.rejected)).toBe(true);
    expect(Object.keys(trajectory.proposal?.evidence ?? {})).toEqual(expect.arrayContaining(['before', 'after', 'suite']));
    expect(readFileSync(join(out, 'trajectories', 'slug-missing-options', '1.patch'), 'utf8')).toBe(fixed?.patch);
    const readable = readFileSync(join(out, 'trajectories', 'slug-missing-options', '1.md'), 'utf8');
    for (const heading of ['Issue as opened', 'Reproduction', 'Suspects', 'Candidates', 'Proposal and evidence', 'Patch']) expect(readable).toContain(`\n## ${heading}\n`);
    const noFixTrajectory = readFileSync(join(out, 'trajectories', 'slug-number-title', '1.md'), 'utf8');
    expect(noFixTrajectory).toContain('Outcome **correct**');
    expect(noFixTrajectory).toContain('## Patch\n\nNone.');
    expect(md).toMatch(/\| slug-missing-options \| 1 \| null check \| 1 \| resolved \| .* \| trajectories\/slug-missing-options\/1\.md \|/);
    expect(html).toContain('<td><a href="trajectories/slug-missing-options/1.md">slug-missing-options</a></td>');
    expect(html).toContain('<td><a href="trajectories/slug-number-title/1.md">slug-number-title</a></td>');

    const again = steward(['eval', 'run', OUTSIDE, '--out', out, '--json']);
    expect(again.code).toBe(0);
    expect(attemptLines(out)).toHaveLength(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 1, summary: { overall: { successes: 2, attempts: 2 } } });
    // Nothing was left to do: the reports keep the eval's own times, not those of a run that did nothing.
    const rerun = readResults(out);
    expect(rerun.wallMs).toBeGreaterThan(1000);
    expect([rerun.startedAt, rerun.finishedAt, rerun.wallMs, rerun.concurrency]).toEqual([results.startedAt, results.finishedAt, results.wallMs, results.concurrency]);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe(md);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);

    const other = steward(['eval', 'run', OUTSIDE, '--out', out, '--fixer', 'hybrid']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/E_EVAL_OUT_MISMATCH: .*eval\.json: holds an eval with other settings/);
    expect(attemptLines(out)).toHaveLength(2);
  }, 240_000);

  it('resumes a killed eval where it stopped, keeping the attempts it had recorded', async () => {
    const out = join(tempDir(), 'out');
    const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), 'eval', 'run', OUTSIDE, '--out', out, '--concurrency', '1'], {
      cwd: STEWARD_ROOT,
      stdio: 'ignore',
      detached: true,
    });
    const deadline = Date.now() + 90_000;
    while (!(existsSync(join(out, 'attempts.jsonl')) && attemptLines(out).length >= 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    const first = attemptLines(out);
    expect(first).toHaveLength(1);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    const resumed = steward(['eval', 'run', OUTSIDE, '--out', out, '--concurrency', '1']);
    expect(resumed.code).toBe(0);
    const lines = attemptLines(out);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(first[0]);
    expect(
      readResults(out)
        .attempts.map((a) => a.task)
        .sort(),
    ).toEqual(['slug-missing-options', 'slug-number-title']);
  }, 240_000);

  it('compares two playbooks (ab): a playbook that stops after the issue loses the fix, and the verdict says how sure that is', () => {
    const dir = tempDir();
    const playbook = readFileSync(join(STEWARD_ROOT, 'playbooks', 'default.md'), 'utf8')
      .replace('name: default', 'name: issue-only')
      .replace('stopAfter: propose', 'stopAfter: issue');
    writeFileSync(join(dir, 'issue-only.md'), playbook);
    const out = join(dir, 'ab');
    const ab = steward(['eval', 'ab', OUTSIDE, '--playbook', 'default', '--playbook', join(dir, 'issue-only.md'), '--out', out, '--json']);
    expect(ab.stderr).toBe('');
    expect(ab.code).toBe(0);
    const comparison = JSON.parse(ab.stdout) as { regressed: string[]; improved: string[]; verdict: string; test: string; p: number };
    expect(comparison).toMatchObject({ regressed: ['slug-missing-options'], improved: [], test: 'mcnemar-exact', verdict: 'no significant difference', p: 1 });
    expect(readResults(join(out, 'b')).config.playbook.name).toBe('issue-only');
    expect(readResults(join(out, 'b')).attempts.find((a) => a.task === 'slug-missing-options')).toMatchObject({ success: false, scores: { patch: false } });
    expect(existsSync(join(out, 'comparison.json'))).toBe(true);
    // The page: the warning first (two tasks can never differ significantly), the flip, and the patch only A proposed.
    const page = readFileSync(join(out, 'comparison.html'), 'utf8');
    expect(page).toMatch(
      /Read this first[\s\S]*the suite is too small: with 2 paired task\(s\) no difference can be significant at alpha 0\.05 \(the smallest p possible is 0\.500\)/,
    );
    expect(page).toMatch(/<tr class="bad"><td>slug-missing-options<\/td><td>regressed<\/td><td>resolved<\/td><td>[a-z-]+<\/td><\/tr>/);
    expect(page).toMatch(/<h3>slug-missing-options<\/h3><details><summary>default: resolved<\/summary><pre class="diff">[\s\S]*<span class="add">\+/);
    expect(page).toMatch(/issue-only\.md: [a-z-]+: none<\/p>/);
    // The same run on both sides is said plainly, and the page goes beside B's results.
    const same = steward(['eval', 'compare', join(out, 'a'), join(out, 'a')]);
    expect(same.stdout).toMatch(/warning: A and B are the same run \(started [^)]+\): every difference is zero by construction/);
    expect(same.stdout).toContain(`page: ${join(out, 'a', 'comparison.html')}`);
    // An eval's --out directory stands for its results.json; a path with none is one clear error.
    const dirs = steward(['eval', 'compare', join(out, 'a'), join(out, 'b'), '--json']);
    expect(dirs.code).toBe(0);
    expect(JSON.parse(dirs.stdout)).toMatchObject({ regressed: ['slug-missing-options'] });
    const missing = steward(['eval', 'compare', join(out, 'a'), join(out, 'c')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/E_EVAL_RESULTS_INVALID: .*\/c: no such file/);

    // Ten such tasks, seven lost: compare calls B worse and exits 1, so CI can block the change.
    const widen = (results: Results, lose: boolean): Results => {
      const template = results.attempts[0];
      if (!template) throw new Error('no attempt');
      const attempts = Array.from({ length: 10 }, (_, i) => ({ ...template, task: `t${i}`, success: !(lose && i < 7) }));
      return { ...results, attempts };
    };
    const a = readResults(join(out, 'a'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(widen(a, false)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(widen(a, true)));
    const worse = steward(['eval', 'compare', join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toMatch(/exact McNemar test: difference -70\.0 points, p = 0\.0156/);
    expect(worse.stdout).toMatch(/verdict: .*b\.json is worse than .*a\.json/);
    expect(steward(['eval', 'compare', join(dir, 'b.json'), join(dir, 'a.json')]).code).toBe(0);
    writeFileSync(join(dir, 'bad.json'), '{"format": "other"}');
    const bad = steward(['eval', 'compare', join(dir, 'a.json'), join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/E_EVAL_RESULTS_INVALID: .*bad\.json: \$\.format/);
  }, 240_000);

  it('refuses bad options with one message and no output written', () => {
    const out = join(tempDir(), 'out');
    expect(steward(['eval', 'run', OUTSIDE, '--out', out, '--fixer', 'magic']).stderr).toMatch(/--fixer must be offline, llm or hybrid/);
    expect(steward(['eval', 'run', OUTSIDE, '--out', out, '--playbook', 'nope']).stderr).toMatch(/E_PLAYBOOK_MISSING: no playbook "nope"/);
    expect(steward(['eval', 'run', OUTSIDE, '--out', out, '--only', 'nope']).stderr).toMatch(/no task "nope"/);
    expect(steward(['eval', 'ab', OUTSIDE, '--playbook', 'default']).stderr).toMatch(/ab needs two playbooks/);
    expect(steward(['eval', 'ab', OUTSIDE, '--playbook', 'default', '--playbook', 'default', '--out', out, '--alpha', '5']).stderr).toMatch(
      /E_USAGE: --alpha must lie between 0 and 1, not "5"/,
    );
    expect(steward(['eval', 'run', OUTSIDE, '--out', out, '--fixer', 'llm']).stderr).toMatch(/E_USAGE: --fixer llm needs --model/);
    expect(steward(['eval', 'run', OUTSIDE, '--out', out, '--fixer', 'hybrid', '--model', 'nope:thing']).stderr).toMatch(
      /E_USAGE: --model nope:thing: Unable to infer model provider/,
    );
    expect(existsSync(out)).toBe(false);
    // --fresh wipes an eval's directory only.
    const mine = tempDir();
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    expect(steward(['eval', 'run', OUTSIDE, '--out', mine, '--fresh']).stderr).toMatch(/E_USAGE: --fresh would delete .* which holds no eval/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine');
  }, 240_000);

  it('refuses to resume attempts of tasks that changed since, and repeats each task --repeat times', () => {
    const suite = join(tempDir(), 'suite');
    cpSync(OUTSIDE, suite, { recursive: true });
    const out = join(tempDir(), 'out');
    expect(steward(['eval', 'run', suite, '--out', out, '--only', 'slug-number-title']).code).toBe(0);
    writeFileSync(join(suite, 'slug-number-title', 'hidden', 'check.mjs'), 'process.exit(0);\n');
    const changed = steward(['eval', 'run', suite, '--out', out, '--only', 'slug-number-title']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/E_EVAL_OUT_MISMATCH: .*holds an eval with other settings \(suite, tasks or their contents/);
    // Repeats: each task N times, each attempt recorded with its number.
    const repeated = steward(['eval', 'run', suite, '--out', out, '--only', 'slug-number-title', '--fresh', '--repeat', '2', '--json']);
    expect(repeated.code).toBe(0);
    expect(readResults(out).attempts.map((a) => [a.task, a.repeat])).toEqual([
      ['slug-number-title', 1],
      ['slug-number-title', 2],
    ]);
    expect(JSON.parse(repeated.stdout)).toMatchObject({ summary: { overall: { attempts: 2 }, flaky: [] } });
  }, 240_000);
});
