import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitRaw } from '../../orchestrator/library/git/run.ts';
import { runPluginTests, type PluginTestRun } from '../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { eventsOf, type PipelineOutcome } from './outcome.ts';
import type { AttemptScores, Baseline, Costs, FailureReason } from './results.ts';
import type { EvalTask } from './task.ts';

export interface TestOutcomes {
  status: PluginTestRun['status'];
  passed: string[];
  failed: string[];
  warnings: string[];
}

function outcomes(run: PluginTestRun): TestOutcomes {
  return {
    status: run.status,
    passed: run.tests.filter((t) => t.outcome === 'pass').map((t) => t.name),
    failed: run.tests.filter((t) => t.outcome === 'fail').map((t) => t.name),
    warnings: run.warnings,
  };
}

/** A fresh copy of `plugin/` with the patch applied, or why it would not apply. */
async function patchedCopy(task: EvalTask, patch: string | undefined): Promise<{ copy: WorkingCopy } | { error: string }> {
  const copy = createWorkingCopy(task.pluginDir, { quotaMb: task.manifest.limits.diskMb });
  if (!patch) return { copy };
  const file = join(copy.dir, '..', 'fix.patch');
  writeFileSync(file, patch);
  // The copy is no repository: git must not find one above it (a TMPDIR inside a work tree) and apply nothing.
  const applied = await gitRaw(copy.dir, ['apply', '--whitespace=nowarn', '--', file], { env: { GIT_CEILING_DIRECTORIES: join(copy.dir, '..') } });
  if (applied.code !== 0 || /^Skipped patch/m.test(applied.stderr)) {
    copy.dispose();
    return { error: applied.stderr.trim().split('\n')[0] || 'git apply applied nothing' };
  }
  return { copy };
}

/**
 * The visible suite and the hidden tests, each on its own fresh copy of `plugin/`
 * (patched first, when there is a patch): the spec's "applied to a fresh copy", and
 * nothing one run leaves behind is seen by the other. `hidden/` is copied as it is,
 * bytes and modes.
 */
export async function testPlugin(
  task: EvalTask,
  patch?: string,
  only?: 'hidden',
): Promise<{ applied: boolean; applyError?: string; visible?: TestOutcomes; hidden?: TestOutcomes }> {
  const env = task.spec.env ?? {};
  let visible: TestOutcomes | undefined;
  // `mutate` asks for the hidden tests alone: the visible suite would be run for nothing.
  if (only !== 'hidden') {
    const visibleCopy = await patchedCopy(task, patch);
    if ('error' in visibleCopy) return { applied: false, applyError: visibleCopy.error };
    try {
      visible = outcomes(await runPluginTests(task.manifest, visibleCopy.copy, { env }));
    } finally {
      visibleCopy.copy.dispose();
    }
  }
  const hiddenCopy = await patchedCopy(task, patch);
  if ('error' in hiddenCopy) return { applied: false, applyError: hiddenCopy.error };
  try {
    cpSync(task.hiddenDir, join(hiddenCopy.copy.dir, task.spec.hidden.into), { recursive: true, verbatimSymlinks: true });
    const hidden = outcomes(
      await runPluginTests(task.manifest, hiddenCopy.copy, {
        env,
        command: task.spec.hidden.command,
        format: task.spec.hidden.format,
        ...(task.spec.hidden.report ? { report: task.spec.hidden.report } : {}),
      }),
    );
    return { applied: true, ...(visible ? { visible } : {}), hidden };
  } finally {
    hiddenCopy.copy.dispose();
  }
}

/** The original plugin's test outcomes: what every attempt's patch is held to. */
export async function measureBaseline(task: EvalTask): Promise<Baseline> {
  const { visible, hidden } = await testPlugin(task);
  return {
    visiblePassed: visible?.passed ?? [],
    hiddenTests: [...(hidden?.passed ?? []), ...(hidden?.failed ?? [])],
    hiddenFailedOnOriginal: hidden?.failed.length ?? 0,
    warnings: [...(visible?.warnings ?? []).map((w) => `visible: ${w}`), ...(hidden?.warnings ?? []).map((w) => `hidden: ${w}`)],
  };
}

