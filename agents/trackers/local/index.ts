import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import { fileLock } from '../../../orchestrator/core/file-lock.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../../orchestrator/core/files.ts';
import { readJsonWith } from '../../../orchestrator/core/json.ts';
import {
  fingerprintMarker,
  trackedIssueSchema,
  trackedProposalSchema,
  type IssueInput,
  type IssueSummary,
  type ProposalInput,
  type TrackedIssue,
  type TrackedProposal,
  type Tracker,
} from '../types.ts';

type Kind = 'issues' | 'proposals';
type Tracked<K extends Kind> = K extends 'issues' ? TrackedIssue : TrackedProposal;
const SCHEMAS = { issues: trackedIssueSchema, proposals: trackedProposalSchema } as const;

/**
 * The embedded tracker: issues and proposals as JSON records under the state dir,
 * numbered like a forge's. Every change happens under one file lock, so workers on
 * one machine never open two issues for one fingerprint or give two records one number.
 */
export class LocalTracker implements Tracker {
  readonly name = 'local';

  constructor(private readonly dir: string) {}

  private file(kind: Kind, number: number): string {
    return join(this.dir, kind, `${number}.json`);
  }

  private all<K extends Kind>(kind: K): Tracked<K>[] {
    const folder = join(this.dir, kind);
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((name) => /^\d+\.json$/.test(name))
      .map((name) => this.record(kind, join(folder, name)))
      .sort((a, b) => a.number - b.number);
  }

  private read<K extends Kind>(kind: K, number: number): Tracked<K> | undefined {
    const file = this.file(kind, number);
    return existsSync(file) ? this.record(kind, file) : undefined;
  }

  /** One record, parsed with the schema it was written by: a damaged file is one clear error that names it. */
  private record<K extends Kind>(kind: K, file: string): Tracked<K> {
    return readJsonWith(SCHEMAS[kind], file, { hint: 'restore the file from a backup, or move it aside' }) as Tracked<K>;
  }

