import { join } from 'node:path';
import type { Logger } from '../../orchestrator/core/logger.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { bringInMerged } from '../../orchestrator/library/merged-proposal.ts';
import { answerRun, type RunControl } from '../../orchestrator/runs/control.ts';
import { openRunControl } from '../../orchestrator/runs/open.ts';
import { openTracker } from '../trackers/registry.ts';
import type { ProposalDecision, Tracker } from '../trackers/types.ts';
import { recordedIn, settleMerged, type Settled } from './settle.ts';

export interface ReviewSyncDeps {
  library: Library;
  tracker: Tracker;
  control: RunControl;
  groups: GroupStore;
  log: Logger;
}

export interface Decided {
  proposal: number;
  run: string;
  decision: ProposalDecision['decision'];
  by: string;
  how: ProposalDecision['how'];
}

export interface SyncReport {
  decided: Decided[];
  /** Merged proposals that could not be brought into the library, and why. */
  notBroughtIn: { proposal: number; why: string }[];
  settled: Settled[];
}

/**
 * Brings what maintainers did on the forge to steward: a run waiting for approval
 * whose draft was approved (review, label, merge) or rejected (closed, label) goes on
 * with that answer, and a merged proposal is brought into the library and settled
 * (release, history, group resolved, issue closed). The webhook calls it for the one
 * pull request a delivery names (`only`); the scheduled sync for all. Every step is
 * safe to repeat: a run already answered is not answered again.
 */
export async function syncReviews(deps: ReviewSyncDeps, only?: number): Promise<SyncReport> {
  const report: SyncReport = { decided: [], notBroughtIn: [], settled: [] };
  const readDecision = deps.tracker.proposalDecision?.bind(deps.tracker);
  if (!readDecision) return report;
  const proposals = (await deps.tracker.listProposals()).filter((p) => only === undefined || p.number === only);
  for (const proposal of proposals) if (proposal.run) await answer(deps, proposal.number, proposal.run, readDecision, report);
  const settings = deps.library.config.github;
  // Merged and not yet released: one the history already records was settled before, and
  // each sync would otherwise re-check every past merge in git and on the forge. (A settle
  // that died after its history entry is finished by `review settle` or the next merge's.)
  const merged = proposals.filter((p) => p.state === 'merged' && !recordedIn(join(deps.library.paths.plugins, p.plugin), p));
  for (const proposal of merged) {
    const brought = await bringInMerged(deps.library, proposal, settings?.baseBranch ?? 'main', settings?.remote);
    if (brought.state === 'gone' || brought.state === 'not-brought-in') {
      report.notBroughtIn.push({ proposal: proposal.number, why: brought.why });
      deps.log.warn({ proposal: proposal.number, why: brought.why }, 'a merged proposal is not in the library yet; settle waits for it');
    }
  }
  if (merged.length > 0) report.settled = (await settleMerged(deps.library, deps.tracker, deps.groups)).filter((s) => only === undefined || s.proposal === only);
  return report;
}

/** The maintainer's decision on one proposal, given to its run if that run still waits for one. */
async function answer(
  deps: ReviewSyncDeps,
  number: number,
  runId: string,
  readDecision: (number: number) => Promise<ProposalDecision | undefined>,
  report: SyncReport,
): Promise<void> {
  const run = await deps.control.store.get(runId);
  if (run?.state !== 'awaiting_approval') return;
  const decision = await readDecision(number);
  if (!decision) return;
  const reason = decision.decision === 'reject' ? decision.reason : undefined;
  await answerRun(deps.control, runId, { decision: decision.decision, by: decision.by, ...(reason ? { reason } : {}) });
  deps.log.info({ proposal: number, run: runId, decision: decision.decision, by: decision.by, how: decision.how }, 'a maintainer decided on the forge');
  report.decided.push({ proposal: number, run: runId, decision: decision.decision, by: decision.by, how: decision.how });
}

/** Everything a review sync needs, opened from the library's config; `close` releases it. */
export async function openReviewSync(library: Library, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<ReviewSyncDeps & { close(): Promise<void> }> {
  const tracker = openTracker(library, { env, log: log.child({ tracker: library.config.tracker }) });
  const control = await openRunControl(library);
  return { library, tracker, control, groups: new GroupStore(control.redis), log, close: () => control.close() };
}
