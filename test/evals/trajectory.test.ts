import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrackedIssue } from '../../agents/trackers/types.ts';
import type { PipelineOutcome, RunOutcome } from '../../evals/harness/outcome.ts';
import type { RunEvent, RunRecord } from '../../orchestrator/runs/types.ts';
import type { Attempt } from '../../evals/harness/results.ts';
import { buildTrajectory, proposerOf, writeTrajectory } from '../../evals/harness/trajectory/build.ts';
import { renderTrajectory } from '../../evals/harness/trajectory/markdown.ts';
import { trajectorySchema } from '../../evals/harness/trajectory/schema.ts';
import { tempDir } from '../helpers/temp.ts';

const PATCH = 'diff --git a/src/b.js b/src/b.js\n--- a/src/b.js\n+++ b/src/b.js\n@@ -1 +1 @@\n-old\n+new\n';

const attempt: Attempt = {
  task: 'csv-short-row',
  repeat: 2,
  tier: 1,
  category: 'null check',
  expectFix: true,
  success: false,
  scores: { issue: true, reproduced: true, patch: true, resolved: false, correct: null },
  reason: 'failed-hidden-tests',
  detail: 'failing: captured input 1 gives the correct output',
  costs: { wallMs: 1000, tokens: 0, modelCalls: 0, sandboxRuns: 4, candidatesTried: 3 },
  patch: PATCH,
  run: 'run_1',
  runState: 'completed',
  startedAt: '2026-12-06T00:00:00.000Z',
};

const issue = {
  number: 7,
  url: 'local:issues/7',
  title: '[csv-import] TypeError: x',
  body: 'The body, with its own fence:\n```\nstack\n```\n',
  comments: [{ at: '', body: '**Reproduced** in the sandbox' }],
} as unknown as TrackedIssue;

let seq = 0;
const event = (kind: string, data: unknown): RunEvent => ({ run: 'run_1', seq: ++seq, at: '2026-12-06T00:00:00.000Z', kind, data });

/** What a run of the offline fixer records: three candidates searched, two handed to validation, the second proposed. */
const firstRun: RunOutcome = {
  run: { id: 'run_1', state: 'completed', error: null } as RunRecord,
  events: [
    event('sandbox', { step: 'reproduce', ok: false, kind: 'plugin-error', error: 'TypeError' }),
    event('candidate-tried', { fixer: 'offline', template: 'null-guard', file: 'src/a.js', verdict: 'passes', rationale: 'guard a' }),
    event('candidate-tried', { fixer: 'offline', template: 'wrong-variable', file: 'src/a.js', verdict: 'still-fails', rationale: 'swap' }),
    event('candidate-tried', { fixer: 'offline', template: 'null-guard', file: 'src/b.js', verdict: 'breaks-tests', rationale: 'guard b' }),
    event('fixer-stopped', { fixer: 'offline', why: 'all 3 candidate(s) tried', tried: 3 }),
    event('candidate', { fixer: 'offline', verdict: 'rejected', reason: 'regression: parses quotes passed before and does not now' }),
    event('candidate', { fixer: 'offline', verdict: 'validated', changed: 2, outputsChanged: 0 }),
    event('chosen', { fixer: 'offline', outputsChanged: 0, changedLines: 2 }),
    event('a-kind-added-later', { anything: true }),
  ],
  state: {
    issue: { number: 7, url: 'local:issues/7', created: true },
    context: { inputs: [{ text: 'a,b\n1\n' }, { text: 'x' }], playbook: { name: 'default' } },
    reproduction: {
      status: 'reproduced',
      request: { op: 'execute', input: { text: 'a,b\n1\n' } },
      error: { type: 'TypeError', message: 'x' },
      sameError: true,
      tried: ['captured input: it fails with TypeError'],
    },
    suspects: [{ file: 'src/records.js', line: 53, score: 1, reason: 'in-app frame 1 of the stack (toRecords)', inApp: true }],
    candidates: [
      { fixer: 'offline', files: { 'src/a.js': 'A' }, rationale: 'guard a' },
      { fixer: 'offline', files: { 'src/b.js': 'B' }, rationale: 'guard b' },
    ],
    proposal: {
      fixer: 'offline',
      rationale: 'guard b',
      // Validation adds the regression test to the candidate's own edits.
      files: { 'src/b.js': 'B', 'test/steward-regression.test.js': 'T' },
      diff: PATCH,
      stats: { files: 1, added: 1, removed: 1 },
      // `behaviour` stands for any field the agent adds to its evidence: printed as recorded.
      evidence: {
        before: 'fails',
        after: 'passes',
        suite: { passed: 3, failed: 0, baselinePassed: 3 },
        behaviour: { generated: { inputs: 200, changed: 1, examples: [{ input: { text: 'q' }, before: '1', after: '2' }] } },
      },
      validated: 1,
      tried: 2,
    },
  },
};
const outcome: PipelineOutcome = { runs: [firstRun], issues: [issue], proposals: [], patch: PATCH, timedOut: false };

