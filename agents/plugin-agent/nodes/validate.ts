import { messageOf } from '../../../orchestrator/core/errors.ts';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../../../orchestrator/library/git/run.ts';
import type { loadManifest } from '../../../orchestrator/library/manifest.ts';
import { runPluginTests, type PluginTestRun } from '../../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import { normalPath, Workspace } from '../../fixers/workspace.ts';
import { refusalsLast } from '../../fixers/types.ts';
import { pluginUnderFix, whyNotHeld, type Held } from '../checks.ts';
import type { PluginAgentDeps } from '../deps.ts';
import { ALWAYS_PROTECTED, globMatcher, isTestFile } from '../policy.ts';
import type { PluginAgentState } from '../state.ts';

type Proposal = NonNullable<PluginAgentState['proposal']>;

/**
 * Each candidate in a fresh working copy: inside the plugin and the policy (changed
 * lines, protected paths, no test touched), the reproduction passes, and no test that
 * passed on the original fails. Never the fixer's own verdict. The smallest one that
 * holds is the proposal.
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
    const accepted: Proposal[] = [];
    const rejected: { fixer: string; reason: string }[] = [];
    const candidates = state.candidates ?? [];
    const request = reproduction.request;
    // Measured on the original by propose; the verdicts below are validate's own.
    const others = (state.held ?? []) as Held[];
    for (const candidate of candidates) {
      const ws = new Workspace(dir, manifest.limits.diskMb);
      try {
        const reject = (reason: string): void => {
          rejected.push({ fixer: candidate.fixer, reason });
          deps.emit('candidate', { fixer: candidate.fixer, verdict: 'rejected', reason });
        };
        const problem = policyProblem(dir, candidate.files, protectedPath);
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
        const refusal = candidate.refuses;
        // A refusal holds when the call now ends in exactly its contract error; the held inputs as `whyNotHeld` says.
        const why = await whyNotHeld(manifest, ws.copy, request, others, env, deps.signal, refusal);
        if (why) {
          reject(why);
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
        deps.emit('candidate', { fixer: candidate.fixer, verdict: 'validated', changed });
        accepted.push({
          fixer: candidate.fixer,
          rationale: candidate.rationale,
          files: candidate.files,
          diff,
          stats: { files: stats.length, added: stats.reduce((n, s) => n + s.added, 0), removed: stats.reduce((n, s) => n + s.removed, 0) },
          evidence: {
            before: `the reproduction fails on the original: ${reproduction.error?.type ?? '?'}: ${reproduction.error?.message ?? ''}`.slice(0, 500),
            after: refusal
              ? `the reproduction is refused with ${refusal.type}: ${refusal.message}, a contract error that names what is missing, instead of the crash`
              : `the reproduction passes: no error, and the output matches interface.output${others.length > 0 ? `; so do the group's ${others.length} other captured input(s)` : ''}`,
            suite: { passed: after.summary.passed, failed: after.summary.failed, baselinePassed: passedBefore.size },
          },
          validated: 0,
          tried: candidates.length,
          ...(refusal ? { refuses: refusal } : {}),
        });
      } finally {
        ws.dispose();
      }
    }
    // A change that makes the call succeed beats one that refuses it, whatever their sizes.
    accepted.sort((a, b) => refusalsLast(a, b) || a.stats.added + a.stats.removed - (b.stats.added + b.stats.removed));
    const best = accepted[0];
    return { rejected, ...(best ? { proposal: { ...best, base, validated: accepted.length } } : {}) };
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

async function suite(deps: PluginAgentDeps, dir: string, manifest: ReturnType<typeof loadManifest>): Promise<PluginTestRun> {
  const copy = createWorkingCopy(dir, { quotaMb: manifest.limits.diskMb });
  try {
    return await runPluginTests(manifest, copy, { signal: deps.signal });
  } finally {
    copy.dispose();
  }
}