/** The file of the first frame of a Node or Python stack. */
function topFrameFile(stack: string | undefined): string | undefined {
  return (stack ?? '')
    .split('\n')
    .map((line) => /(?:\(|at |File ")([^():"]+?\.[a-z]+)(?::|", line )\d+/.exec(line)?.[1])
    .find((file): file is string => Boolean(file));
}

/**
 * Does one issue's text name the plugin, the error (its type and the start of its
 * message), the stack and how to reproduce it (eval-task.md's `issue`)? The events of
 * a group differ in their details (page 4 or page 12): any one of them may be the one shown.
 */
export function issueIsComplete(task: EvalTask, text: string): boolean {
  if (!text.includes(task.manifest.name)) return false;
  const shown = task.spec.events.some((event) => {
    // Scrubbing may blank a secret later in the message: its first words must be there.
    const opening = event.error.message.split('\n')[0]?.slice(0, 24).trim() ?? '';
    if (!text.includes(event.error.type) || (opening && !text.includes(opening))) return false;
    const frame = topFrameFile(event.error.stack);
    return !frame || text.includes(frame.split(/[\\/]/).pop() ?? frame);
  });
  if (!shown) return false;
  if (!/reproduc/i.test(text)) return false;
  // The issue shows one of the events' inputs (steward's shows the newest): any will do.
  const inputs = task.spec.events.map((e) => e.invocation?.input).filter((input): input is object => typeof input === 'object' && input !== null);
  const keyed = inputs.map((input) => Object.keys(input)).filter((keys) => keys.length > 0);
  return keyed.length === 0 || keyed.some((keys) => keys.some((key) => text.includes(`"${key}"`)));
}

function count(outcome: PipelineOutcome, kinds: readonly string[]): number {
  return eventsOf(outcome).filter((e) => kinds.includes(e.kind)).length;
}

/** What the attempt cost, over every run it made (one per error group). */
export function costsOf(outcome: PipelineOutcome, wallMs: number): Costs {
  const fromOtherFixers = eventsOf(outcome).filter((e) => e.kind === 'candidate' && (e.data as { fixer?: string }).fixer !== 'offline').length;
  return {
    wallMs,
    tokens: outcome.runs.reduce((sum, r) => sum + r.run.tokensUsed, 0),
    modelCalls: count(outcome, ['model-turn']),
    sandboxRuns: count(outcome, ['sandbox', 'candidate-tried', 'candidate', 'command-finished']),
    candidatesTried: count(outcome, ['candidate-tried']) + fromOtherFixers,
  };
}

/** eval-task.md's scores for one attempt, and the first reason it fell short. */
export async function scoreAttempt(
  task: EvalTask,
  baseline: Baseline,
  outcome: PipelineOutcome,
): Promise<{ scores: AttemptScores; reason: FailureReason | null; detail: string | null }> {
  // Each issue on its own: one issue's stack and another's plugin name are not one report.
  const issue = outcome.issues.some((i) => issueIsComplete(task, [i.title, i.body, ...i.comments.map((c) => c.body)].join('\n')));
  const events = eventsOf(outcome);
  // A reproduction that could not start (a plugin the sandbox cannot run) reproduced nothing.
  const reproduced = events.some((e) => {
    const data = e.data as { step?: string; ok?: boolean; kind?: string };
    return e.kind === 'sandbox' && data.step === 'reproduce' && data.ok === false && data.kind !== 'not-runnable';
  });
  // Proposed: published, or validated and put to a person before a timeout or a crash cut it short.
  const patch = (outcome.patch !== undefined && outcome.patch.trim() !== '') || outcome.proposals.length > 0 || events.some((e) => e.kind === 'proposal');
  const scores: AttemptScores = { issue, reproduced, patch, resolved: null, correct: null };
  // A later group's run that failed leaves the fixes before it to be scored.
  const failed = outcome.patch?.trim() ? undefined : outcome.runs.find((r) => r.run.state === 'failed')?.run;
  const crashed = failed ? `the run failed: ${failed.error ?? 'no reason recorded'}` : undefined;
  if (!task.spec.expect.fix) {
    scores.correct = false;
    // A run cut short might still have proposed a patch: it earns no credit for not having done so yet.
    if (outcome.timedOut) return { scores, reason: 'timeout', detail: null };
    if (crashed) return { scores, reason: 'crash', detail: crashed };
    if (patch) return { scores, reason: 'patch-proposed', detail: 'a patch was proposed where the right outcome is an issue alone' };
    if (!issue) return { scores, reason: 'no-issue', detail: outcome.notDispatched ?? 'no complete issue was opened' };
    scores.correct = true;
    return { scores, reason: null, detail: null };
  }
  scores.resolved = false;
  if (outcome.timedOut) return { scores, reason: 'timeout', detail: null };
  if (crashed) return { scores, reason: 'crash', detail: crashed };
  if (outcome.notDispatched) return { scores, reason: 'not-dispatched', detail: outcome.notDispatched };
  if (!reproduced && !patch) return { scores, reason: 'not-reproduced', detail: null };
  // Validated fixes that disagreed were left to a person: a candidate was found, and abstained on.
  const disagreed = events.find((e) => e.kind === 'disagreement')?.data as { fixes?: number } | undefined;
  if (!outcome.patch?.trim() && !patch && disagreed)
    return { scores, reason: 'fixes-disagree', detail: `${disagreed.fixes ?? 2} validated fixes disagreed on the failing call's answer; none was proposed` };
  if (!outcome.patch?.trim()) return { scores, reason: patch ? 'timeout' : 'no-candidate', detail: patch ? 'a proposal was made but not published' : null };
  const tested = await testPlugin(task, outcome.patch);
  if (!tested.applied || !tested.hidden || !tested.visible) return { scores, reason: 'patch-did-not-apply', detail: tested.applyError ?? null };
  const hiddenPassed = new Set(tested.hidden.passed);
  // Tests missing from the output count as failed: the original's list is the measure.
  const hiddenFailing = [...new Set([...baseline.hiddenTests, ...tested.hidden.failed])].filter((name) => !hiddenPassed.has(name));
  // A suite that exited non-zero with no failing test reported did not pass either.
  if (tested.hidden.status !== 'passed' || hiddenFailing.length > 0) {
    return { scores, reason: 'failed-hidden-tests', detail: hiddenFailing.length > 0 ? `failing: ${hiddenFailing.slice(0, 5).join('; ')}` : tested.hidden.warnings.join('; ') };
  }
  const visiblePassed = new Set(tested.visible.passed);
  const regressed = baseline.visiblePassed.filter((name) => !visiblePassed.has(name));
  if (regressed.length > 0) return { scores, reason: 'regression', detail: `no longer passing: ${regressed.slice(0, 5).join('; ')}` };
  scores.resolved = true;
  return { scores, reason: null, detail: null };
}
