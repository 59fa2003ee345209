import { messageOf } from '../../../orchestrator/core/errors.ts';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../../../orchestrator/library/git/run.ts';
import type { loadManifest } from '../../../orchestrator/library/manifest.ts';
import { runPluginTests, type PluginTestRun } from '../../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy, type WorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import { normalPath, Workspace } from '../../fixers/workspace.ts';
import { refusalsLast } from '../../fixers/types.ts';
import { BehaviourOracle } from '../behaviour/index.ts';
import { outputComparer } from '../behaviour/same-output.ts';
import { disagreeing } from '../disagreement.ts';
import { callCoverage, checkCall, pluginUnderFix, suiteCoverage, whyNotHeld, type Held } from '../checks.ts';
import { findRegressionTest, planRegressionTest, regressionTestFiles } from '../test-writer/index.ts';
import { addCoverage } from '../../fixers/offline/spectrum.ts';
import { silencing } from '../silencing/index.ts';
import { describeSwitchedOff, switchedOff, unreached } from '../silencing/switched-off.ts';
import { changedConditions, constantConditions, onlyNamesChanged, type ChangedCondition } from '../silencing/constant-condition.ts';
import type { PluginAgentDeps } from '../deps.ts';
import { ALWAYS_PROTECTED, globMatcher, isTestFile } from '../policy.ts';
import type { PluginAgentState } from '../state.ts';

type Proposal = NonNullable<PluginAgentState['proposal']>;

/** A validated candidate, with what it is ranked on: the silencing checks' rank, outputs it changes, and the lines it changes (the regression test not counted). */
interface Ranked {
  proposal: Proposal;
  template: string | undefined;
  silencing: number;
  changes: number;
  size: number;
  /** What the failing call returns with it (a fix, not a refusal), when that could be read. */
  answer?: { output: unknown } | undefined;
}

const sizeOf = (stats: { added: number; removed: number }[]): Proposal['stats'] => ({
  files: stats.length,
  added: stats.reduce((n, s) => n + s.added, 0),
  removed: stats.reduce((n, s) => n + s.removed, 0),
});

/** A candidate may not write the files the regression test adds or hooks into: they are steward's. */
function touchesTest(files: Record<string, string | null>, test: Record<string, string>): string | undefined {
  const path = Object.keys(files).find((p) => p in test);
  return path ? `it changes ${path}, where the regression test goes` : undefined;
}

/**
 * Each candidate in a fresh working copy: inside the plugin and the policy (changed
 * lines, protected paths, no test touched), not a change that only hides the failure,
 * the reproduction passes, no test that passed on the original fails, and no recorded
 * production success or generated input the original handled now fails. Never the
 * fixer's own verdict. Of those that hold, a clean change that makes the call succeed
 * comes first, then a refusal, then one the silencing checks warn of; within each, the
 * one that changes fewest outputs, then the smallest.
 */
