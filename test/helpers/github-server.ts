import { createHash, createHmac, verify as verifySignature, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { GitHubSettings } from '../../agents/trackers/github/client.ts';
import { parseConfig } from '../../orchestrator/library/config.ts';

/** The github tracker's settings as the config makes them (defaults filled), for a server on this machine; no pause between writes. */
export function githubSettings(fields: Pick<GitHubSettings, 'owner' | 'repo' | 'baseUrl'> & Partial<GitHubSettings>): GitHubSettings {
  const settings = parseConfig({ tracker: 'github', github: { writeIntervalMs: 0, syncSchedule: 'off', ...fields } }, 'test settings').github;
  if (!settings) throw new Error('no github settings');
  return settings;
}

/**
 * A local stand-in for api.github.com that speaks the REST subset steward uses, keeps
 * what it is told in memory, and checks every request: the token, the headers, a known
 * route and a body of the documented shape. What it refuses is kept in `problems`,
 * so a test can require that there were none.
 */
export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason?: string | null;
  labels: string[];
  comments: { body: string; created_at: string }[];
  /** A pull request: its branch, and the repository it comes from when that is a fork. */
  pull?: { head: string; base: string; draft: boolean; merged_at: string | null; fork?: string; merged_by?: string };
  /** Reviews of a pull request, oldest first. */
  reviews?: { user: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'; body: string; association: string }[];
  /** The issue's timeline of labels and closes, as GET …/events lists it. */
  events?: { event: 'labeled' | 'closed'; actor: string; label?: string }[];
  created_at: string;
  updated_at: string;
}

export interface Logged {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Every header but authorization, which is checked and not kept. */
  headers: Record<string, string | string[] | undefined>;
}

interface Failure {
  match: (r: Logged) => boolean;
  status: number;
  headers: Record<string, string>;
  message: string;
}

const sha = (text: string) => createHash('sha1').update(text).digest('hex');
const label = z.string().min(1).max(50);
const BODIES: Record<string, z.ZodType> = {
  'POST labels': z.strictObject({ name: label, color: z.string().regex(/^[0-9a-f]{6}$/), description: z.string().max(100).optional() }),
  'POST issues': z.strictObject({ title: z.string().min(1).max(256), body: z.string().max(65_536), labels: z.array(label).optional() }),
  'PATCH issue': z.strictObject({
    state: z.enum(['open', 'closed']).optional(),
    state_reason: z.enum(['completed', 'not_planned', 'reopened']).optional(),
    body: z.string().max(65_536).optional(),
    title: z.string().optional(),
  }),
  'POST comments': z.strictObject({ body: z.string().min(1).max(65_536) }),
  'PUT labels': z.strictObject({ labels: z.array(label) }),
  'POST issue labels': z.strictObject({ labels: z.array(label).min(1) }),
  'POST pulls': z.strictObject({ title: z.string().min(1), head: z.string().min(1), base: z.string().min(1), body: z.string().max(65_536), draft: z.boolean().optional() }),
  'PATCH pull': z.strictObject({ state: z.enum(['open', 'closed']) }),
  'POST graphql': z.strictObject({ query: z.string().includes('markPullRequestReadyForReview'), variables: z.strictObject({ id: z.string().regex(/^PR_\d+$/) }) }),
  'POST blobs': z.strictObject({ content: z.string(), encoding: z.literal('base64') }),
  'POST trees': z.strictObject({
    base_tree: z.string().regex(/^[0-9a-f]{40}$/),
    tree: z
      .array(
        z.strictObject({
          path: z.string().min(1),
          mode: z.enum(['100644', '100755']),
          type: z.literal('blob'),
          sha: z
            .string()
            .regex(/^[0-9a-f]{40}$/)
            .nullable(),
        }),
      )
      .min(1),
  }),
  'POST commits': z.strictObject({
    message: z.string().min(1),
    tree: z.string(),
    parents: z.array(z.string()).length(1),
    author: z.strictObject({ name: z.string(), email: z.string(), date: z.string().optional() }),
    committer: z.strictObject({ name: z.string(), email: z.string(), date: z.string().optional() }),
  }),
  'POST refs': z.strictObject({ ref: z.string().regex(/^refs\/heads\/.+/), sha: z.string().regex(/^[0-9a-f]{40}$/) }),
};

export class GitHubServer {
  readonly issues = new Map<number, Issue>();
  readonly labels = new Map<string, { name: string; color: string; description?: string }>();
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, { base_tree: string; tree: { path: string; mode: string; sha: string | null }[] }>();
  readonly commits = new Map<string, { tree: string; parents: string[]; message: string }>();
  readonly refs = new Map<string, string>();
  readonly requests: Logged[] = [];
  readonly problems: string[] = [];
  private failures: Failure[] = [];
  private server = createServer((req, res) => void this.handle(req, res));
  url = '';

  /**
   * `token` is what every request must carry; with `app`, it is the installation token
   * handed out to a JWT signed by the app's key (POST /app/installations/:id/access_tokens).
   */
  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly token: string,
    readonly app?: { id: number; installation: number; publicKey: KeyObject },
  ) {}

  /** A maintainer's review of pull request `number`. */
  review(number: number, user: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED', body = '', association = 'MEMBER'): void {
    this.edit(number, (pull) => (pull.reviews ??= []).push({ user, state, body, association }));
  }

  /** A maintainer adds a label in the web page. */
  label(number: number, name: string, actor: string): void {
    this.edit(number, (issue) => {
      issue.labels = [...new Set([...issue.labels, name])];
      (issue.events ??= []).push({ event: 'labeled', actor, label: name });
    });
  }

  /** A maintainer closes a pull request unmerged, or merges it (closing it too). */
  closePull(number: number, actor: string, merge = false): void {
    this.edit(number, (issue) => {
      issue.state = 'closed';
      if (merge && issue.pull) Object.assign(issue.pull, { merged_at: new Date().toISOString(), merged_by: actor });
      (issue.events ??= []).push({ event: 'closed', actor });
    });
  }

  /** A webhook delivery as GitHub sends it, signed with `secret`, to `url`; the response. */
  async deliver(url: string, secret: string, event: string, payload: unknown): Promise<{ status: number; body: unknown }> {
    const text = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': sha(text + Date.now()), 'x-hub-signature-256': signature },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  /** The payload of a `pull_request` or `pull_request_review` delivery about `number`. */
  payload(number: number, action: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { action, number, pull_request: this.pullJson(number), repository: { full_name: `${this.owner}/${this.repo}` }, sender: { login: 'maintainer' }, ...extra };
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A commit GitHub already has, as after a push of the library's main branch. */
  pushed(commit: string, tree: string): void {
    this.commits.set(commit, { tree, parents: [], message: 'pushed' });
  }

  /** The next `times` requests that `match` are answered with this failure. */
  fail(match: (r: Logged) => boolean, status: number, headers: Record<string, string>, message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ match, status, headers, message });
  }

  /** What a maintainer does in the web page: edit a body, merge a pull request. */
  edit(number: number, change: (issue: Issue) => void): void {
    const issue = this.issues.get(number);
    if (!issue) throw new Error(`no issue #${number}`);
    change(issue);
  }

  private nextNumber(): number {
    return this.issues.size + 1;
  }

  private json(number: number): Record<string, unknown> {
    const i = this.issues.get(number)!;
    const html = `https://github.com/${this.owner}/${this.repo}/${i.pull ? 'pull' : 'issues'}/${i.number}`;
    const base = {
      number: i.number,
      html_url: html,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ name })),
      comments: i.comments.length,
      created_at: i.created_at,
      updated_at: i.updated_at,
    };
    return i.pull ? { ...base, pull_request: { url: html } } : base;
  }

  private pullJson(number: number): Record<string, unknown> {
    const i = this.issues.get(number)!;
    const pull = i.pull!;
    return {
      ...this.json(number),
      pull_request: undefined,
      head: { ref: pull.head, repo: { full_name: pull.fork ?? `${this.owner}/${this.repo}` } },
      base: { ref: pull.base },
      draft: pull.draft,
      merged_at: pull.merged_at,
      merged_by: pull.merged_by ? { login: pull.merged_by } : null,
      node_id: `PR_${i.number}`,
    };
  }

  private page(req: Logged, res: ServerResponse, items: unknown[]): void {
    const per = Math.min(100, Number(req.query.per_page ?? 30));
    const page = Number(req.query.page ?? 1);
    const last = Math.max(1, Math.ceil(items.length / per));
    const link = (p: number) => `<${this.url}${req.path}?${new URLSearchParams({ ...req.query, page: String(p) }).toString()}>`;
    const links = [...(page < last ? [`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`] : [])];
    if (links.length) res.setHeader('link', links.join(', '));
    this.send(res, 200, items.slice((page - 1) * per, page * per));
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '4999', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private refuse(res: ServerResponse, status: number, problem: string): void {
    this.problems.push(problem);
    this.send(res, status, { message: problem });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers = { ...req.headers };
    delete headers.authorization;
    const logged: Logged = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
      headers,
    };
    this.requests.push(logged);
    const minted = this.app && /^\/app\/installations\/(\d+)\/access_tokens$/.exec(logged.path);
    if (minted && req.method === 'POST') return this.mint(req, res, Number(minted[1]), logged);
    if (req.headers.authorization !== `token ${this.token}`)
      return this.refuse(res, 401, `${logged.method} ${logged.path}: authorization was "${String(req.headers.authorization)}"`);
    if (!String(req.headers.accept).includes('application/vnd.github')) return this.refuse(res, 400, `${logged.method} ${logged.path}: accept was "${String(req.headers.accept)}"`);
    if (!String(req.headers['user-agent']).startsWith('plugin-steward'))
      return this.refuse(res, 400, `${logged.method} ${logged.path}: user-agent was "${String(req.headers['user-agent'])}"`);
    const failure = this.failures.findIndex((f) => f.match(logged));
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return this.send(res, f!.status, { message: f!.message }, f!.headers);
    }
    if (logged.path === '/graphql' && logged.method === 'POST') {
      const b = this.body<{ variables: { id: string } }>('POST graphql', logged, res);
      if (!b) return;
      const pull = this.issues.get(Number(b.variables.id.slice(3)))?.pull;
      if (!pull) return this.send(res, 200, { errors: [{ message: `no pull request ${b.variables.id}` }] });
      pull.draft = false;
      return this.send(res, 200, { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } });
    }
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!logged.path.startsWith(`${prefix}/`)) return this.refuse(res, 404, `${logged.method} ${logged.path}: not this repository`);
    this.route(logged, logged.path.slice(prefix.length), res);
  }

  /** An installation token for a JWT the app's key signed (RS256, issued by the app, not expired), as GitHub checks it. */
  private mint(req: IncomingMessage, res: ServerResponse, installation: number, logged: Logged): void {
    const app = this.app!;
    const jwt = /^bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const [header, claims, signature] = jwt.split('.');
    const signed = header && claims && signature && verifySignature('RSA-SHA256', Buffer.from(`${header}.${claims}`), app.publicKey, Buffer.from(signature, 'base64url'));
    if (!signed) return this.refuse(res, 401, `${logged.path}: the JWT is not signed by the app's key`);
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number; iat?: number };
    if (String(payload.iss) !== String(app.id)) return this.refuse(res, 401, `${logged.path}: the JWT was issued by ${String(payload.iss)}, not app ${app.id}`);
    if (!payload.exp || payload.exp * 1000 < Date.now() || payload.exp - (payload.iat ?? 0) > 600)
      return this.refuse(res, 401, `${logged.path}: the JWT has expired or lives over 10 min`);
    if (installation !== app.installation) return this.send(res, 404, { message: 'Not Found' });
    this.send(res, 201, { token: this.token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { issues: 'write' }, repository_selection: 'all' });
  }

  private body<T>(key: string, req: Logged, res: ServerResponse): T | undefined {
    const parsed = BODIES[key]!.safeParse(req.body);
    if (parsed.success) return parsed.data as T;
    this.refuse(res, 422, `${req.method} ${req.path}: ${key} body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return undefined;
  }

  private route(req: Logged, path: string, res: ServerResponse): void {
    const now = new Date().toISOString();
    const m = (pattern: RegExp) => pattern.exec(path);
    const issueOf = (n: string | undefined) => this.issues.get(Number(n));
    let hit: RegExpExecArray | null;
    const route = `${req.method} ${path.replace(/\d+/g, 'N')}`;
    if (route === 'GET /labels') return this.page(req, res, [...this.labels.values()]);
    if (route === 'POST /labels') {
      const b = this.body<{ name: string; color: string; description?: string }>('POST labels', req, res);
      if (!b) return;
      if (this.labels.has(b.name.toLowerCase())) return this.refuse(res, 422, `label ${b.name} exists`);
      this.labels.set(b.name.toLowerCase(), b);
      return this.send(res, 201, b);
    }
    if (route === 'GET /issues') {
      const wanted = (req.query.labels ?? '').split(',').filter(Boolean);
      const state = req.query.state ?? 'open';
      const has = (i: Issue, l: string) => i.labels.some((name) => name.toLowerCase() === l.toLowerCase());
      const list = [...this.issues.values()].filter((i) => (state === 'all' || i.state === state) && wanted.every((l) => has(i, l))).sort((a, b) => b.number - a.number);
      return this.page(
        req,
        res,
        list.map((i) => this.json(i.number)),
      );
    }
    if (route === 'POST /issues') {
      const b = this.body<{ title: string; body: string; labels?: string[] }>('POST issues', req, res);
      if (!b) return;
      const number = this.nextNumber();
      for (const name of b.labels ?? []) if (!this.labels.has(name.toLowerCase())) this.labels.set(name.toLowerCase(), { name, color: 'ededed' });
      this.issues.set(number, { number, title: b.title, body: b.body, state: 'open', labels: [...new Set(b.labels ?? [])], comments: [], created_at: now, updated_at: now });
      return this.send(res, 201, this.json(number));
    }
    if ((hit = m(/^\/issues\/(\d+)$/))) {
      const issue = issueOf(hit[1]);
      if (!issue) return this.send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return this.send(res, 200, this.json(issue.number));
      const b = this.body<{ state?: 'open' | 'closed'; state_reason?: string; body?: string; title?: string }>('PATCH issue', req, res);
      if (!b) return;
      Object.assign(issue, b, { updated_at: now });
      return this.send(res, 200, this.json(issue.number));
    }
    if ((hit = m(/^\/issues\/(\d+)\/comments$/))) {
      const issue = issueOf(hit[1]);
      if (!issue) return this.send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return this.page(req, res, issue.comments);
      const b = this.body<{ body: string }>('POST comments', req, res);
      if (!b) return;
      issue.comments.push({ body: b.body, created_at: now });
      return this.send(res, 201, { body: b.body, created_at: now });
    }
    if ((hit = m(/^\/issues\/(\d+)\/labels$/))) {
      const issue = issueOf(hit[1]);
      if (!issue) return this.send(res, 404, { message: 'Not Found' });
      const b = this.body<{ labels: string[] }>(req.method === 'PUT' ? 'PUT labels' : 'POST issue labels', req, res);
      if (!b) return;
      issue.labels = [...new Set(req.method === 'PUT' ? b.labels : [...issue.labels, ...b.labels])];
      return this.send(
        res,
        200,
        issue.labels.map((name) => ({ name })),
      );
    }
    if (route === 'GET /pulls') {
      const state = req.query.state ?? 'open';
      // GitHub's `head` filter is "owner:branch"; a bare branch name filters nothing.
      const head = req.query.head;
      const list = [...this.issues.values()].filter(
        (i) => i.pull && (state === 'all' || i.state === state) && (!head || head === `${i.pull.fork?.split('/')[0] ?? this.owner}:${i.pull.head}`),
      );
      return this.page(
        req,
        res,
        list.map((i) => this.pullJson(i.number)),
      );
    }
    if (route === 'POST /pulls') {
      const b = this.body<{ title: string; head: string; base: string; body: string; draft?: boolean }>('POST pulls', req, res);
      if (!b) return;
      if (!this.refs.has(`refs/heads/${b.head}`)) return this.refuse(res, 422, `pull request head ${b.head} is not a branch`);
      const number = this.nextNumber();
      this.issues.set(number, {
        number,
        title: b.title,
        body: b.body,
        state: 'open',
        labels: [],
        comments: [],
        pull: { head: b.head, base: b.base, draft: b.draft ?? false, merged_at: null },
        created_at: now,
        updated_at: now,
      });
      return this.send(res, 201, this.pullJson(number));
    }
    if ((hit = m(/^\/pulls\/(\d+)$/))) {
      const issue = issueOf(hit[1]);
      if (!issue?.pull) return this.send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return this.send(res, 200, this.pullJson(issue.number));
      const b = this.body<{ state: 'open' | 'closed' }>('PATCH pull', req, res);
      if (!b) return;
      issue.state = b.state;
      return this.send(res, 200, this.pullJson(issue.number));
    }
    if ((hit = m(/^\/pulls\/(\d+)\/reviews$/)) && req.method === 'GET') {
      const issue = issueOf(hit[1]);
      if (!issue?.pull) return this.send(res, 404, { message: 'Not Found' });
      return this.page(
        req,
        res,
        (issue.reviews ?? []).map((r, id) => ({ id, user: { login: r.user }, state: r.state, body: r.body, author_association: r.association })),
      );
    }
    if ((hit = m(/^\/issues\/(\d+)\/events$/)) && req.method === 'GET') {
      const issue = issueOf(hit[1]);
      if (!issue) return this.send(res, 404, { message: 'Not Found' });
      return this.page(
        req,
        res,
        (issue.events ?? []).map((e) => ({ event: e.event, actor: { login: e.actor }, ...(e.label ? { label: { name: e.label } } : {}) })),
      );
    }
    if ((hit = m(/^\/git\/commits\/([0-9a-f]{40})$/)) && req.method === 'GET') {
      const commit = this.commits.get(hit[1]!);
      return commit
        ? this.send(res, 200, { sha: hit[1], tree: { sha: commit.tree }, parents: commit.parents.map((p) => ({ sha: p })) })
        : this.send(res, 404, { message: 'Not Found' });
    }
    if (route === 'POST /git/blobs') {
      const b = this.body<{ content: string }>('POST blobs', req, res);
      if (!b) return;
      const text = Buffer.from(b.content, 'base64').toString('utf8');
      const id = sha(`blob ${Buffer.byteLength(text)}\0${text}`);
      this.blobs.set(id, text);
      return this.send(res, 201, { sha: id });
    }
    if (route === 'POST /git/trees') {
      const b = this.body<{ base_tree: string; tree: { path: string; mode: string; sha: string | null }[] }>('POST trees', req, res);
      if (!b) return;
      if (![...this.commits.values()].some((c) => c.tree === b.base_tree) && !this.trees.has(b.base_tree)) return this.refuse(res, 422, `base_tree ${b.base_tree} unknown`);
      for (const e of b.tree) if (e.sha !== null && !this.blobs.has(e.sha)) return this.refuse(res, 422, `tree entry ${e.path}: blob ${e.sha} unknown`);
      const id = sha(JSON.stringify(b));
      this.trees.set(id, b);
      return this.send(res, 201, { sha: id });
    }
    if (route === 'POST /git/commits') {
      const b = this.body<{ message: string; tree: string; parents: string[] }>('POST commits', req, res);
      if (!b) return;
      if (!this.trees.has(b.tree) || !b.parents.every((p) => this.commits.has(p))) return this.refuse(res, 422, 'commit tree or parent unknown');
      const id = sha(JSON.stringify(b) + now);
      this.commits.set(id, { tree: b.tree, parents: b.parents, message: b.message });
      return this.send(res, 201, { sha: id });
    }
    if (route === 'POST /git/refs') {
      const b = this.body<{ ref: string; sha: string }>('POST refs', req, res);
      if (!b) return;
      if (this.refs.has(b.ref)) return this.send(res, 422, { message: 'Reference already exists' });
      if (!this.commits.has(b.sha)) return this.refuse(res, 422, `ref ${b.ref}: commit ${b.sha} unknown`);
      this.refs.set(b.ref, b.sha);
      return this.send(res, 201, { ref: b.ref, object: { sha: b.sha, type: 'commit' } });
    }
    if ((hit = m(/^\/git\/ref\/(heads(?:\/|%2F).+)$/)) && req.method === 'GET') {
      const ref = `refs/${decodeURIComponent(hit[1]!)}`;
      const target = this.refs.get(ref);
      return target ? this.send(res, 200, { ref, object: { sha: target, type: 'commit' } }) : this.send(res, 404, { message: 'Not Found' });
    }
    this.refuse(res, 404, `${req.method} ${req.path}: not a route steward uses`);
  }
}
