import { fenced } from '../../orchestrator/core/markdown.ts';
import { conventionalTitle } from '../../orchestrator/core/title.ts';
import { createFixBranch } from '../../orchestrator/library/fix-branch.ts';
import { behaviourLines } from './behaviour/index.ts';
import type { PluginAgentDeps } from './deps.ts';
import type { PluginAgentState } from './state.ts';

export interface OpenedFix {
  branch: string;
  commit: string;
  proposal: number;
  url: string;
}

/** How the proposal is decided: by whom it was approved, or how a maintainer decides it where it lives. */
type Standing = { approvedBy: string } | { waiting: string };

/** The proposal's description: everything a reviewer needs without leaving the page. */
function proposalBody(deps: PluginAgentDeps, state: PluginAgentState, standing: Standing): string {
  const proposal = state.proposal!;
  const run = deps.run.id;
  const refusal = proposal.refuses;
  const input = state.reproduction?.request?.input;
  const reproduction = state.reproduction?.error
    ? `The captured input fails in the sandbox with \`${state.reproduction.error.type}\`: ${state.reproduction.error.message}${
        input === undefined ? '' : `\n\n<details><summary>captured input</summary>\n\n${fenced(JSON.stringify(input, null, 2), 'json')}\n</details>`
      }`
    : undefined;
  const evidence = [
    `- before: ${proposal.evidence.before}`,
    `- after: ${proposal.evidence.after}`,
    `- the suite: ${proposal.evidence.suite.passed} passed, ${proposal.evidence.suite.failed} failed (${proposal.evidence.suite.baselinePassed} passed on the original)`,
    ...behaviourLines(proposal.evidence),
  ];
  return [
    ...(refusal
      ? [
          `> **This change does not make the failing call succeed.** It refuses the call with a contract error, \`${refusal.type}: ${refusal.message}\`, instead of a crash inside the plugin. Merge it when the input is the caller's mistake; otherwise the plugin still needs a fix.`,
        ]
      : []),
    ...(reproduction ? [`## Reproduction\n\n${reproduction}`] : []),
    `## Root cause\n\n${proposal.rationale}`,
    `## Evidence\n\n${evidence.join('\n')}`,
    `## Change\n\n${proposal.stats.files} file(s), +${proposal.stats.added} −${proposal.stats.removed}, by the ${proposal.fixer} fixer (${proposal.validated} of ${proposal.tried} candidate(s) validated)\n\n${fenced(proposal.diff, 'diff')}`,
    `## Run\n\n\`${run}\` (its timeline and model cost: \`steward runs show ${run}\`). ${'approvedBy' in standing ? `Approved by ${standing.approvedBy}.` : standing.waiting}`,
  ].join('\n\n');
}

/**
 * The fix as a branch `steward/<plugin>/<group>` in the library (never a commit on the
 * main branch) and a proposal through the tracker that fixes the issue: at approval,
 * or at validation on a forge where maintainers review it (`draftsAtValidation`).
 * Made once per run: the second call returns what the first made.
 */
export async function openFix(deps: PluginAgentDeps, state: PluginAgentState, standing: Standing): Promise<OpenedFix> {
  const { proposal, issue } = state;
  if (!proposal || !issue) throw new Error('a fix proposal needs a validated fix and its issue');
  const run = deps.run.id;
  const refusal = proposal.refuses;
  const subject = conventionalTitle('fix', state.plugin, refusal ? `refuse the call with ${refusal.type}: ${refusal.message}` : proposal.rationale);
  const made = await deps.once(`branch:${run}`, () =>
    createFixBranch(
      deps.library,
      state.plugin,
      `steward/${state.plugin}/${state.group.slice(0, 12)}`,
      proposal.files,
      `${subject}\n\nFixes #${issue.number}. Run ${run}.`,
      proposal.base,
    ),
  );
  const { proposal: opened } = await deps.once(`proposal:${run}`, () =>
    deps.tracker.openProposal({
      issue: issue.number,
      fingerprint: state.group,
      plugin: state.plugin,
      branch: made.branch,
      title: subject,
      body: proposalBody(deps, state, standing),
      run,
    }),
  );
  return { branch: made.branch, commit: made.commit, proposal: opened.number, url: opened.url };
}