export function validate(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const { context, reproduction } = state;
    if (!context || !reproduction?.request) throw new Error('validate before a reproduction');
    const { dir, manifest, env } = pluginUnderFix(deps.library, state.plugin, deps.env);
    const protectedPath = [...ALWAYS_PROTECTED, ...context.playbook.protectedPaths].map(globMatcher);
    const base = (await git(deps.library.root, ['rev-parse', '--verify', '--end-of-options', 'HEAD^{commit}'])).trim();
    const baseline = await suite(deps, dir, manifest);
    const passedBefore = new Set(baseline.tests.filter((t) => t.outcome === 'pass').map((t) => t.name));
    const accepted: Ranked[] = [];
    // An earlier search round's rejections and refuted rivals still stand.
    const rejected: { fixer: string; reason: string }[] = [...(state.rejected ?? [])];
    /** Candidates that passed the reproduction and the suite and were refuted on other inputs, with their answer to the failing call. */
    const refuted: NonNullable<PluginAgentState['refuted']> = [...(state.refuted ?? [])];
    const candidates = state.candidates ?? [];
    const request = reproduction.request;
    // Measured on the original by propose; the verdicts below are validate's own.
    const others = (state.held ?? []) as Held[];
    const oracle = new BehaviourOracle({
      manifest,
      dir,
      env,
      signal: deps.signal,
      traffic: context.traffic,
      captured: [request.input, ...others.map((o) => o.call.input)],
      fault: reproduction.error,
      generated: context.playbook.generatedInputs,
      maxChangedShare: context.playbook.maxChangedOutputShare,
    });
    const regression = state.regressionTest?.path ? state.regressionTest : undefined;
    // Several candidates often refuse with the same contract error: one plan each.
    const refusalTests = new Map<string, { files: Record<string, string>; name: string } | undefined>();
    /** The regression test that goes with a candidate: the issue's, or for a refusal, one that expects exactly its error. */
    const testFor = (candidate: (typeof candidates)[number]): { files: Record<string, string>; name: string } | undefined => {
      if (!regression?.path || !regression.text || !regression.name) return undefined;
      if (!candidate.refuses)
        return { files: { [regression.path]: regression.text, ...(regression.hook ? { [regression.hook.path]: regression.hook.text } : {}) }, name: regression.name };
      const key = JSON.stringify([candidate.refuses.type, candidate.refuses.message]);
      if (!refusalTests.has(key)) {
        const plan = planRegressionTest({
          dir,
          manifest,
          input: request.input,
          error: reproduction.error ?? candidate.refuses,
          group: state.group,
          env,
          refusal: candidate.refuses,
        });
        refusalTests.set(key, plan.ok ? { files: regressionTestFiles(plan.test), name: plan.test.name } : undefined);
      }
      return refusalTests.get(key);
    };
    // The road the failing call took on the original, taken once, when a candidate first needs it.
    let original: ReturnType<typeof callCoverage> | undefined;
    const roadOnOriginal = (): ReturnType<typeof callCoverage> =>
      (original ??= (async () => {
        const copy = createWorkingCopy(dir, { quotaMb: manifest.limits.diskMb });
        try {
          return await callCoverage(manifest, copy, request, env, deps.signal);
        } finally {
          copy.dispose();
        }
      })());
    /** Why a candidate only cuts the road to the failure, or undefined where it does not (or coverage cannot tell). */
    type Road = () => ReturnType<typeof callCoverage>;
    const switchedOffBy = async (texts: Texts, road: Road): Promise<string | undefined> => {
      const before = await roadOnOriginal();
      if (!before) return undefined;
      const after = await road();
      // The candidate's call passed just before: failing now (a timeout under load) it ran only part of its road.
      if (!after?.ok) return undefined;
      const stack = [...before.frames, ...context.frames];
      // A changed branch condition may rightly send the failing call another way: whether it
      // still tells inputs apart is for the constant-condition check; deletions count still.
      const branching = conditionsOf(texts).some(({ conditions }) => conditions.some((c) => c.kind === 'branch'));
      return describeSwitchedOff(switchedOff(before.lines, after.lines, texts, stack, { deletionsOnly: branching })) || undefined;
    };
    /** The suite's coverage of the candidate's code without the regression test: what any input but the failing call reaches. */
    const withoutRegressionTest = async (files: Record<string, string | null>): Promise<Awaited<ReturnType<typeof suiteCoverage>>> => {
      const alone = new Workspace(dir, manifest.limits.diskMb);
      try {
        alone.apply(files);
        return await suiteCoverage(manifest, alone.copy, deps.signal);
      } finally {
        alone.dispose();
      }
    };
    /** Why a changed condition goes one way only over the suite and the failing call, from the suite's coverage in the candidate's copy. */
    const constantBy = async (texts: Texts, copy: WorkingCopy, road: Road | undefined, files: Record<string, string | null>): Promise<string | undefined> => {
      const changed = conditionsOf(texts).filter(({ conditions }) => conditions.length > 0);
      if (changed.length === 0) return undefined;
      const ran = await suiteCoverage(manifest, copy, deps.signal);
      if (!ran) return undefined;
      // With no regression test in the suite (none could be written), the failing call's own road is added: it is a known input too.
      const call = road ? await road() : undefined;
      if (road && !call?.ok) return undefined;
      const suite = road ? new Map([...ran].map(([file, lines]) => [file, new Set(lines)])) : undefined;
      addCoverage(ran, call?.lines ?? []);
      const oneWay = changed.flatMap(({ file, conditions }) =>
        conditions.flatMap((c) => constantConditions(file, [c], ran.get(file) ?? new Set()).map((reason) => ({ file, c, reason }))),
      );
      // One way over one input is no evidence where the change only renamed what the condition
      // reads (its operators, and so its sense, kept): a condition nothing but the failing call
      // reaches then says nothing, as one that never ran. A flipped or widened one still does.
      const renamed = oneWay.filter(({ file, c }) => onlyNamesChanged(texts.get(file), c.line));
      const others = renamed.length > 0 ? (suite ?? (await withoutRegressionTest(files))) : undefined;
      const unseen = new Set(renamed.filter(({ file, c }) => others && !others.get(file)?.has(c.line)));
      const reasons = oneWay.filter((r) => !unseen.has(r)).map((r) => r.reason);
      if (reasons.length > 0) return `it turns code off for every known input: ${reasons.slice(0, 2).join('; ')}`;
      // A changed branch may send the failing call another way (switchedOffBy lets it), but
      // not past work that no known input reaches any more: the branch then decides nothing.
      if (!changed.some(({ conditions }) => conditions.some((c) => c.kind === 'branch'))) return undefined;
      const before = await roadOnOriginal();
      if (!before) return undefined;
      const probes = (await oracle.probes()).slice(0, PROBES);
      // No input but the suite's and the failing call's: nothing to tell a sparse suite from a branch that decides nothing.
      if (probes.length === 0) return undefined;
      const cover = async (input: unknown) => (await callCoverage(manifest, copy, { ...request, input }, env, deps.signal))?.lines;
      const lost = await unreached(before.lines, ran, texts, [...before.frames, ...context.frames], probes, cover);
      return lost.length > 0
        ? `${describeSwitchedOff(lost, 'for any known input (the tests, the failing call, recorded and generated inputs)')}: the changed condition routes them all around it`
        : undefined;
    };
    for (const candidate of candidates) {
      const ws = new Workspace(dir, manifest.limits.diskMb);
      try {
        const reject = (reason: string): void => {
          rejected.push({ fixer: candidate.fixer, reason });
          deps.emit('candidate', { fixer: candidate.fixer, verdict: 'rejected', reason });
        };
        const test = testFor(candidate);
        const problem = policyProblem(dir, candidate.files, protectedPath) ?? (test ? touchesTest(candidate.files, test.files) : undefined);
        if (problem) {
          reject(problem);
          continue;
        }
        try {
          ws.apply(candidate.files);
        } catch (error) {
          reject(messageOf(error));
          continue;
        }
        // The diff and its size are taken now, before the candidate's code runs in this copy.
        const stats = ws.stats();
        const diff = ws.diff();
        const changed = stats.reduce((n, s) => n + s.added + s.removed, 0);
        if (stats.length === 0) {
          reject('it changes nothing');
          continue;
        }
        if (changed > context.playbook.maxChangedLines) {
          reject(`${changed} changed lines, over the playbook's maxChangedLines (${context.playbook.maxChangedLines})`);
          continue;
        }
        // The original's texts are read once per candidate, for the silencing and both coverage checks.
        const texts = textsOf(dir, candidate.files);
        const hidden = silencing(
          diff,
          [...texts].map(([file, { before, after }]) => ({ file, before, after })),
          reproduction.error,
        );
        if (hidden.reject) {
          reject(`it only hides the failure: ${hidden.reject}`);
          continue;
        }
        // The patch as published, regression test included, is also taken before any code runs here.
        let published = { diff, stats };
        if (test) {
          try {
            ws.apply(test.files);
          } catch (error) {
            reject(`the regression test could not be added: ${messageOf(error)}`);
            continue;
          }
          published = { diff: ws.diff(), stats: ws.stats() };
        }
        const refusal = candidate.refuses;
        /** What the candidate makes the failing call return; a refusal's answer is its contract error, nothing to compare. */
        const answerOf = async (copy: WorkingCopy) => (refusal ? undefined : checkCall(manifest, copy, request, env, deps.signal));
        // A refusal holds when the call now ends in exactly its contract error; the held inputs as `whyNotHeld` says.
        const why = await whyNotHeld(manifest, ws.copy, request, others, env, deps.signal, refusal);
        if (why) {
          reject(why);
          continue;
        }
        // The failing call's road on this candidate, taken once for both coverage checks.
        let taken: ReturnType<typeof callCoverage> | undefined;
        const road: Road = () => (taken ??= callCoverage(manifest, ws.copy, request, env, deps.signal));
        const cut = refusal ? undefined : await switchedOffBy(texts, road);
        if (cut) {
          reject(cut);
          continue;
        }
        const after = await runPluginTests(manifest, ws.copy, { signal: deps.signal });
        const passedAfter = new Set(after.tests.filter((t) => t.outcome === 'pass').map((t) => t.name));
        const broken = [...passedBefore].filter((name) => !passedAfter.has(name));
        if (after.status === 'error') {
          reject(`the suite did not finish: ${after.warnings.join('; ')}`);
          continue;
        }
        if (broken.length > 0) {
          reject(`regression: ${broken.slice(0, 3).join(', ')} passed before and does not now`);
          continue;
        }
        const own = test ? findRegressionTest(after.tests, test.name) : undefined;
        if (test && own?.outcome !== 'pass') {
          reject(`the regression test of the production error does not pass with it: ${own ? `${own.outcome}: ${(own.failure ?? '').slice(0, 200)}` : 'it did not run'}`);
          continue;
        }
        const behaviour = await oracle.judge(ws.copy, refusal);
        if (behaviour.reject) {
          reject(behaviour.reject);
          // It passed the reproduction and the suite: what it answers the failing call says how far those pin the answer down.
          // An answer of a kind the plugin never gives is no rival answer: it is refuted by what it answers, not elsewhere.
          // Nor is one that still fails with the production error: like a switched-off path, it steered the call around the fault.
          if (behaviour.implausible || behaviour.faultRemains) continue;
          const answeredRefuted = await answerOf(ws.copy);
          if (answeredRefuted?.ok)
            refuted.push({ fixer: candidate.fixer, rationale: candidate.rationale, diff, why: behaviour.reject, answer: { output: answeredRefuted.output } });
          continue;
        }
        const constant = refusal ? undefined : await constantBy(texts, ws.copy, test ? undefined : road, candidate.files);
        if (constant) {
          reject(constant);
          continue;
        }
        // What the fix makes the failing call return: validated fixes that disagree on it are a guess.
        const answered = await answerOf(ws.copy);
        deps.emit('candidate', {
          fixer: candidate.fixer,
          template: candidate.template ?? null,
          verdict: 'validated',
          changed,
          outputsChanged: behaviour.changes,
          warnings: hidden.warnings,
        });
        const proposal: Proposal = {
          fixer: candidate.fixer,
          rationale: candidate.rationale,
          files: { ...candidate.files, ...test?.files },
          diff: published.diff,
          stats: sizeOf(published.stats),
          evidence: {
            before: `the reproduction fails on the original: ${reproduction.error?.type ?? '?'}: ${reproduction.error?.message ?? ''}`.slice(0, 500),
            after: refusal
              ? `the reproduction is refused with ${refusal.type}: ${refusal.message}, a contract error that names what is missing, instead of the crash`
              : `the reproduction passes: no error, and the output matches interface.output${others.length > 0 ? `; so do the group's ${others.length} other captured input(s)` : ''}`,
            suite: { passed: after.summary.passed, failed: after.summary.failed, baselinePassed: passedBefore.size },
            behaviour: behaviour.report,
            warnings: hidden.warnings,
          },
          validated: 0,
          tried: candidates.length,
          others: [],
          ...(refusal ? { refuses: refusal } : {}),
        };
        accepted.push({
          proposal,
          template: candidate.template,
          silencing: hidden.rank,
          changes: behaviour.changes,
          size: changed,
          ...(answered?.ok ? { answer: { output: answered.output } } : {}),
        });
      } finally {
        ws.dispose();
      }
    }
    accepted.sort((a, b) => a.silencing - b.silencing || refusalsLast(a.proposal, b.proposal) || a.changes - b.changes || a.size - b.size);
    const best = accepted[0];
    if (!best) return { rejected, refuted };
    // Only rivals the evidence ranks as high as the best: the size of a change is a tie-break, not evidence.
    const tied = accepted.filter((r) => r.silencing === best.silencing && !refusalsLast(r.proposal, best.proposal) && r.changes === best.changes);
    const same = outputComparer(manifest.interface.ignoreOutputFields);
    const disagreement = disagreeing(tied, same);
    // A rival the reproduction and the suite let through answered otherwise: only other
    // inputs told it apart, so those checks do not pin the failing call's answer down,
    // and the best fix's answer is no surer than the rival's was.
    const contested = best.answer && !best.proposal.refuses ? refuted.filter((r) => !same(r.answer.output, best.answer?.output)) : [];
    if (disagreement.length >= 2 || contested.length > 0) {
      const fixes = disagreement.length >= 2 ? disagreement : [best];
      deps.emit('disagreement', { fixes: fixes.length + contested.length, validated: accepted.length, refuted: contested.length });
      return {
        rejected,
        disagreement: [
          ...fixes.slice(0, 3).map((r) => ({
            fixer: r.proposal.fixer,
            rationale: r.proposal.rationale,
            output: JSON.stringify(r.answer?.output ?? null).slice(0, 300),
            diff: r.proposal.diff,
          })),
          ...contested
            .slice(0, 2)
            .map((r) => ({ fixer: r.fixer, rationale: r.rationale, output: JSON.stringify(r.answer.output ?? null).slice(0, 300), diff: r.diff, refuted: r.why.slice(0, 300) })),
        ],
      };
    }
    deps.emit('chosen', {
      fixer: best.proposal.fixer,
      template: best.template ?? null,
      outputsChanged: best.changes,
      changedLines: best.size,
      warnings: best.proposal.evidence.warnings.length,
    });
    const runnersUp = accepted.slice(1, 4).map(({ proposal, changes }) => ({
      fixer: proposal.fixer,
      rationale: proposal.rationale,
      diff: proposal.diff,
      outputsChanged: changes,
      warnings: proposal.evidence.warnings,
      ...(proposal.refuses ? { refuses: proposal.refuses } : {}),
    }));
    return { rejected, proposal: { ...best.proposal, base, validated: accepted.length, others: runnersUp } };
  };
}

