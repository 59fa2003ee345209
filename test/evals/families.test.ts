import { describe, expect, it } from 'vitest';
import { familiesOf, familyYield } from '../../evals/harness/families.ts';
import type { PipelineOutcome } from '../../evals/harness/outcome.ts';
import type { RunEvent, RunRecord } from '../../orchestrator/runs/types.ts';

let seq = 0;
const event = (kind: string, data: unknown): RunEvent => ({ run: 'run_1', seq: ++seq, at: '2026-12-06T00:00:00.000Z', kind, data });

const events = [
  event('candidate-tried', { fixer: 'offline', template: 'relational', verdict: 'still-fails' }),
  event('candidate-tried', { fixer: 'offline', template: 'relational', verdict: 'passes' }),
  event('candidate-tried', { fixer: 'offline', template: 'null-guard', verdict: 'refuses' }),
  event('candidate-tried', { fixer: 'offline', template: 'off-by-one', verdict: 'breaks-tests' }),
  // A model fixer's candidates have no family: they count nowhere here.
  event('candidate', { fixer: 'llm', verdict: 'validated' }),
  event('candidate', { fixer: 'offline', template: 'relational', verdict: 'validated' }),
  event('candidate', { fixer: 'offline', template: 'null-guard', verdict: 'rejected', reason: 'it only hides the failure' }),
  event('chosen', { fixer: 'offline', template: 'relational' }),
  event('sandbox', { template: 'not-a-candidate' }),
];
const run = (id: string) => ({ id, state: 'completed' }) as RunRecord;
const outcome = { runs: [{ run: run('run_1'), events }] } as unknown as PipelineOutcome;

describe("operator families' yield", () => {
  it("counts one attempt's candidates per family, from the search to the proposal", () => {
    expect(familiesOf(outcome)).toEqual({
      relational: { tried: 2, passed: 1, validated: 1, proposed: 1 },
      'null-guard': { tried: 1, passed: 1, validated: 0, proposed: 0 },
      'off-by-one': { tried: 1, passed: 0, validated: 0, proposed: 0 },
    });
  });

  it('sums attempts, resolved only where the family proposed and the hidden tests passed', () => {
    const families = familiesOf(outcome);
    const summed = familyYield([{ families, scores: { resolved: true } }, { families, scores: { resolved: false } }, { scores: { resolved: true } }]);
    expect(summed['relational']).toEqual({ tried: 4, passed: 2, validated: 2, proposed: 2, resolved: 1 });
    expect(summed['null-guard']).toEqual({ tried: 2, passed: 2, validated: 0, proposed: 0, resolved: 0 });
    expect(Object.keys(summed)).toEqual(['null-guard', 'off-by-one', 'relational']);
  });

  it('counts every run of an attempt whose task made more than one error group', () => {
    const later = [event('candidate-tried', { fixer: 'offline', template: 'relational', verdict: 'passes' }), event('chosen', { fixer: 'offline', template: 'relational' })];
    const two = {
      runs: [
        { run: run('run_1'), events },
        { run: run('run_2'), events: later },
      ],
    } as unknown as PipelineOutcome;
    expect(familiesOf(two)['relational']).toEqual({ tried: 3, passed: 2, validated: 1, proposed: 2 });
  });
});
