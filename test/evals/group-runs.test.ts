import { describe, expect, it } from 'vitest';
import { MAX_GROUP_RUNS, stopAfter } from '../../evals/harness/pipeline.ts';

/** A run of the first group that published a fix that was merged, with most of the time left. */
const fixed = { runs: 1, state: 'completed', timedOut: false, published: true, merged: true, remainingMs: 500_000, timeoutMs: 600_000, aborted: false };

describe("a task's error groups, one run each", () => {
  it('goes on to the next group only after a fix was published and merged, with time left', () => {
    expect(stopAfter(fixed)).toBeNull();
    expect(stopAfter({ ...fixed, runs: MAX_GROUP_RUNS - 1 })).toBeNull();
  });

  it('stops, and says why, when the next run could not change the outcome or would be cut short', () => {
    expect(stopAfter({ ...fixed, published: false, merged: undefined })).toBe('the run of group 1 published no fix');
    expect(stopAfter({ ...fixed, merged: false })).toBe('the fix of group 1 could not be merged');
    expect(stopAfter({ ...fixed, state: 'failed' })).toBe('the run of group 1 failed');
    expect(stopAfter({ ...fixed, runs: 2, timedOut: true })).toBe('the time limit ended the run of group 2');
    expect(stopAfter({ ...fixed, aborted: true })).toBe('the eval was stopped');
    expect(stopAfter({ ...fixed, runs: MAX_GROUP_RUNS })).toBe(`${MAX_GROUP_RUNS} groups had a run, the most a task gets`);
    expect(stopAfter({ ...fixed, remainingMs: 149_000 })).toBe('too little of the time limit was left for another group (149 s)');
    expect(stopAfter({ ...fixed, remainingMs: 151_000 })).toBeNull();
  });
});
