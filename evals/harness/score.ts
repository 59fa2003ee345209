import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gitRaw } from '../../orchestrator/library/git/run.ts';
import { runPluginTests, type PluginTestRun } from '../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import type { PipelineOutcome } from './pipeline.ts';
import type { AttemptScores, Baseline, Costs, FailureReason } from './results.ts';
import type { EvalTask } from './task.ts';

/** Every file under `dir`, by its path relative to it. */
function filesUnder(dir: string, root = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, filesUnder(path, root));
    else if (entry.isFile()) out[relative(root, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

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

/** The visible suite and the hidden tests on a copy of `plugin/`, optionally patched first. */
export async function testPlugin(task: EvalTask, patch?: string): Promise<{ applied: boolean; applyError?: string; visible?: TestOutcomes; hidden?: TestOutcomes }> {
  const copy = createWorkingCopy(task.pluginDir);
  try {
    if (patch) {
      const file = join(copy.dir, '..', 'fix.patch');
      writeFileSync(file, patch);
      const applied = await gitRaw(copy.dir, ['apply', '--whitespace=nowarn', file]);
      if (applied.code !== 0) return { applied: false, applyError: applied.stderr.trim().split('\n')[0] ?? 'git apply failed' };
    }
    const env = task.spec.env ?? {};
    const visible = outcomes(await runPluginTests(task.manifest, copy, { env }));
    const hidden = outcomes(
      await runPluginTests(task.manifest, copy, {
        env,
        command: task.spec.hidden.command,
        format: task.spec.hidden.format,
        ...(task.spec.hidden.report ? { report: task.spec.hidden.report } : {}),
        extraFiles: Object.fromEntries(Object.entries(filesUnder(task.hiddenDir)).map(([path, text]) => [join(task.spec.hidden.into, path), text])),
      }),
    );
    return { applied: true, visible, hidden };
  } finally {
    copy.dispose();
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

/** Does the text name the plugin, the error, the stack and how to reproduce it (eval-task.md's `issue`)? */
export function issueIsComplete(task: EvalTask, text: string): boolean {
  const event = task.spec.events[0];
  if (!event || !text.includes(task.manifest.name) || !text.includes(event.error.type)) return false;
  const frame = (event.error.stack ?? '')
    .split('\n')
    .map((line) => /(?:\(|at |File ")([^():"]+?\.[a-z]+)(?::|", line )\d+/.exec(line)?.[1])
    .find((file): file is string => Boolean(file));
  if (frame && !text.includes(frame.split(/[\\/]/).pop() ?? frame)) return false;
  if (!/reproduc/i.test(text)) return false;
  // The issue shows one of the events' inputs (steward's shows the newest): any will do.
  const inputs = task.spec.events.map((e) => e.invocation?.input).filter((input): input is object => typeof input === 'object' && input !== null);
  const keyed = inputs.map((input) => Object.keys(input)).filter((keys) => keys.length > 0);
  return keyed.length === 0 || keyed.some((keys) => keys.some((key) => text.includes(`"${key}"`)));
}

function count(outcome: PipelineOutcome, kinds: readonly string[]): number {
  return outcome.events.filter((e) => kinds.includes(e.kind)).length;
}

export function costsOf(outcome: PipelineOutcome, wallMs: number): Costs {
  const fromOtherFixers = outcome.events.filter((e) => e.kind === 'candidate' && (e.data as { fixer?: string }).fixer !== 'offline').length;
  return {
    wallMs,
    tokens: outcome.run?.tokensUsed ?? 0,
    modelCalls: count(outcome, ['model-turn']),
    sandboxRuns: count(outcome, ['sandbox', 'candidate-tried', 'candidate', 'command-finished']),
    candidatesTried: count(outcome, ['candidate-tried']) + fromOtherFixers,
  };
}

/** eval-task.md's scores for one attempt, and the first reason it fell short. */
export async function scoreAttempt(task: EvalTask, baseline: Baseline, outcome: PipelineOutcome): Promise<{ scores: AttemptScores; reason: FailureReason | null; detail: string | null }> {
  const issueText = outcome.issues.map((i) => [i.title, i.body, ...i.comments.map((c) => c.body)].join('\n')).join('\n');
  const issue = outcome.issues.length > 0 && issueIsComplete(task, issueText);
  const reproduced = outcome.events.some((e) => e.kind === 'sandbox' && (e.data as { step?: string; ok?: boolean }).step === 'reproduce' && (e.data as { ok?: boolean }).ok === false);
  const patch = outcome.patch !== undefined && outcome.patch.trim() !== '';
  const scores: AttemptScores = { issue, reproduced, patch, resolved: null, correct: null };
  const crashed = outcome.run?.state === 'failed' ? `the run failed: ${outcome.run.error ?? 'no reason recorded'}` : undefined;
  if (!task.spec.expect.fix) {
    scores.correct = outcome.issues.length > 0 && issue && !patch;
    if (scores.correct) return { scores, reason: null, detail: null };
    if (outcome.timedOut) return { scores, reason: 'timeout', detail: null };
    if (patch) return { scores, reason: 'patch-proposed', detail: 'a patch was proposed where the right outcome is an issue alone' };
    return { scores, reason: crashed ? 'crash' : 'no-issue', detail: crashed ?? (outcome.notDispatched ?? 'no complete issue was opened') };
  }
  scores.resolved = false;
  if (outcome.timedOut) return { scores, reason: 'timeout', detail: null };
  if (crashed) return { scores, reason: 'crash', detail: crashed };
  if (outcome.notDispatched) return { scores, reason: 'not-dispatched', detail: outcome.notDispatched };
  if (!reproduced && !patch) return { scores, reason: 'not-reproduced', detail: null };
  if (!patch) return { scores, reason: 'no-candidate', detail: null };
  const tested = await testPlugin(task, outcome.patch);
  if (!tested.applied || !tested.hidden || !tested.visible) return { scores, reason: 'patch-did-not-apply', detail: tested.applyError ?? null };
  const hiddenPassed = new Set(tested.hidden.passed);
  // Tests missing from the output count as failed: the original's list is the measure.
  const hiddenFailing = [...new Set([...baseline.hiddenTests, ...tested.hidden.failed])].filter((name) => !hiddenPassed.has(name));
  if (tested.hidden.status === 'error' || hiddenFailing.length > 0) {
    return { scores, reason: 'failed-hidden-tests', detail: hiddenFailing.length > 0 ? `failing: ${hiddenFailing.slice(0, 5).join('; ')}` : tested.hidden.warnings.join('; ') };
  }
  const visiblePassed = new Set(tested.visible.passed);
  const regressed = baseline.visiblePassed.filter((name) => !visiblePassed.has(name));
  if (regressed.length > 0) return { scores, reason: 'regression', detail: `no longer passing: ${regressed.slice(0, 5).join('; ')}` };
  scores.resolved = true;
  return { scores, reason: null, detail: null };
}
