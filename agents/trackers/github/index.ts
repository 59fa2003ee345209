import type { Octokit } from '@octokit/rest';
import type { Logger } from '../../../orchestrator/core/logger.ts';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import {
  fingerprintMarker,
  pluginMarker,
  runMarker,
  type IssueInput,
  type IssueSummary,
  type ProposalDecision,
  type ProposalInput,
  type TrackedIssue,
  type TrackedProposal,
  type Tracker,
} from '../types.ts';
import { mirrorBranch } from './branch.ts';
import { githubClient, isGitHubStatus, type GitHubCredentials, type GitHubSettings } from './client.ts';
import { markReady, readDecision } from './decision.ts';
import { issueRecord, proposalRecord, type GitHubIssue, type GitHubPull } from './records.ts';

const DASHBOARD_LABEL = 'steward-dashboard';
const DASHBOARD_TITLE = 'Plugin Steward: maintenance dashboard';
const DASHBOARD_MARKER = '<!-- steward:dashboard -->';

/** Labels steward creates with a colour and a description the first time it writes. */
const OWN_LABELS: Record<string, { color: string; description: string }> = {
  'needs-human': { color: 'd93f0b', description: 'steward found no fix it could validate' },
  [DASHBOARD_LABEL]: { color: '5319e7', description: "steward's maintenance dashboard" },
};

export interface GitHubTrackerOptions {
  credentials: GitHubCredentials;
  /** The library repository: fix branches are read from it and mirrored to GitHub. */
  root: string;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Issues, labels, draft pull requests and the maintenance dashboard on GitHub. Issues
 * and proposals are found again by hidden markers in their bodies, among those with
 * the configured label, so a retry comments instead of opening a duplicate. Within one
 * run, the run's effect claims make each write happen once; across runs, the manager's
 * one run per plugin keeps two writers off one group.
 */
export class GitHubTracker implements Tracker {
  readonly name = 'github';
  readonly draftsAtValidation = true;
  private readonly octokit: Octokit;
  private readonly repo: { owner: string; repo: string };
  private readonly fullName: string;
  private readonly root: string;
  private labelsReady: Promise<void> | undefined;

  constructor(
    private readonly settings: GitHubSettings,
    options: GitHubTrackerOptions,
  ) {
    // The token goes into the client and is kept nowhere else on this object.
    this.octokit = githubClient(settings, options);
    this.repo = { owner: settings.owner, repo: settings.repo };
    this.fullName = `${settings.owner}/${settings.repo}`;
    this.root = options.root;
    this.log = options.log;
  }

  private readonly log: Logger;

  /**
   * Steward's own labels, made once per process with their colours before it first
   * opens something; any other label GitHub creates itself on first use.
   */
  private ensureLabels(): Promise<void> {
    this.labelsReady ??= (async () => {
      const existing = new Set((await this.octokit.paginate(this.octokit.rest.issues.listLabelsForRepo, this.repo)).map((l) => l.name.toLowerCase()));
      const decisions: Record<string, { color: string; description: string }> = {
        [this.settings.approveLabel]: { color: '0e8a16', description: 'a maintainer approves this steward fix' },
        [this.settings.rejectLabel]: { color: 'b60205', description: 'a maintainer rejects this steward fix (the latest review says why)' },
      };
      for (const name of [this.settings.label, ...Object.keys(OWN_LABELS), ...Object.keys(decisions)]) {
        if (existing.has(name.toLowerCase())) continue;
        const look = OWN_LABELS[name] ?? decisions[name] ?? { color: '0e8a16', description: 'opened by Plugin Steward' };
        await this.octokit.rest.issues.createLabel({ ...this.repo, name, ...look });
      }
    })().catch((error: unknown) => {
      this.labelsReady = undefined;
      throw error;
    });
    return this.labelsReady;
  }

  private async issues(state: 'open' | 'closed' | 'all', label: string = this.settings.label): Promise<GitHubIssue[]> {
    return (await this.octokit.paginate(this.octokit.rest.issues.listForRepo, { ...this.repo, state, labels: label, per_page: 100 })) as GitHubIssue[];
  }

