import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../evals/harness/task.ts';
import type { StewardError } from '../../orchestrator/core/errors.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const OUTSIDE = join(STEWARD_ROOT, 'test', 'fixtures', 'eval-suites', 'outside');

/** A copy of the outside suite whose first task carries `traffic`. */
function suiteWith(traffic: unknown): string {
  const suite = join(tempDir(), 'suite');
  cpSync(OUTSIDE, suite, { recursive: true });
  const file = join(suite, 'slug-missing-options', 'task.json');
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), traffic }));
  return suite;
}

function refusal(traffic: unknown): StewardError {
  try {
    loadSuite(suiteWith(traffic));
  } catch (error) {
    return error as StewardError;
  }
  throw new Error('loaded');
}

const ok = (title: string): { input: unknown; output: unknown } => ({ input: { title }, output: { slug: title.toLowerCase() } });

describe("a task's recorded traffic", () => {
  it('is parsed onto the task, any JSON value for input and output, and empty when absent', () => {
    const big = 'x'.repeat(64 * 1024 - 2); // exactly 64 KiB once quoted as JSON
    const traffic = [ok('Hello'), { input: null, output: null }, { input: [1, 'two'], output: 3 }, { input: big, output: '' }];
    const suite = loadSuite(suiteWith(traffic));
    const [withTraffic, without] = suite.tasks;
    expect(withTraffic?.traffic).toEqual(traffic);
    expect(withTraffic?.spec.traffic).toEqual(traffic);
    expect(without?.spec.traffic).toBeUndefined();
    expect(without?.traffic).toEqual([]);
  });

  it('refuses a malformed entry with one error naming the field', () => {
    const missing = refusal([ok('a'), ok('b'), ok('c'), { input: { title: 'd' } }]);
    expect(missing.code).toBe('E_EVAL_SUITE_INVALID');
    expect(missing.format()).toMatch(/^.*slug-missing-options\/task\.json: \$\.traffic\[3\]\.output: required\n {2}hint: the format is docs\/specs\/eval-task\.md$/);
    // A misspelt key: the missing one is what is said first.
    expect(refusal([{ input: 1, ouput: 2 }]).format()).toMatch(/task\.json: \$\.traffic\[0\]\.output: required/);
    expect(refusal([{ output: 1 }]).format()).toMatch(/task\.json: \$\.traffic\[0\]\.input: required/);
    expect(refusal([ok('a'), { input: 1, output: 2, at: 'noon' }]).format()).toMatch(/task\.json: \$\.traffic\[1\]\.at: unknown field "at"/);
    expect(refusal([ok('a'), 'a call']).format()).toMatch(/task\.json: \$\.traffic\[1\]: must be an object \{"input": …, "output": …\}/);
    expect(refusal({ input: 1, output: 2 }).format()).toMatch(/task\.json: \$\.traffic: /);
  });

  it('refuses an input over 64 KiB of JSON, naming its index', () => {
    const over = refusal([ok('a'), { input: { title: 'x'.repeat(64 * 1024) }, output: null }]);
    expect(over.format()).toMatch(/task\.json: \$\.traffic\[1\]\.input: is 65548 bytes of JSON; an input may be at most 64 KiB \(65536 bytes\)/);
    // Bytes, not characters: multi-byte text counts as what it weighs.
    expect(refusal([{ input: 'é'.repeat(33_000), output: null }]).format()).toMatch(/\$\.traffic\[0\]\.input: is 66002 bytes of JSON/);
  });
});
