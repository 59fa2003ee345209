import { html, raw } from 'hono/html';
import type { RunEvent, RunRecord } from '../../runs/types.ts';
import { dataTable, stateSpan, utc, type Html } from './layout.ts';

const ACTIVE = new Set(['queued', 'running', 'awaiting_approval', 'paused']);

export function runsPage(runs: readonly RunRecord[]): Html {
  if (runs.length === 0) return html`<p class="note">No run yet: triage starts one for each error group it takes.</p>`;
  const rows = runs.map(
    (r) =>
      html`<tr>
        <td><a href="/console/runs/${r.id}">${r.id}</a></td>
        <td>${r.plugin}</td>
        <td>${stateSpan(r.state)}</td>
        <td>${r.fixer}</td>
        <td>${r.outcome ?? r.error ?? r.nextAction ?? ''}</td>
        <td>${utc(r.updatedAt)}</td>
      </tr>`,
  );
  return dataTable(['run', 'plugin', 'state', 'fixer', 'outcome or next', 'updated (UTC)'], rows);
}

/** The node a run is in: the last one started and not finished. */
export function currentNode(events: readonly RunEvent[]): string | undefined {
  const open: string[] = [];
  for (const e of events) {
    const node = (e.data as { node?: unknown } | null)?.node;
    if (typeof node !== 'string') continue;
    if (e.kind === 'node-started') open.push(node);
    else if (e.kind === 'node-finished') open.splice(open.lastIndexOf(node), 1);
  }
  return open.at(-1);
}

/** One line of a run's log, as the page and its live stream show it. */
export function eventLine(e: RunEvent): string {
  const data = JSON.stringify(e.data ?? null);
  return `${e.at.slice(11, 19)}  #${e.seq}  ${e.kind}  ${data.length > 240 ? `${data.slice(0, 240)}…` : data}`;
}

/**
 * A run, its graph's current node and its log; while it is active, the page follows
 * it through server-sent events (the only script in the console).
 */
export function runPage(run: RunRecord, events: readonly RunEvent[], hasProposal: boolean): Html {
  const last = events.at(-1)?.seq ?? 0;
  const live = ACTIVE.has(run.state);
  return html`<p>plugin <strong>${run.plugin}</strong>, group <code>${run.group}</code>, fixer ${run.fixer}, playbook ${run.playbook}; ${run.tokensUsed} model token(s)</p>
    <p>
      state <span id="state">${stateSpan(run.state)}</span>; node
      <strong id="node">${currentNode(events) ?? '-'}</strong>${hasProposal ? html`; <a href="/console/proposals/${run.id}">the proposal</a>` : ''}
    </p>
    <p id="outcome">${run.outcome ?? run.error ?? run.nextAction ?? ''}</p>
    <h2>Log${live ? html` <small class="note" id="live">(live)</small>` : ''}</h2>
    <pre id="log">${events.map(eventLine).join('\n')}</pre>
    ${
      live
        ? html`<script>
            ${raw(`(() => {
  const source = new EventSource(${JSON.stringify(`/console/runs/${run.id}/stream?after=${last}`)});
  const log = document.getElementById('log');
  source.addEventListener('event', (m) => { const e = JSON.parse(m.data); log.textContent += (log.textContent ? '\\n' : '') + e.line; if (e.node !== undefined) document.getElementById('node').textContent = e.node || '-'; });
  source.addEventListener('state', (m) => { const s = JSON.parse(m.data); const el = document.getElementById('state'); el.innerHTML = ''; const span = document.createElement('span'); span.className = 'state ' + s.state; span.textContent = s.state.replace(/_/g, ' '); el.appendChild(span); document.getElementById('outcome').textContent = s.note || ''; });
  source.addEventListener('end', () => { source.close(); const l = document.getElementById('live'); if (l) l.textContent = '(finished)'; });
})();`)};
          </script>`
        : ''
    }`;
}
