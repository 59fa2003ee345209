import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { summary } from '../commands.ts';
import {
  behaviourLines,
  changeSize,
  openReviewSync,
  proposalFile,
  readProposalRecord,
  settleMerged,
  syncReviews,
  type ProposalRecord,
} from '../../../agents/plugin-agent/index.ts';
import { createLogger } from '../../core/logger.ts';
import { openTracker } from '../../../agents/trackers/registry.ts';
import { GroupStore } from '../../ingest/groups.ts';
import { connect } from '../../redis/connection.ts';
import { libraryRedis } from '../../redis/server.ts';
import { EXIT } from '../exit-codes.ts';
import { answerRun, decisionOf } from '../../runs/control.ts';
import { openRunStore } from '../../runs/database.ts';
import { openRunControl } from '../../runs/open.ts';
import { libraryFrom } from '../context.ts';
import { ago, colourDiff, colours, print, printJson, printPaged, table } from '../output.ts';

/** How a proposal is marked where a maintainer chooses: a refusal is not a fix. */
/** The fix's size, and the tests it adds apart: `+1 -1 (+21 test)`. */
function changeText(diff: string): string {
  const { fix, tests } = changeSize(diff);
  const added = tests.added + tests.removed > 0 ? ` (+${tests.added}${tests.removed ? ` -${tests.removed}` : ''} test)` : '';
  return `+${fix.added} -${fix.removed}${added}`;
}

const refusalNote = (proposal: ProposalRecord): string => (proposal.refuses ? `[refuses the call: ${proposal.refuses.type}: ${proposal.refuses.message}] ` : '');

/** A maintainer's answer as the run recorded it (its `answered` event), if it was a decision. */

