import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../evals/harness/results.ts';
import { trajectorySchema } from '../../evals/harness/trajectory/schema.ts';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const OUTSIDE = join(STEWARD_ROOT, 'test', 'fixtures', 'eval-suites', 'outside');
const TASK = 'slug-missing-options';

/** Calls the slug plugin as it stands answers so: production's recorded successes. */
const answered = [
  { input: { title: 'Hello World', options: { separator: '-' } }, output: { slug: 'hello-world' } },
  { input: { title: 'Crème brûlée', options: { separator: '_' } }, output: { slug: 'creme_brulee' } },
  { input: { title: 'Q3 report, final', options: { separator: '.' } }, output: { slug: 'q3.report.final' } },
  { input: { title: 'a b c d', options: { separator: '-', maxLength: 3 } }, output: { slug: 'a-b' } },
  { input: { title: 'Ünïcödé', options: {} }, output: { slug: 'unicode' } },
];
/** A recording this plugin never gives (another version, another clock): it must hold no candidate to anything. */
const foreign = { input: { title: 'Same Title', options: { separator: '-' } }, output: { slug: 'recorded-elsewhere' } };

describe('an eval task with recorded traffic', () => {
  // A whole eval of one task: the test waits for the run to end; the ceiling is only for a hang.
  it("holds the fix to the task's recorded calls, as the host's sample would be", () => {
    const suite = join(tempDir(), 'suite');
    cpSync(OUTSIDE, suite, { recursive: true });
    rmSync(join(suite, 'slug-number-title'), { recursive: true });
    const file = join(suite, TASK, 'task.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), traffic: [...answered, foreign] }));
    const out = join(tempDir(), 'out');
    const run = steward(['eval', 'run', suite, '--out', out, '--concurrency', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.attempts.map((a) => [a.task, a.success])).toEqual([[TASK, true]]);
    const trajectory = trajectorySchema.parse(JSON.parse(readFileSync(join(out, 'trajectories', TASK, '1.json'), 'utf8')));
    const behaviour = trajectory.proposal?.evidence['behaviour'] as { traffic: Record<string, unknown> } | undefined;
    // Every recorded call reached the oracle: the five the plugin gives were checked and kept, the foreign one set aside.
    expect(behaviour?.traffic).toMatchObject({ recorded: 6, checked: 5, unreproducible: 1, broken: 0, changed: 0 });
    // The family of the proposed candidate is known, and the report says what each family yielded.
    const proposed = Object.entries(results.attempts[0]?.families ?? {}).filter(([, f]) => f.proposed > 0);
    expect(proposed).toHaveLength(1);
    expect(results.summary.families[proposed[0]![0]]).toMatchObject({ proposed: 1, resolved: 1 });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(new RegExp(`## Operator families[^#]*\\| ${proposed[0]![0]} \\|`));
  }, 600_000);
});
