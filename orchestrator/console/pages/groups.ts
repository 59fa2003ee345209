import { html } from 'hono/html';
import type { Group } from '../../ingest/groups.ts';
import type { RunRecord } from '../../runs/types.ts';
import { dataTable, sparkline, stateSpan, utc, type Html } from './layout.ts';

/** The error groups, newest first: counts, versions, status, events over the last day, and the group's latest run. */
export function groupsPage(groups: readonly Group[], latestRun: ReadonlyMap<string, RunRecord>): Html {
  if (groups.length === 0) return html`<p class="note">No error group yet: events sent to the ingest routes are grouped here.</p>`;
  const rows = groups.map((g) => {
    const run = latestRun.get(g.id);
    return html`<tr>
      <td><code title="${g.id}">${g.id.slice(0, 12)}</code></td>
      <td>${g.plugin}</td>
      <td>${g.type}: ${g.message.slice(0, 120)}</td>
      <td>${g.count}</td>
      <td>${sparkline(g.hourly)}</td>
      <td>${g.versions.join(', ')}</td>
      <td>${stateSpan(g.status)}${g.needsHuman ? html` <span class="bad">needs a person</span>` : ''}</td>
      <td>${run ? html`<a href="/console/runs/${run.id}">${run.id}</a> ${stateSpan(run.state)}` : '-'}</td>
      <td>${utc(g.lastSeen)}</td>
    </tr>`;
  });
  return dataTable(['group', 'plugin', 'error', 'events', 'last 24 h', 'versions', 'status', 'run', 'last seen (UTC)'], rows);
}
