import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { streamSSE } from 'hono/streaming';
import { messageOf, StewardError } from '../core/errors.ts';
import type { GroupStore } from '../ingest/groups.ts';
import { answerRun, decisionOf, type RunControl } from '../runs/control.ts';
import type { RunRecord, RunStore } from '../runs/types.ts';
import { accessOfToken, COOKIE, digest, requireAccess, type Access, type Tokens } from './auth.ts';
import { evalsPage } from './pages/evals.ts';
import type { EvalReport, Proposals } from './types.ts';
import { groupsPage } from './pages/groups.ts';
import { layout, loginPage } from './pages/layout.ts';
import { proposalPage, proposalsPage } from './pages/proposals.ts';
import { currentNode, eventLine, runPage, runsPage } from './pages/runs.ts';

export interface ConsoleDeps {
  store: RunStore;
  groups: GroupStore;
  /** What approve and reject go through: the same as `steward review approve|reject`. */
  control: RunControl;
  /** Shown by bull-board at /queues (read-only). */
  queues: readonly Queue[];
  tokens: Tokens;
  /** The proposals runs left for review (`proposal.json`). */
  proposals: Proposals;
  /** The eval reports to list, newest first, and where they are looked for (said when there is none). */
  evals: { list(): EvalReport[]; where: readonly string[] };
  /** How often a live run page's stream looks for new events. */
  pollMs?: number;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const RUN_ID = /^run_[a-z0-9]+$/;

type Env = { Variables: { access: Access } };

/**
 * The web console: error groups, runs (live), proposals with approve and reject, the
 * queues through bull-board, and the latest eval reports. Server-rendered pages; the
 * one script follows a live run. Served by `steward start` on the API's port.
 */
export function consoleApp(deps: ConsoleDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.get('/', (c) => c.redirect('/console'));
  app.get('/console/login', (c) => c.html(loginPage(false)));
  app.post('/console/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const access = accessOfToken(deps.tokens, token);
    if (!access) return c.html(loginPage(true), 401);
    setCookie(c, COOKIE, digest(token), { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.redirect('/console');
  });
  app.post('/console/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/' });
    return c.redirect('/console/login');
  });

  const guard = requireAccess(deps.tokens);
  app.use('/console/*', guard);
  app.use('/console', guard);
  app.use('/queues/*', guard);
  app.use('/queues', guard);

  app.get('/console', async (c) => {
    const [groups, runs] = await Promise.all([deps.groups.list({ limit: 500 }), deps.store.list({ limit: 1000 })]);
    // Runs come newest first: the first seen for a group is its latest.
    const latest = new Map<string, RunRecord>();
    for (const run of runs) if (!latest.has(run.group)) latest.set(run.group, run);
    return c.html(layout('Error groups', c.get('access'), groupsPage(groups, latest)));
  });
  app.get('/console/runs', async (c) => c.html(layout('Runs', c.get('access'), runsPage(await deps.store.list({ limit: 200 })))));
  app.get('/console/runs/:id', async (c) => {
    const id = c.req.param('id');
    const run = RUN_ID.test(id) ? await deps.store.get(id) : undefined;
    if (!run) return c.html(layout('No such run', c.get('access'), html``), 404);
    const events = await deps.store.events(id);
    return c.html(layout(`Run ${id}`, c.get('access'), runPage(run, events, deps.proposals.has(id))));
  });
  app.get('/console/runs/:id/stream', (c) => {
    const id = c.req.param('id');
    let after = Number(c.req.query('after') ?? 0) || 0;
    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => {
        closed = true;
      });
      let state = '';
      // The timeline so far, read once; the node a new event leaves the run in is worked out from it.
      const timeline = (await deps.store.events(id)).filter((e) => e.seq <= after);
      while (!closed) {
        const [run, events] = await Promise.all([deps.store.get(id), deps.store.events(id, after)]);
        if (!run) break;
        for (const e of events) {
          timeline.push(e);
          const node = e.kind === 'node-started' || e.kind === 'node-finished' ? (currentNode(timeline) ?? '') : undefined;
          await stream.writeSSE({ event: 'event', data: JSON.stringify({ seq: e.seq, line: eventLine(e), ...(node !== undefined ? { node } : {}) }), id: String(e.seq) });
          after = e.seq;
        }
        if (run.state !== state) {
          state = run.state;
          await stream.writeSSE({ event: 'state', data: JSON.stringify({ state, note: run.outcome ?? run.error ?? run.nextAction ?? '' }) });
        }
        if (TERMINAL.has(run.state) && events.length === 0) break;
        await stream.sleep(deps.pollMs ?? 500);
      }
      await stream.writeSSE({ event: 'end', data: '{}' });
    });
  });

  app.get('/console/proposals', async (c) => {
    const waiting = (await deps.store.list({ state: 'awaiting_approval' })).filter((r) => deps.proposals.has(r.id)).map((run) => ({ run, proposal: deps.proposals.read(run.id) }));
    return c.html(layout('Proposals waiting for review', c.get('access'), proposalsPage(waiting)));
  });
  const showProposal = async (c: Context<Env>, id: string, notice?: string, status: 200 | 400 | 409 = 200) => {
    if (!RUN_ID.test(id) || !deps.proposals.has(id)) return c.html(layout('No such proposal', c.get('access'), html``), 404);
    const proposal = deps.proposals.read(id);
    const [run, answered] = await Promise.all([deps.store.get(id), deps.store.lastEvent(id, 'answered')]);
    const decided = decisionOf(answered?.data);
    return c.html(layout(`Proposal for ${proposal.plugin}`, c.get('access'), proposalPage(run, proposal, decided, c.get('access'), notice)), status);
  };
  app.get('/console/proposals/:id', async (c) => {
    const decided = c.req.query('decided');
    if (decided !== 'approve' && decided !== 'reject') return showProposal(c, c.req.param('id'));
    // As `steward review approve|reject` says it: what happens next, and when nothing will take the run.
    const next = decided === 'approve' ? 'approved; a worker publishes the fix branch and the proposal' : 'rejected; a worker records why on the issue';
    const idle = (await deps.control.queue.getWorkersCount()) === 0 ? ' (no worker is running: the run waits in the queue until one starts)' : '';
    return showProposal(c, c.req.param('id'), `${next}${idle}`);
  });
  app.post('/console/proposals/:id/decide', async (c) => {
    const id = c.req.param('id');
    if (c.get('access') !== 'review') return c.json({ error: { type: 'Forbidden', message: 'the review token decides proposals; this one reads' } }, 403);
    const form = await c.req.parseBody();
    const decision = form.decision === 'approve' || form.decision === 'reject' ? form.decision : undefined;
    const by = typeof form.by === 'string' ? form.by.trim() : '';
    const reason = typeof form.reason === 'string' ? form.reason.trim() : '';
    if (!decision || !by) return showProposal(c, id, 'a decision needs approve or reject, and who decides', 400);
    try {
      deps.proposals.read(id);
      await answerRun(deps.control, id, { decision, by, ...(reason ? { reason } : {}) });
    } catch (error) {
      if (error instanceof StewardError) return showProposal(c, id, messageOf(error), 409);
      throw error;
    }
    return c.redirect(`/console/proposals/${id}?decided=${decision}`);
  });

  app.get('/console/evals', (c) => c.html(layout('Eval reports', c.get('access'), evalsPage(deps.evals.list(), deps.evals.where))));
  app.get('/console/evals/:name/report.html', (c) => {
    const listing = deps.evals.list().find((e) => e.name === c.req.param('name'));
    const file = listing ? join(listing.dir, 'report.html') : undefined;
    if (!file || !existsSync(file)) return c.text('no such report', 404);
    return c.html(readFileSync(file, 'utf8'));
  });

  const board = new HonoAdapter(serveStatic);
  board.setBasePath('/queues');
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })), serverAdapter: board });
  app.route('/queues', board.registerPlugin());
  return app;
}