describe("an eval attempt's trajectory", () => {
  it('is taken from the run events and the final state: issue, reproduction, suspects, every candidate with its verdict, the evidence and the patch', () => {
    const t = buildTrajectory(attempt, outcome);
    expect(t).toMatchObject({
      task: 'csv-short-row',
      repeat: 2,
      outcome: 'failed-hidden-tests',
      run: { id: 'run_1', state: 'completed' },
      issue: { number: 7, title: '[csv-import] TypeError: x', comments: ['**Reproduced** in the sandbox'] },
      reproduction: { status: 'reproduced', failingInput: { text: 'a,b\n1\n' }, captured: [{ text: 'a,b\n1\n' }, { text: 'x' }], runs: [{ ok: false, kind: 'plugin-error' }] },
      suspects: [{ file: 'src/records.js', line: 53 }],
      patch: PATCH,
    });
    expect(t.candidates.map((c) => [c.stage, c.change, c.verdict, c.rejected, c.proposed])).toEqual([
      ['search', 'null-guard in src/a.js', 'passes', null, false],
      ['search', 'wrong-variable in src/a.js', 'still-fails', 'the reproduction still fails with it', false],
      ['search', 'null-guard in src/b.js', 'breaks-tests', 'tests that passed on the original fail with it', false],
      ['validate', 'src/a.js', 'rejected', 'regression: parses quotes passed before and does not now', false],
      ['validate', 'src/b.js', 'validated', null, true],
    ]);
    expect(t.proposal?.evidence.behaviour).toEqual((firstRun.state?.proposal as { evidence: { behaviour: unknown } }).evidence.behaviour);
    expect(t.followUps).toEqual([]);
    expect(t.events.map((e) => e.kind)).toContain('a-kind-added-later');
    expect(proposerOf(outcome)).toBe('offline');
    expect(trajectorySchema.parse(JSON.parse(JSON.stringify(t)))).toEqual(t);

    const md = renderTrajectory(t);
    const order = ['## Issue as opened', '## Reproduction', '## Suspects', '## Candidates', '## Proposal and evidence', '## Patch'].map((h) => md.indexOf(h));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
    // The issue's own fence cannot close the block that quotes it.
    expect(md).toContain('````markdown\nThe body, with its own fence:\n```\nstack\n```\n````');
    expect(md).toContain('| 2 | offline | wrong-variable in src/a.js | still-fails: the reproduction still fails with it |');
    expect(md).toContain('| 2 | offline | src/b.js | validated, **proposed** | guard b | {"changed":2,"outputsChanged":0} |');
    expect(md).toContain('- chosen: {"fixer":"offline","outputsChanged":0,"changedLines":2}');
    expect(md).toContain('- **suite**: `{"passed":3,"failed":0,"baselinePassed":3}`');
    expect(md).toMatch(/- \*\*behaviour\*\*:\n\n {2}```json\n {2}\{\n {4}"generated": \{\n {6}"inputs": 200,/);
    expect(md).toContain(`\`\`\`diff\n${PATCH}\`\`\``);
  });

  it("tells each error group's run apart: the first at the top, later groups in followUps and their own sections", () => {
    const second: RunOutcome = {
      run: { id: 'run_2', state: 'completed', error: null } as RunRecord,
      events: [
        {
          run: 'run_2',
          seq: 1,
          at: '',
          kind: 'candidate-tried',
          data: { fixer: 'offline', template: 'name-replace', file: 'src/c.js', verdict: 'passes', rationale: 'True for true' },
        },
        { run: 'run_2', seq: 2, at: '', kind: 'candidate', data: { fixer: 'offline', verdict: 'validated' } },
      ],
      state: {
        issue: { number: 8 },
        candidates: [{ fixer: 'offline', files: { 'src/c.js': 'C' }, rationale: 'True for true' }],
        proposal: { fixer: 'offline', rationale: 'True for true', files: { 'src/c.js': 'C' }, diff: 'd', stats: {}, evidence: {} },
      },
    };
    const other = { ...issue, number: 8, title: '[csv-import] NameError: y' } as TrackedIssue;
    const t = buildTrajectory(attempt, { ...outcome, runs: [firstRun, second], issues: [issue, other], stopped: 'the run of group 2 published no fix' });
    expect(t.run?.id).toBe('run_1');
    expect(t.issue?.number).toBe(7);
    expect(t.followUps).toHaveLength(1);
    expect(t.followUps[0]).toMatchObject({ run: { id: 'run_2' }, issue: { number: 8, title: '[csv-import] NameError: y' }, proposal: { rationale: 'True for true' } });
    expect(t.followUps[0]?.candidates.map((c) => [c.stage, c.change, c.proposed])).toEqual([
      ['search', 'name-replace in src/c.js', false],
      ['validate', 'src/c.js', true],
    ]);
    expect(trajectorySchema.parse(JSON.parse(JSON.stringify(t)))).toEqual(t);
    const md = renderTrajectory(t);
    expect(md).toContain("The task's events made 2 error groups, one run each. Later groups got no run: the run of group 2 published no fix.");
    expect(t.stopped).toBe('the run of group 2 published no fix');
    const order = ['## Issue as opened', '## Proposal and evidence', '## Error group 2', '### Issue as opened', '### Candidates', '## Patch'].map((h) => md.indexOf(h));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
    // A run without a proposal of its own does not hide a later run's fixer.
    expect(proposerOf({ ...outcome, runs: [{ ...firstRun, state: {}, events: [] }, second] })).toBe('offline');
    // An older trajectory, written before followUps, still reads.
    const older = JSON.parse(JSON.stringify(t)) as Record<string, unknown>;
    delete older['followUps'];
    expect(trajectorySchema.parse(older).followUps).toEqual([]);
  });

  it('survives state it does not know and attempts that never got a run', () => {
    const odd = buildTrajectory(attempt, { ...outcome, runs: [{ ...firstRun, state: { suspects: 'not a list', proposal: { fixer: 1 } }, events: [] }] });
    expect(odd.suspects).toEqual([]);
    expect(odd.proposal).toBeNull();
    expect(odd.patch).toBe(PATCH);
    const crashed = buildTrajectory({ ...attempt, reason: 'crash', detail: 'Redis would not start', patch: null }, undefined);
    expect(crashed).toMatchObject({ outcome: 'crash', detail: 'Redis would not start', run: null, issue: null, reproduction: null, candidates: [], patch: null });
    expect(renderTrajectory(crashed)).toContain('Outcome **crash**: Redis would not start; no run.');
  });

  it('is written as JSON, a readable .md and the .patch, under trajectories/<task>/<repeat>', () => {
    const out = tempDir();
    const relative = writeTrajectory(out, buildTrajectory(attempt, outcome));
    expect(relative).toBe(join('trajectories', 'csv-short-row', '2.json'));
    expect(trajectorySchema.parse(JSON.parse(readFileSync(join(out, relative), 'utf8'))).task).toBe('csv-short-row');
    expect(readFileSync(join(out, 'trajectories', 'csv-short-row', '2.md'), 'utf8')).toMatch(/^# Trajectory: csv-short-row #2\n/);
    expect(readFileSync(join(out, 'trajectories', 'csv-short-row', '2.patch'), 'utf8')).toBe(PATCH);
    writeTrajectory(out, buildTrajectory({ ...attempt, repeat: 3, patch: null }, { ...outcome, runs: [{ ...firstRun, state: {} }] }));
    expect(existsSync(join(out, 'trajectories', 'csv-short-row', '3.patch'))).toBe(false);
  });
});