/**
 * The policy on the files a candidate would publish (not on what git shows of them):
 * normal paths only, nothing protected, no test, no file that is not a regular file
 * in the plugin (a symlink, say, which a text would turn into something else).
 */
function policyProblem(dir: string, files: Record<string, string | null>, protectedPath: ((path: string) => boolean)[]): string | undefined {
  for (const path of Object.keys(files)) {
    try {
      normalPath(path);
    } catch (error) {
      return messageOf(error);
    }
    if (protectedPath.some((matches) => matches(path))) return `it changes the protected path ${path}`;
    if (isTestFile(path)) return `it changes the test ${path}: a fix may not delete or weaken tests`;
    let stat;
    try {
      stat = lstatSync(join(dir, path));
    } catch {
      continue; // A new file.
    }
    if (!stat.isFile()) return `${path} is not a regular file in the plugin: a fix may not change what kind of file it is`;
  }
  return undefined;
}

type Texts = Map<string, { before: string; after: string | null }>;

/** How many recorded or generated inputs may show that a changed branch still leads to the work it guards: each is a sandboxed call. */
const PROBES = 8;

/** Each changed file's original and new text. */
function textsOf(dir: string, files: Record<string, string | null>): Texts {
  return new Map(Object.entries(files).map(([path, text]) => [path, { before: readOriginal(dir, path), after: text }]));
}

/** The conditions each changed source file's change wrote. */
function conditionsOf(texts: Texts): { file: string; conditions: ChangedCondition[] }[] {
  return [...texts].flatMap(([file, { before, after }]) =>
    after === null || !SOURCE.test(file) ? [] : [{ file, conditions: changedConditions(before, after, file.endsWith('.py')) }],
  );
}

const SOURCE = /\.(py|[cm]?[jt]sx?)$/;

/** A file of the plugin as it is, or '' for one a candidate adds. */
function readOriginal(dir: string, path: string): string {
  try {
    return readFileSync(join(dir, path), 'utf8');
  } catch {
    return '';
  }
}

async function suite(deps: PluginAgentDeps, dir: string, manifest: ReturnType<typeof loadManifest>): Promise<PluginTestRun> {
  const copy = createWorkingCopy(dir, { quotaMb: manifest.limits.diskMb });
  try {
    return await runPluginTests(manifest, copy, { signal: deps.signal });
  } finally {
    copy.dispose();
  }
}
