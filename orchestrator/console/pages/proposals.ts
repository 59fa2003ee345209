import hljs from 'highlight.js/lib/core';
import diffLanguage from 'highlight.js/lib/languages/diff';
import { html, raw } from 'hono/html';
import type { Decision } from '../../runs/control.ts';
import type { RunRecord } from '../../runs/types.ts';
import type { Access } from '../auth.ts';
import type { ProposalView } from '../types.ts';
import { dataTable, stateSpan, type Html } from './layout.ts';

hljs.registerLanguage('diff', diffLanguage);

/** A diff with highlight.js's markup (it escapes the text itself). */
const highlighted = (diff: string): Html => html`<pre><code class="hljs language-diff">${raw(hljs.highlight(diff, { language: 'diff' }).value)}</code></pre>`;

export function proposalsPage(waiting: readonly { run: RunRecord; proposal: ProposalView }[]): Html {
  if (waiting.length === 0) return html`<p class="note">No validated fix waits for review.</p>`;
  const rows = waiting.map(
    ({ run, proposal }) =>
      html`<tr>
        <td><a href="/console/proposals/${run.id}">${run.id}</a></td>
        <td>${proposal.plugin}</td>
        <td>${proposal.fixer}</td>
        <td>+${proposal.stats.added} −${proposal.stats.removed}</td>
        <td>${proposal.rationale}</td>
        <td>${proposal.evidence.warnings.length > 0 ? html`<span class="bad">${proposal.evidence.warnings.length} warning(s)</span>` : ''}</td>
      </tr>`,
  );
  return dataTable(['run', 'plugin', 'fixer', 'size', 'why', ''], rows);
}

/**
 * One proposal as `steward review show` gives it: the evidence, the diff (highlighted),
 * the runners-up, and for a reviewer the approve and reject forms, which do what the
 * CLI's `review approve` and `review reject` do.
 */
export function proposalPage(run: RunRecord | undefined, proposal: ProposalView, decided: Decision | undefined, access: Access, notice?: string): Html {
  const { evidence } = proposal;
  const waiting = run?.state === 'awaiting_approval';
  const decide =
    waiting && access === 'review'
      ? html`<form class="decide" method="post" action="/console/proposals/${proposal.run}/decide">
          <label>by <input name="by" required size="14" /></label> <label>reason <input name="reason" size="40" /></label>
          <button class="approve" name="decision" value="approve">approve</button><button class="reject" name="decision" value="reject">reject</button>
        </form>`
      : waiting
        ? html`<p class="note">Signed in read-only: the review token approves and rejects.</p>`
        : '';
  return html`${notice ? html`<p class="ok" id="notice">${notice}</p>` : ''}
    <p>
      run <a href="/console/runs/${proposal.run}">${proposal.run}</a> ${run ? stateSpan(run.state) : '(gone)'}; plugin
      <strong>${proposal.plugin}</strong>${proposal.issue ? html`; issue <a href="${proposal.issue.url}">#${proposal.issue.number}</a>` : ''}
    </p>
    <p>fixer ${proposal.fixer}: ${proposal.validated} of ${proposal.tried} candidate(s) validated</p>
    ${proposal.refuses ? html`<p class="bad">This change refuses the call with ${proposal.refuses.type}: ${proposal.refuses.message}; it does not make the call succeed.</p>` : ''}
    <p><strong>Why:</strong> ${proposal.rationale}</p>
    <h2>Evidence</h2>
    <ul>
      <li>before: ${evidence.before}</li>
      <li>after: ${evidence.after}</li>
      <li>suite: ${evidence.suite.passed} passed, ${evidence.suite.failed} failed (${evidence.suite.baselinePassed} passed on the original)</li>
      ${proposal.evidenceLines.map((line) => html`<li class="${line.startsWith('- warning') ? 'bad' : ''}">${line.replace(/^\s*- /, '')}</li>`)}
    </ul>
    ${decided ? html`<p id="decision" class="${decided.decision === 'approve' ? 'ok' : 'bad'}">${decided.decision === 'approve' ? 'approved' : 'rejected'} by ${decided.by}${decided.reason ? `: ${decided.reason}` : ''}</p>` : ''}
    ${decide}
    <h2>Change</h2>
    ${highlighted(proposal.diff)}
    ${
      proposal.others.length > 0
        ? html`<h2>Other validated candidates (${proposal.validated - 1})</h2>
            ${proposal.others.map(
              (o, i) =>
                html`<h3>${i + 2}. ${o.fixer}${o.outputsChanged > 0 ? `, changes ${o.outputsChanged} output(s)` : ''}</h3>
                  <p>${o.rationale}</p>
                  ${highlighted(o.diff)}`,
            )}`
        : ''
    }`;
}
