import { html } from 'hono/html';
import type { EvalReport } from '../types.ts';
import { dataTable, utc, type Html } from './layout.ts';

export function evalsPage(evals: readonly EvalReport[], where: readonly string[]): Html {
  if (evals.length === 0) return html`<p class="note">No eval report in ${where.join(' or ')} yet: <code>steward eval run &lt;suite&gt;</code> writes one.</p>`;
  const rows = evals.map(
    (e) =>
      html`<tr>
        <td><a href="/console/evals/${e.name}/report.html">${e.name}</a></td>
        <td>${e.suite}</td>
        <td>${e.fixer}</td>
        <td>${e.success}</td>
        <td>${e.precision}</td>
        <td>${utc(e.finishedAt)}</td>
      </tr>`,
  );
  return dataTable(['report', 'suite', 'fixer', 'success', 'precision', 'finished (UTC)'], rows);
}
