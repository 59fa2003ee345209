import type { Attempt, Rate, Results } from '../results.ts';
import { mdTable } from './md-blocks.ts';
import { attemptOf, OVERFIT_MEANING, patchFileOf, precisionLine, readableOf } from './overfits.ts';

export const percent = (value: number): string => `${Math.round(value * 100)}%`;

/** "7/8 88% (53–98%)": the count, the rate and its 95% Wilson interval. */
export function describeRate(rate: Rate): string {
  return `${rate.successes}/${rate.attempts} ${percent(rate.rate)} (${percent(rate.low)}–${percent(rate.high)})`;
}

export function outcomeOf(attempt: Attempt): string {
  if (attempt.success) return attempt.expectFix ? 'resolved' : 'correct';
  return attempt.reason ?? 'failed';
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The rows of the per-tier table, as the CLI prints it and report.md holds it. */
export function tierRows(results: Results): string[][] {
  return Object.entries(results.summary.byTier).map(([tier, rate]) => [`tier ${tier}`, describeRate(rate)]);
}

const link = (path: string): string => `[${path}](${encodeURI(path)})`;

/** What each operator family or template yielded: where the fixer's budget pays. */
function familySection(results: Results): string[] {
  const families = Object.entries(results.summary.families);
  if (families.length === 0) return [];
  return [
    '## Operator families',
    '',
    'Candidates the search tried, passed its own check, steward validated, proposed, and resolved (the proposal passed the hidden tests).',
    '',
    mdTable(
      ['family', 'tried', 'passed', 'validated', 'proposed', 'resolved'],
      families.map(([name, f]) => [name, String(f.tried), String(f.passed), String(f.validated), String(f.proposed), String(f.resolved)]),
    ),
    '',
  ];
}

/** The overfits first: the proposals a reviewer would most likely approve wrongly. */
function overfitSection(results: Results): string[] {
  const { overfits } = results.summary;
  const head = [`## Overfit patches: ${overfits.length || 'none'}`, '', `- ${precisionLine(results)}`];
  if (overfits.length === 0) return [...head, '- no proposed patch failed the hidden tests', ''];
  const rows = overfits.map((o) => {
    const patch = o.trajectory && attemptOf(results, o.task, o.repeat)?.patch ? link(patchFileOf(o.trajectory)) : 'in results.json';
    return [o.task, String(o.repeat), o.fixer, (o.detail ?? '').slice(0, 160), o.trajectory ? link(readableOf(o.trajectory)) : '-', patch];
  });
  return [...head, '', OVERFIT_MEANING, '', mdTable(['task', 'repeat', 'fixer', 'hidden tests', 'trajectory', 'patch'], rows), ''];
}

/** report.md: what a maintainer reads before and after a playbook change. */
export function renderMarkdown(results: Results): string {
  const { config, summary } = results;
  const lines = [
    `# Eval: ${config.suite.name}`,
    '',
    ...overfitSection(results),
    '## Run',
    '',
    `${config.suite.description}`.trim(),
    '',
    `- fixer \`${config.fixer}\`${config.model ? `, model \`${config.model}\`` : ''}; playbook \`${config.playbook.name}\` ${config.playbook.version} (hash \`${config.playbook.hash}\`)`,
    `- ${results.tasks.length} tasks × ${config.repeat} repeat(s) = ${results.attempts.length} attempts; concurrency ${results.concurrency}; wall ${seconds(results.wallMs)}`,
    `- **success ${describeRate(summary.overall)}** (95% Wilson intervals throughout); ${precisionLine(results)}`,
    '',
    '## By tier',
    '',
    mdTable(['tier', 'success'], tierRows(results)),
    '',
    '## By category',
    '',
    mdTable(
      ['category', 'success'],
      Object.entries(summary.byCategory).map(([category, rate]) => [category, describeRate(rate)]),
    ),
    '',
    '## Costs',
    '',
    `- median wall time per attempt ${seconds(summary.costs.medianWallMs)}; to a resolved fix ${summary.costs.medianWallMsToFix === null ? '-' : seconds(summary.costs.medianWallMsToFix)}`,
    `- ${summary.costs.candidatesTried} candidates tried (${summary.costs.candidatesPerMinute} a minute of attempt time), ${summary.costs.sandboxRuns} sandbox runs`,
    `- ${summary.costs.tokens} model tokens in ${summary.costs.modelCalls} calls`,
    '',
    ...familySection(results),
    '## Attempts',
    '',
    mdTable(
      ['task', 'tier', 'category', 'repeat', 'outcome', 'issue', 'reproduced', 'patch', 'wall', 'candidates', 'trajectory', 'detail'],
      results.attempts.map((a) => [
        a.task,
        String(a.tier),
        a.category,
        String(a.repeat),
        outcomeOf(a),
        a.scores.issue ? 'yes' : 'no',
        a.scores.reproduced ? 'yes' : 'no',
        a.scores.patch ? 'yes' : 'no',
        seconds(a.costs.wallMs),
        String(a.costs.candidatesTried),
        a.trajectory ? readableOf(a.trajectory) : '-',
        (a.detail ?? '').slice(0, 120),
      ]),
    ),
    '',
  ];
  if (summary.flaky.length > 0) lines.push('## Flaky', '', `Outcomes differ between repeats: ${summary.flaky.join(', ')}.`, '');
  const warned = taskWarnings(results, 'its hidden tests pass on the original plugin: they cannot tell a fix from none');
  if (warned.length > 0) lines.push('## Task warnings', '', ...warned.map((t) => `- \`${t.id}\`: ${t.notes.join('; ')}`), '');
  lines.push(
    "Patches are in results.json (`attempts[].patch`) and beside each trajectory (`.patch`), relative to the plugin root: `git apply` one to a copy of the task's `plugin/` to re-check it. Each attempt's trajectory (the issue, the reproduction, the suspects, every candidate and its verdict, the evidence, the patch) is the `.md` named above, with its `.json` beside it.",
    '',
  );
  return lines.join('\n');
}

/** Tasks whose baseline says they may not measure what they claim, and why (`hiddenNote` when the hidden tests pass on the original). */
export function taskWarnings(results: Results, hiddenNote: string): { id: string; notes: string[] }[] {
  return results.tasks
    .map((t) => ({ id: t.id, notes: [...t.baseline.warnings, ...(t.expectFix && t.baseline.hiddenFailedOnOriginal === 0 ? [hiddenNote] : [])] }))
    .filter((t) => t.notes.length > 0);
}