  /** A new record under the next free number, created exclusively: two writers never share one. */
  private create<T extends { number: number; url: string }>(kind: Kind, make: (number: number) => T): T {
    mkdirSync(join(this.dir, kind), { recursive: true });
    for (let number = this.nextNumber(kind); ; number++) {
      const record = make(number);
      try {
        writeFileSync(this.file(kind, number), `${JSON.stringify(record)}\n`, { flag: 'wx' });
        return record;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  private nextNumber(kind: Kind): number {
    const folder = join(this.dir, kind);
    if (!existsSync(folder)) return 1;
    return Math.max(0, ...readdirSync(folder).map((name) => Number(/^(\d+)\.json$/.exec(name)?.[1] ?? 0))) + 1;
  }

  private async locked<T>(fn: () => T): Promise<T> {
    const release = await fileLock(join(this.dir, '.lock'), {
      staleMs: 30_000,
      waitMs: 30_000,
      timeout: () => new StewardError('E_USAGE', `the local tracker at ${this.dir} stayed locked for 30 s`),
    });
    try {
      return fn();
    } finally {
      release();
    }
  }

  private mustIssue(number: number): TrackedIssue {
    const issue = this.read('issues', number);
    if (!issue) throw new StewardError('E_USAGE', `no issue #${number} in the local tracker`, { hint: 'steward issues list' });
    return issue;
  }

  private updateIssue(number: number, change: (issue: TrackedIssue) => void): Promise<void> {
    return this.locked(() => {
      const issue = this.mustIssue(number);
      change(issue);
      issue.updatedAt = new Date().toISOString();
      writeJsonAtomic(this.file('issues', number), issue);
    });
  }

  async upsertIssue(input: IssueInput, comment: string): Promise<{ issue: TrackedIssue; created: boolean }> {
    return this.locked(() => {
      const now = new Date().toISOString();
      const open = this.all('issues').find((i) => i.fingerprint === input.fingerprint && i.state === 'open');
      if (open) {
        open.comments.push({ at: now, body: comment });
        open.updatedAt = now;
        writeJsonAtomic(this.file('issues', open.number), open);
        return { issue: open, created: false };
      }
      const body = input.body.includes(fingerprintMarker(input.fingerprint)) ? input.body : `${input.body}\n\n${fingerprintMarker(input.fingerprint)}\n`;
      const issue = this.create<TrackedIssue>('issues', (number) => ({
        number,
        url: `local:issues/${number}`,
        fingerprint: input.fingerprint,
        plugin: input.plugin,
        title: input.title,
        body,
        labels: [...new Set(input.labels)].sort(),
        state: 'open',
        createdAt: now,
        updatedAt: now,
        comments: [],
      }));
      return { issue, created: true };
    });
  }

  async findIssue(fingerprint: string): Promise<TrackedIssue | undefined> {
    const matching = this.all('issues').filter((i) => i.fingerprint === fingerprint);
    return matching.find((i) => i.state === 'open') ?? matching.at(-1);
  }

  async getIssue(number: number): Promise<TrackedIssue | undefined> {
    return this.read('issues', number);
  }

  async listIssues(filter: { state?: TrackedIssue['state']; plugin?: string } = {}): Promise<IssueSummary[]> {
    return this.all('issues')
      .filter((i) => (!filter.state || i.state === filter.state) && (!filter.plugin || i.plugin === filter.plugin))
      .map(({ comments, ...issue }) => ({ ...issue, commentCount: comments.length }));
  }

  comment(number: number, body: string): Promise<void> {
    return this.updateIssue(number, (issue) => issue.comments.push({ at: new Date().toISOString(), body }));
  }

  setLabels(number: number, labels: string[]): Promise<void> {
    return this.updateIssue(number, (issue) => {
      issue.labels = [...new Set(labels)].sort();
    });
  }

  addLabels(number: number, labels: string[]): Promise<void> {
    return this.updateIssue(number, (issue) => {
      issue.labels = [...new Set([...issue.labels, ...labels])].sort();
    });
  }

  closeIssue(number: number, comment: string): Promise<void> {
    return this.updateIssue(number, (issue) => {
      issue.comments.push({ at: new Date().toISOString(), body: comment });
      issue.state = 'closed';
    });
  }

  async openProposal(input: ProposalInput): Promise<{ proposal: TrackedProposal; created: boolean }> {
    return this.locked(() => {
      const existing = this.all('proposals').find((p) => p.branch === input.branch && p.state === 'open');
      if (existing) return { proposal: existing, created: false };
      this.mustIssue(input.issue);
      const now = new Date().toISOString();
      const body = `${input.body}\n\nFixes #${input.issue}\n\n${fingerprintMarker(input.fingerprint)}\n`;
      const proposal = this.create<TrackedProposal>('proposals', (number) => ({
        number,
        url: `local:proposals/${number}`,
        issue: input.issue,
        fingerprint: input.fingerprint,
        plugin: input.plugin,
        branch: input.branch,
        title: input.title,
        body,
        state: 'open',
        ...(input.run ? { run: input.run } : {}),
        createdAt: now,
        updatedAt: now,
      }));
      return { proposal, created: true };
    });
  }

  async listProposals(filter: { state?: TrackedProposal['state']; plugin?: string } = {}): Promise<TrackedProposal[]> {
    return this.all('proposals').filter((p) => (!filter.state || p.state === filter.state) && (!filter.plugin || p.plugin === filter.plugin));
  }

  setProposalState(number: number, state: TrackedProposal['state']): Promise<void> {
    return this.locked(() => {
      const proposal = this.read('proposals', number);
      if (!proposal) throw new StewardError('E_USAGE', `no proposal #${number} in the local tracker`);
      writeJsonAtomic(this.file('proposals', number), { ...proposal, state, updatedAt: new Date().toISOString() });
    });
  }

  async readDashboard(): Promise<string | undefined> {
    const file = join(this.dir, 'dashboard.md');
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  async writeDashboard(body: string): Promise<void> {
    writeFileAtomic(join(this.dir, 'dashboard.md'), body);
  }
}
