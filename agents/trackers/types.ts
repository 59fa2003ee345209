import { z } from 'zod';

/** Where agents open issues and fix proposals: the local tracker by default, or GitHub. */

export interface IssueInput {
  /** The error group's fingerprint: the hidden marker that finds the issue again. */
  fingerprint: string;
  plugin: string;
  title: string;
  body: string;
  labels: string[];
}

const trackerCommentSchema = z.object({ at: z.string(), body: z.string() });

/** What issues and proposals share. */
const trackedRecordSchema = z.object({
  /** The tracker's number for it (#12). */
  number: z.int().positive(),
  url: z.string(),
  fingerprint: z.string(),
  plugin: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** An issue as a tracker keeps it; the local tracker's files are parsed with it. */
export const trackedIssueSchema = trackedRecordSchema.extend({
  labels: z.array(z.string()),
  state: z.enum(['open', 'closed']),
  comments: z.array(trackerCommentSchema),
});
export type TrackedIssue = z.output<typeof trackedIssueSchema>;

/** An issue as a listing shows it: its comments counted, not fetched. */
export type IssueSummary = Omit<TrackedIssue, 'comments'> & { commentCount: number };

export interface ProposalInput {
  /** The issue the proposal fixes ("Fixes #n"). */
  issue: number;
  fingerprint: string;
  plugin: string;
  /** The fix branch in the library repo (`steward/<plugin>/<group>`). */
  branch: string;
  title: string;
  body: string;
  /** The run whose fix it is: a forge's review of it answers that run. */
  run?: string;
}

export const trackedProposalSchema = trackedRecordSchema.extend({
  issue: z.int(),
  branch: z.string(),
  state: z.enum(['open', 'merged', 'closed']),
  /** The run whose fix it is, where the tracker keeps it. */
  run: z.string().optional(),
});
export type TrackedProposal = z.output<typeof trackedProposalSchema>;

/** What a maintainer did with a proposal where it lives (a forge's review, label or merge). */
export type ProposalDecision =
  { decision: 'approve'; by: string; how: 'review' | 'label' | 'merged' } | { decision: 'reject'; by: string; how: 'label' | 'closed'; reason?: string };

export interface Tracker {
  readonly name: string;
  /**
   * A forge where maintainers review pull requests: a validated fix becomes a draft
   * proposal at once and is decided there (`proposalDecision`); approving marks it
   * ready. Trackers without this open a proposal only once a fix is approved.
   */
  readonly draftsAtValidation?: boolean;
  /** The decision a maintainer left on the proposal, if any (see `draftsAtValidation`). */
  proposalDecision?(number: number): Promise<ProposalDecision | undefined>;
  /** A draft proposal becomes ready for review (nothing when it is not a draft or no longer open). */
  markReady?(number: number): Promise<void>;
  /**
   * The issue of a fingerprint: created when there is none (or only a closed one),
   * otherwise commented on with `comment`. A retry or a second run never opens a
   * duplicate.
   */
  upsertIssue(input: IssueInput, comment: string): Promise<{ issue: TrackedIssue; created: boolean }>;
  findIssue(fingerprint: string): Promise<TrackedIssue | undefined>;
  getIssue(number: number): Promise<TrackedIssue | undefined>;
  listIssues(filter?: { state?: TrackedIssue['state']; plugin?: string }): Promise<IssueSummary[]>;
  comment(number: number, body: string): Promise<void>;
  setLabels(number: number, labels: string[]): Promise<void>;
  /** Adds labels to those the issue has, in one step (no read-then-write race). */
  addLabels(number: number, labels: string[]): Promise<void>;
  closeIssue(number: number, comment: string): Promise<void>;
  /** One proposal per fix branch: a second call for the same branch returns the first. */
  openProposal(input: ProposalInput): Promise<{ proposal: TrackedProposal; created: boolean }>;
  listProposals(filter?: { state?: TrackedProposal['state']; plugin?: string }): Promise<TrackedProposal[]>;
  setProposalState(number: number, state: TrackedProposal['state']): Promise<void>;
  /** The maintenance dashboard's body as a maintainer last left it, if there is one. */
  readDashboard(): Promise<string | undefined>;
  /** Creates or updates the one dashboard in place. */
  writeDashboard(body: string): Promise<void>;
}

/** The hidden marker that ties a body to its fingerprint. */
export function fingerprintMarker(fingerprint: string): string {
  return `<!-- steward:fingerprint:${fingerprint} -->`;
}

export function markerIn(body: string): string | undefined {
  return /<!-- steward:fingerprint:([A-Za-z0-9_.-]+) -->/.exec(body)?.[1];
}

/** The hidden marker that names the plugin, for forges whose records have no such field. */
export function pluginMarker(plugin: string): string {
  return `<!-- steward:plugin:${plugin} -->`;
}

/** The hidden marker that names the run whose fix a proposal is. */
export function runMarker(run: string): string {
  return `<!-- steward:run:${run} -->`;
}

export function runIn(body: string): string | undefined {
  return /<!-- steward:run:([A-Za-z0-9_.-]+) -->/.exec(body)?.[1];
}

export function pluginIn(body: string): string | undefined {
  return /<!-- steward:plugin:([a-z0-9][a-z0-9-]*) -->/.exec(body)?.[1];
}