  private async withComments(summary: IssueSummary): Promise<TrackedIssue> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.repo, issue_number: summary.number, per_page: 100 });
    return { ...withoutCount(summary), comments: comments.map((c) => ({ at: c.created_at, body: c.body ?? '' })) };
  }

  async upsertIssue(input: IssueInput, comment: string): Promise<{ issue: TrackedIssue; created: boolean }> {
    const open = (await this.issues('open')).map(issueRecord).find((i) => i?.fingerprint === input.fingerprint);
    if (open) {
      await this.comment(open.number, comment);
      return { issue: await this.withComments(open), created: false };
    }
    await this.ensureLabels();
    const markers = `${fingerprintMarker(input.fingerprint)}\n${pluginMarker(input.plugin)}\n`;
    const body = `${input.body.replace(fingerprintMarker(input.fingerprint), '').trimEnd()}\n\n${markers}`;
    const labels = [...new Set([this.settings.label, ...input.labels])];
    const made = await this.octokit.rest.issues.create({ ...this.repo, title: input.title, body, labels });
    const issue = issueRecord(made.data as GitHubIssue);
    if (!issue) throw new StewardError('E_TRACKER_REQUEST', `GitHub returned issue #${made.data.number} without the fingerprint steward wrote`);
    return { issue: { ...withoutCount(issue), comments: [] }, created: true };
  }

  async findIssue(fingerprint: string): Promise<TrackedIssue | undefined> {
    const matching = (await this.issues('all')).map(issueRecord).filter((i): i is IssueSummary => i?.fingerprint === fingerprint);
    const found = matching.find((i) => i.state === 'open') ?? matching.sort((a, b) => a.number - b.number).at(-1);
    return found ? this.withComments(found) : undefined;
  }

  async getIssue(number: number): Promise<TrackedIssue | undefined> {
    try {
      const issue = issueRecord((await this.octokit.rest.issues.get({ ...this.repo, issue_number: number })).data as GitHubIssue);
      return issue ? this.withComments(issue) : undefined;
    } catch (error) {
      if (isGitHubStatus(error, 404, 410)) return undefined;
      throw error;
    }
  }

  async listIssues(filter: { state?: TrackedIssue['state']; plugin?: string } = {}): Promise<IssueSummary[]> {
    return (await this.issues(filter.state ?? 'all'))
      .map(issueRecord)
      .filter((i): i is IssueSummary => i !== undefined && (!filter.plugin || i.plugin === filter.plugin))
      .sort((a, b) => a.number - b.number);
  }

  async comment(number: number, body: string): Promise<void> {
    await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: number, body });
  }

  async setLabels(number: number, labels: string[]): Promise<void> {
    await this.octokit.rest.issues.setLabels({ ...this.repo, issue_number: number, labels: [...new Set([this.settings.label, ...labels])] });
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.octokit.rest.issues.addLabels({ ...this.repo, issue_number: number, labels });
  }

  async closeIssue(number: number, comment: string): Promise<void> {
    await this.comment(number, comment);
    await this.octokit.rest.issues.update({ ...this.repo, issue_number: number, state: 'closed', state_reason: 'completed' });
  }

  private async pulls(filter: { state?: 'open' | 'closed' | 'all'; head?: string } = {}): Promise<TrackedProposal[]> {
    const pulls = (await this.octokit.paginate(this.octokit.rest.pulls.list, {
      ...this.repo,
      state: filter.state ?? 'all',
      ...(filter.head ? { head: `${this.settings.owner}:${filter.head}` } : {}),
      per_page: 100,
    })) as GitHubPull[];
    return pulls.map((pull) => proposalRecord(pull, this.fullName)).filter((p): p is TrackedProposal => p !== undefined);
  }

  async openProposal(input: ProposalInput): Promise<{ proposal: TrackedProposal; created: boolean }> {
    const existing = (await this.pulls({ state: 'open', head: input.branch })).find((p) => p.branch === input.branch);
    if (existing) return { proposal: existing, created: false };
    const mirrored = await mirrorBranch(this.octokit, this.repo, this.root, input.branch);
    if (!mirrored.same)
      this.log.warn(
        { branch: input.branch, github: mirrored.commit },
        "GitHub's commit of the fix branch differs from the library's; a merge on GitHub will not be recognised by review settle until the library is pulled",
      );
    await this.ensureLabels();
    const markers = [fingerprintMarker(input.fingerprint), pluginMarker(input.plugin), ...(input.run ? [runMarker(input.run)] : [])].join('\n');
    const body = `${input.body}\n\nFixes #${input.issue}\n\n${markers}\n`;
    const made = await this.octokit.rest.pulls.create({ ...this.repo, title: input.title, head: input.branch, base: this.settings.baseBranch, body, draft: true });
    await this.octokit.rest.issues.addLabels({ ...this.repo, issue_number: made.data.number, labels: [this.settings.label] });
    const proposal = proposalRecord(made.data as GitHubPull, this.fullName);
    if (!proposal) throw new StewardError('E_TRACKER_REQUEST', `GitHub returned pull request #${made.data.number} without the markers steward wrote`);
    return { proposal, created: true };
  }

  async listProposals(filter: { state?: TrackedProposal['state']; plugin?: string } = {}): Promise<TrackedProposal[]> {
    const state = filter.state === 'open' ? 'open' : filter.state === undefined ? 'all' : 'closed';
    return (await this.pulls({ state }))
      .filter((p) => (!filter.state || p.state === filter.state) && (!filter.plugin || p.plugin === filter.plugin))
      .sort((a, b) => a.number - b.number);
  }

  /**
   * `merged` after the branch was merged outside GitHub: GitHub marks the pull request
   * merged itself once the base branch holds its commits; if it has not, it is closed
   * with a note rather than left open.
   */
  async setProposalState(number: number, state: TrackedProposal['state']): Promise<void> {
    const pull = (await this.octokit.rest.pulls.get({ ...this.repo, pull_number: number })).data as GitHubPull;
    if (state === 'merged') {
      if (pull.merged_at) return;
      await this.comment(number, `Merged into the library outside GitHub; steward closes this pull request.`);
      if (pull.state !== 'closed') await this.octokit.rest.pulls.update({ ...this.repo, pull_number: number, state: 'closed' });
      return;
    }
    if (pull.merged_at) throw new StewardError('E_TRACKER_CONFLICT', `pull request #${number} is merged; it cannot become ${state}`);
    if (pull.state !== state) await this.octokit.rest.pulls.update({ ...this.repo, pull_number: number, state });
  }

  proposalDecision(number: number): Promise<ProposalDecision | undefined> {
    return readDecision(this.octokit, this.repo, this.settings, number);
  }

  markReady(number: number): Promise<void> {
    return markReady(this.octokit, this.repo, number);
  }

  private async dashboard(): Promise<GitHubIssue | undefined> {
    return (await this.issues('open', DASHBOARD_LABEL)).filter((i) => !i.pull_request && (i.body ?? '').includes(DASHBOARD_MARKER)).sort((a, b) => a.number - b.number)[0];
  }

  async readDashboard(): Promise<string | undefined> {
    const issue = await this.dashboard();
    return issue ? `${(issue.body ?? '').replace(DASHBOARD_MARKER, '').trimEnd()}\n` : undefined;
  }

  async writeDashboard(body: string): Promise<void> {
    const marked = `${body.trimEnd()}\n\n${DASHBOARD_MARKER}\n`;
    const issue = await this.dashboard();
    if (issue && issue.body === marked) return;
    if (issue) {
      await this.octokit.rest.issues.update({ ...this.repo, issue_number: issue.number, body: marked });
      return;
    }
    await this.ensureLabels();
    await this.octokit.rest.issues.create({ ...this.repo, title: DASHBOARD_TITLE, body: marked, labels: [DASHBOARD_LABEL] });
  }
}

function withoutCount(summary: IssueSummary): Omit<TrackedIssue, 'comments'> {
  const issue: Partial<IssueSummary> = { ...summary };
  delete issue.commentCount;
  return issue as Omit<TrackedIssue, 'comments'>;
}
