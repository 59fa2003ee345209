import { describe, expect, it } from 'vitest';
import { outputComparer } from '../../agents/plugin-agent/behaviour/same-output.ts';
import { disagreeing } from '../../agents/plugin-agent/disagreement.ts';

/** A validated fix that makes the failing call return `output`; without one, a fix whose answer is unknown. */
function fix(name: string, ...output: [unknown?]): { name: string; answer?: { output: unknown } } {
  return output.length > 0 ? { name, answer: { output: output[0] } } : { name };
}

describe('validated fixes that disagree', () => {
  it('keeps the first fix of each answer, in rank order', () => {
    const fixes = [fix('a', { value: '' }), fix('b', { value: 'n/a' }), fix('c', { value: '' }), fix('d', { value: 'n/a' })];
    expect(disagreeing(fixes, outputComparer()).map((f) => f.name)).toEqual(['a', 'b']);
  });

  it('finds none when every fix answers alike, as JSON compares (undefined fields, key order)', () => {
    const fixes = [fix('a', { rows: [1, 2], note: undefined }), fix('b', { rows: [1, 2] }), { name: 'c', answer: { output: { rows: [1, 2] } } }];
    expect(disagreeing(fixes, outputComparer())).toHaveLength(1);
  });

  it("is blind to the plugin's declared volatile fields", () => {
    const fixes = [fix('a', { total: 3, at: '2026-12-06T10:00:00Z' }), fix('b', { total: 3, at: '2026-12-06T10:00:01Z' })];
    expect(disagreeing(fixes, outputComparer())).toHaveLength(2);
    expect(disagreeing(fixes, outputComparer(['/at']))).toHaveLength(1);
  });

  it('leaves out fixes whose answer could not be read (refusals, a call that failed again)', () => {
    const fixes = [fix('refusal'), fix('a', 1), { name: 'flaky', answer: undefined }, fix('b', 1)];
    expect(disagreeing(fixes, outputComparer()).map((f) => f.name)).toEqual(['a']);
  });
});