/** The runners-up: each with why it ranks lower, and the lines it changes. */
function othersLines(proposal: ProposalRecord): string[] {
  if (proposal.others.length === 0) return [];
  const shown = proposal.others.length < proposal.validated - 1 ? `, the next ${proposal.others.length} shown` : '';
  const out = [`other validated candidates: ${proposal.validated - 1}, ranked after this one${shown}`];
  proposal.others.forEach((other, i) => {
    const notes = [
      other.refuses ? `refuses with ${other.refuses.type}` : '',
      other.outputsChanged > 0 ? `changes ${other.outputsChanged} output(s)` : '',
      ...other.warnings.map((w) => `warned: ${w}`),
    ].filter(Boolean);
    out.push(`  ${i + 2}. ${other.fixer}: ${other.rationale}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
    const changed = other.diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
    out.push(...changed.slice(0, 12).map((l) => `       ${colourDiff(l)}`), ...(changed.length > 12 ? [`       … ${changed.length - 12} more line(s)`] : []));
  });
  return out;
}

async function decide(command: Command, run: string, answer: { decision: 'approve' | 'reject'; by: string; reason?: string }, json: boolean): Promise<void> {
  const library = libraryFrom(command);
  readProposalRecord(library, run);
  const ctl = await openRunControl(library);
  try {
    const updated = await answerRun(ctl, run, answer);
    // The answer only queues the run: say so when nothing would take it.
    const workers = await ctl.queue.getWorkersCount();
    if (json) printJson({ version: 1, run: updated, workers });
    else print(`${run}: ${answer.decision === 'approve' ? 'approved; a worker publishes the fix branch and the proposal' : 'rejected; a worker records why on the issue'}`);
    if (workers === 0) process.stderr.write(`steward: warning: no worker is running: the run waits in the queue until "steward worker" or "steward start" runs\n`);
  } finally {
    await ctl.close();
  }
}

export function registerReview(program: Command): void {
  const review = program.command('review').description(summary('review'));
  review
    .command('list')
    .description('runs whose validated fix waits for review')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const store = openRunStore(library);
      try {
        const waiting = (await store.list({ state: 'awaiting_approval' }))
          .filter((r) => existsSync(proposalFile({ library }, r.id)))
          .map((r) => ({ run: r, proposal: readProposalRecord(library, r.id) }));
        if (options.json)
          return printJson({
            version: 1,
            reviews: waiting.map(({ run, proposal }) => ({
              run: run.id,
              plugin: run.plugin,
              issue: proposal.issue?.number ?? null,
              waitingSince: run.updatedAt,
              rationale: proposal.rationale,
              fixer: proposal.fixer,
              stats: proposal.stats,
              change: changeSize(proposal.diff),
              refuses: proposal.refuses ?? null,
              tokens: run.tokensUsed,
            })),
          });
        print(
          waiting.length === 0
            ? 'nothing waits for review'
            : table(
                ['RUN', 'PLUGIN', 'ISSUE', 'WAITING', 'FIXER', 'CHANGE', 'WHY'],
                // The whole reason: it is what a maintainer decides on, so it is never cut.
                waiting.map(({ run, proposal }) => [
                  run.id,
                  run.plugin,
                  proposal.issue ? `#${proposal.issue.number}` : '-',
                  ago(run.updatedAt).replace(/ ago$/, ''),
                  proposal.fixer,
                  changeText(proposal.diff),
                  `${refusalNote(proposal)}${proposal.rationale}`.replace(/\s+/g, ' '),
                ]),
              ),
        );
      } finally {
        await store.close();
      }
    });
  review
    .command('show <run>')
    .description('the proposed diff, its evidence and its cost')
    .option('--json', 'machine-readable output')
    .action(async (run: string, options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const proposal = readProposalRecord(library, run);
      const store = openRunStore(library);
      const [record, answered] = await Promise.all([store.get(run), store.lastEvent(run, 'answered')]).finally(() => store.close());
      const decision = decisionOf(answered?.data);
      if (options.json) return printJson({ version: 1, proposal, state: record?.state ?? null, decision: decision ?? null, tokens: record?.tokensUsed ?? 0 });
      const c = colours();
      const lines = [
        c.bold(`${run}  ${proposal.plugin}  ${record?.state ?? '?'}${proposal.issue ? `  issue #${proposal.issue.number}` : ''}`),
        `fixer ${proposal.fixer}: ${proposal.validated} of ${proposal.tried} candidate(s) validated; ${record?.tokensUsed ?? 0} model token(s)`,
      ];
      if (proposal.refuses) lines.push(c.yellow(`\nthis change refuses the call with ${proposal.refuses.type}: ${proposal.refuses.message}; it does not make the call succeed`));
      lines.push(`\nwhy: ${proposal.rationale}`);
      lines.push(
        `\nevidence:\n  before: ${proposal.evidence.before}\n  after:  ${proposal.evidence.after}\n  suite:  ${proposal.evidence.suite.passed} passed, ${proposal.evidence.suite.failed} failed (${proposal.evidence.suite.baselinePassed} passed on the original)`,
      );
      lines.push(...behaviourLines(proposal.evidence).map((line) => `  ${line.startsWith('- warning') ? c.yellow(line) : line}`));
      lines.push(`\n${colourDiff(proposal.diff)}`, ...othersLines(proposal));
      // A decided run is not offered the decision again.
      if (record?.state === 'awaiting_approval') lines.push(c.bold(`steward review approve ${run}   |   steward review reject ${run} --reason "…"`));
      else if (decision)
        lines.push(
          (decision.decision === 'approve' ? c.green : c.red)(
            `${decision.decision === 'approve' ? 'approved' : 'rejected'} by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}; the run is ${record?.state ?? 'gone'}`,
          ),
        );
      else lines.push(`the run is ${record?.state ?? 'gone'}: nothing to approve`);
      printPaged(lines.join('\n'));
    });
  review
    .command('settle')
    .description(
      'for each proposal merged into HEAD: a release in the next patch version with its history entry, the upstream push, the group resolved in that version, the issue closed',
    )
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const target = await libraryRedis(library);
      const redis = connect(target, 'review-settle');
      try {
        const settled = await settleMerged(library, openTracker(library), new GroupStore(redis));
        if (options.json) return printJson({ version: 1, proposals: settled });
        print(
          settled.length === 0
            ? 'no open proposal'
            : table(
                ['#', 'PLUGIN', 'BRANCH', 'STATE', 'VERSION', 'UPSTREAM'],
                settled.map((s) => [String(s.proposal), s.plugin, s.branch, s.state, s.version ?? '-', s.push ?? '-']),
              ),
        );
        if (settled.some((s) => s.push?.startsWith('failed'))) process.exitCode = EXIT.findings;
      } finally {
        redis.disconnect();
      }
    });
  review
    .command('sync')
    .description(
      "what maintainers did on GitHub, read from its API: runs whose draft was approved or rejected go on, merged proposals are brought in and settled (the webhook's work, where no webhook reaches steward)",
    )
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      if (library.config.tracker !== 'github') {
        if (options.json) return printJson({ version: 1, decided: [], notBroughtIn: [], settled: [] });
        return print('the local tracker has nothing to sync: decide with steward review approve|reject, settle with steward review settle');
      }
      const reviews = await openReviewSync(library, createLogger({ component: 'review-sync' }));
      try {
        const report = await syncReviews(reviews);
        if (options.json) return printJson({ version: 1, ...report });
        const rows = [
          ...report.decided.map((d) => [`#${d.proposal}`, d.run, `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.by} (${d.how})`]),
          ...report.notBroughtIn.map((n) => [`#${n.proposal}`, '-', `merged on GitHub, not in the library: ${n.why}`]),
          ...report.settled.map((x) => [`#${x.proposal}`, '-', x.state === 'merged' ? `settled: released in ${x.version ?? '?'}` : x.state]),
        ];
        print(rows.length === 0 ? 'nothing new on GitHub' : table(['PROPOSAL', 'RUN', 'WHAT'], rows));
        if (report.notBroughtIn.length > 0) process.exitCode = EXIT.findings;
      } finally {
        await reviews.close();
      }
    });
  review
    .command('approve <run>')
    .description('approve the fix: the run publishes a branch and a proposal')
    .option('--by <name>', 'who approves', process.env.USER ?? 'maintainer')
    .option('--json', 'machine-readable output')
    .action(async (run: string, options: { by: string; json?: boolean }, command: Command) => {
      await decide(command, run, { decision: 'approve', by: options.by }, options.json === true);
    });
  review
    .command('reject <run>')
    .description('reject the fix, saying why: the issue gets the reason and needs-human')
    .requiredOption('--reason <text>', 'why the fix is wrong')
    .option('--by <name>', 'who rejects', process.env.USER ?? 'maintainer')
    .option('--json', 'machine-readable output')
    .action(async (run: string, options: { reason: string; by: string; json?: boolean }, command: Command) => {
      await decide(command, run, { decision: 'reject', by: options.by, reason: options.reason }, options.json === true);
    });
}
