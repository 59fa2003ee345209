import type { Octokit } from '@octokit/rest';
import type { ProposalDecision } from '../types.ts';
import type { GitHubSettings } from './client.ts';
import type { GitHubPull } from './records.ts';

interface Repo {
  owner: string;
  repo: string;
}

/**
 * Whose review counts. On a public repository anyone may leave an approving review, so
 * only people GitHub says belong to the repository approve a fix this way (labels and
 * closing already need triage or write access).
 */
const TRUSTED = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

interface Review {
  user: { login?: string } | null;
  state: string;
  body?: string | null;
  author_association?: string;
  submitted_at?: string;
}

interface IssueEvent {
  event: string;
  actor?: { login?: string } | null;
  label?: { name?: string } | null;
}

/** The last person who did `what` (a label added, the pull request closed), from the issue's events. */
function lastActor(events: IssueEvent[], what: (e: IssueEvent) => boolean): string {
  return events.filter(what).at(-1)?.actor?.login ?? 'someone on GitHub';
}

/**
 * What a maintainer decided on a steward pull request, read from GitHub: merged (an
 * approval that went further), closed unmerged or the reject label (a rejection, with
 * the latest review's text as the reason), the approve label, or an approving review
 * by someone of the repository that no review of theirs asking for changes followed.
 * Nothing yet: undefined.
 */
export async function readDecision(octokit: Octokit, repo: Repo, settings: GitHubSettings, number: number): Promise<ProposalDecision | undefined> {
  const pull = (await octokit.rest.pulls.get({ ...repo, pull_number: number })).data as GitHubPull & { labels?: { name?: string }[] };
  if (pull.merged_at) return { decision: 'approve', by: pull.merged_by?.login ?? 'someone on GitHub', how: 'merged' };
  const labels = new Set((pull.labels ?? []).map((l) => (l.name ?? '').toLowerCase()));
  const closed = pull.state === 'closed';
  const rejectLabel = labels.has(settings.rejectLabel.toLowerCase());
  const approveLabel = labels.has(settings.approveLabel.toLowerCase());
  const reviews = ((await octokit.paginate(octokit.rest.pulls.listReviews, { ...repo, pull_number: number, per_page: 100 })) as Review[]).filter((r) =>
    TRUSTED.has(r.author_association ?? ''),
  );
  const said = reviews
    .filter((r) => (r.body ?? '').trim() !== '')
    .at(-1)
    ?.body?.trim();
  if (closed || rejectLabel || approveLabel) {
    const events = (await octokit.paginate(octokit.rest.issues.listEvents, { ...repo, issue_number: number, per_page: 100 })) as IssueEvent[];
    const labelled = (name: string) => (e: IssueEvent) => e.event === 'labeled' && (e.label?.name ?? '').toLowerCase() === name.toLowerCase();
    if (closed) return { decision: 'reject', by: lastActor(events, (e) => e.event === 'closed'), how: 'closed', reason: said ?? 'the pull request was closed on GitHub' };
    if (rejectLabel)
      return { decision: 'reject', by: lastActor(events, labelled(settings.rejectLabel)), how: 'label', reason: said ?? `labelled ${settings.rejectLabel} on GitHub` };
    return { decision: 'approve', by: lastActor(events, labelled(settings.approveLabel)), how: 'label' };
  }
  // Each reviewer's latest approval or request for changes is their word.
  const latest = new Map<string, string>();
  for (const review of reviews) {
    if (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED' || review.state === 'DISMISSED') latest.set(review.user?.login ?? '', review.state);
  }
  if ([...latest.values()].includes('CHANGES_REQUESTED')) return undefined;
  const approver = [...latest.entries()].find(([, state]) => state === 'APPROVED')?.[0];
  return approver ? { decision: 'approve', by: approver, how: 'review' } : undefined;
}

/** A draft pull request becomes ready for review: GitHub has this in GraphQL only. */
export async function markReady(octokit: Octokit, repo: Repo, number: number): Promise<void> {
  const pull = (await octokit.rest.pulls.get({ ...repo, pull_number: number })).data as GitHubPull;
  if (!pull.draft || pull.state !== 'open' || !pull.node_id) return;
  await octokit.graphql('mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }', { id: pull.node_id });
}
