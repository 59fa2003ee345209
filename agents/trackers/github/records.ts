import { markerIn, pluginIn, runIn, type IssueSummary, type TrackedProposal } from '../types.ts';

/** The fields of GitHub's issue and pull request objects that steward reads. */
export interface GitHubIssue {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  labels: (string | { name?: string })[];
  comments: number;
  created_at: string;
  updated_at: string;
  pull_request?: unknown;
}

export interface GitHubPull {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: string;
  merged_at: string | null;
  created_at: string;
  updated_at: string;
  head: { ref: string; repo?: { full_name?: string } | null };
  draft?: boolean;
  node_id?: string;
  merged_by?: { login?: string } | null;
}

function labelNames(labels: GitHubIssue['labels']): string[] {
  return labels
    .map((l) => (typeof l === 'string' ? l : (l.name ?? '')))
    .filter(Boolean)
    .sort();
}

type Shared = Pick<TrackedProposal, 'number' | 'url' | 'fingerprint' | 'plugin' | 'title' | 'body' | 'createdAt' | 'updatedAt'>;

/** What issues and pull requests share, when the body carries steward's fingerprint. */
function shared(item: Pick<GitHubIssue, 'number' | 'html_url' | 'title' | 'body' | 'created_at' | 'updated_at'>): Shared | undefined {
  const body = item.body ?? '';
  const fingerprint = markerIn(body);
  if (!fingerprint) return undefined;
  return { number: item.number, url: item.html_url, fingerprint, plugin: pluginIn(body) ?? '', title: item.title, body, createdAt: item.created_at, updatedAt: item.updated_at };
}

/** A GitHub issue steward opened, or undefined for anything else in the repository. */
export function issueRecord(issue: GitHubIssue): IssueSummary | undefined {
  const common = issue.pull_request ? undefined : shared(issue);
  return common && { ...common, labels: labelNames(issue.labels), state: issue.state === 'closed' ? 'closed' : 'open', commentCount: issue.comments };
}

/**
 * A pull request steward opened (a `steward/` branch of `repo` itself, with its
 * markers), or undefined. A pull request from a fork is anyone's, whatever it is called.
 */
export function proposalRecord(pull: GitHubPull, repo: string): TrackedProposal | undefined {
  const own = pull.head.repo?.full_name?.toLowerCase() === repo.toLowerCase();
  const common = own && pull.head.ref.startsWith('steward/') ? shared(pull) : undefined;
  if (!common) return undefined;
  return {
    ...common,
    issue: Number(/^Fixes #(\d+)$/m.exec(common.body)?.[1] ?? 0),
    branch: pull.head.ref,
    state: pull.merged_at ? 'merged' : pull.state === 'closed' ? 'closed' : 'open',
    ...(runIn(common.body) ? { run: runIn(common.body) } : {}),
  };
}
