import type { Rate, Results } from '../results.ts';
import { describeRate, outcomeOf, percent, taskWarnings } from './markdown.ts';
import { attemptOf, OVERFIT_MEANING, patchFileOf, precisionLine, readableOf } from './overfits.ts';

export const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Horizontal bars of success rates with their 95% Wilson intervals as whiskers, as inline SVG. */
function rateChart(title: string, rows: [string, Rate][]): string {
  const width = 640;
  const label = 180;
  const bar = 18;
  const gap = 10;
  const plot = width - label - 90;
  const height = rows.length * (bar + gap) + 30;
  const x = (value: number): number => label + value * plot;
  const items = rows.map(([name, rate], i) => {
    const y = 20 + i * (bar + gap);
    return [
      `<text x="${label - 8}" y="${y + bar - 4}" text-anchor="end">${escape(name)}</text>`,
      `<rect x="${label}" y="${y}" width="${(rate.rate * plot).toFixed(1)}" height="${bar}" fill="#3b7dd8"><title>${escape(describeRate(rate))}</title></rect>`,
      `<line x1="${x(rate.low).toFixed(1)}" x2="${x(rate.high).toFixed(1)}" y1="${y + bar / 2}" y2="${y + bar / 2}" stroke="#222" stroke-width="2"/>`,
      `<line x1="${x(rate.low).toFixed(1)}" x2="${x(rate.low).toFixed(1)}" y1="${y + 3}" y2="${y + bar - 3}" stroke="#222" stroke-width="2"/>`,
      `<line x1="${x(rate.high).toFixed(1)}" x2="${x(rate.high).toFixed(1)}" y1="${y + 3}" y2="${y + bar - 3}" stroke="#222" stroke-width="2"/>`,
      `<text x="${x(1) + 8}" y="${y + bar - 4}">${rate.successes}/${rate.attempts} ${percent(rate.rate)}</text>`,
    ].join('');
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) => `<line x1="${x(t)}" x2="${x(t)}" y1="12" y2="${height - 12}" stroke="#ddd"/><text x="${x(t)}" y="${height - 2}" text-anchor="middle" class="tick">${percent(t)}</text>`,
  );
  return `<h2>${escape(title)}</h2><svg role="img" aria-label="${escape(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${ticks.join('')}${items.join('')}</svg>`;
}

/** Wall time per attempt, one bar each, coloured by outcome. */
function costChart(results: Results): string {
  const width = 640;
  const label = 220;
  const bar = 12;
  const gap = 4;
  const max = Math.max(1, ...results.attempts.map((a) => a.costs.wallMs));
  const height = results.attempts.length * (bar + gap) + 20;
  const items = results.attempts.map((a, i) => {
    const y = 4 + i * (bar + gap);
    const w = (a.costs.wallMs / max) * (width - label - 120);
    const colour = a.success ? '#2e9d5b' : '#d0473c';
    return `<text x="${label - 8}" y="${y + bar - 2}" text-anchor="end">${escape(`${a.task}${results.config.repeat > 1 ? ` #${a.repeat}` : ''}`)}</text><rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${colour}"><title>${escape(outcomeOf(a))}</title></rect><text x="${label + w + 6}" y="${y + bar - 2}">${(a.costs.wallMs / 1000).toFixed(1)} s, ${a.costs.candidatesTried} cand.</text>`;
  });
  return `<h2>Cost per task (wall time; green resolved or correct)</h2><svg role="img" aria-label="cost per task" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${items.join('')}</svg>`;
}

/** Tasks whose baseline says they may not measure what they claim (as report.md lists them). */
function warningsSection(results: Results): string {
  const warned = taskWarnings(results, 'its hidden tests pass on the original plugin');
  if (warned.length === 0) return '';
  const items = warned.map((t) => `<li><code>${escape(t.id)}</code>: ${escape(t.notes.join('; '))}</li>`);
  return `<h2>Task warnings</h2><ul>${items.join('')}</ul>`;
}

/** A link to a file of the out directory, relative: the report opens from disk beside it. */
const fileLink = (path: string, label: string): string => `<a href="${escape(encodeURI(path))}">${escape(label)}</a>`;

/** The overfits first, as report.md has them. */
function overfitSection(results: Results): string {
  const { overfits } = results.summary;
  const head = `<h2>Overfit patches: ${overfits.length || 'none'}</h2>\n<p>${escape(precisionLine(results))}.</p>`;
  if (overfits.length === 0) return `${head}\n<p>No proposed patch failed the hidden tests.</p>`;
  const rows = overfits.map((o) => {
    const patch = o.trajectory && attemptOf(results, o.task, o.repeat)?.patch ? fileLink(patchFileOf(o.trajectory), 'patch') : 'in results.json';
    const trajectory = o.trajectory ? fileLink(readableOf(o.trajectory), 'trajectory') : '-';
    return `<tr><td>${escape(o.task)}</td><td>${o.repeat}</td><td>${escape(o.fixer)}</td><td>${escape((o.detail ?? '').slice(0, 200))}</td><td>${trajectory}</td><td>${patch}</td></tr>`;
  });
  return `${head}\n<p>${escape(OVERFIT_MEANING)}</p>\n<table class="overfits"><thead><tr><th>task</th><th>repeat</th><th>fixer</th><th>hidden tests</th><th>trajectory</th><th>patch</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Each operator family's yield, as report.md has it. */
function familySection(results: Results): string {
  const families = Object.entries(results.summary.families);
  if (families.length === 0) return '';
  const cells = (values: (string | number)[]): string => values.map((v) => `<td>${escape(String(v))}</td>`).join('');
  const rows = families.map(([name, f]) => `<tr>${cells([name, f.tried, f.passed, f.validated, f.proposed, f.resolved])}</tr>`).join('');
  return `<h2>Operator families</h2>\n<table><thead><tr><th>family</th><th>tried</th><th>passed</th><th>validated</th><th>proposed</th><th>resolved</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** report.html: one self-contained file (no script, no network) a person opens from disk. */
export function renderHtml(results: Results): string {
  const { config, summary } = results;
  const rows = results.attempts
    .map(
      (a) =>
        `<tr class="${a.success ? 'ok' : 'bad'}"><td>${a.trajectory ? fileLink(readableOf(a.trajectory), a.task) : escape(a.task)}</td><td>${a.tier}</td><td>${escape(a.category)}</td><td>${a.repeat}</td><td>${escape(outcomeOf(a))}</td><td>${(a.costs.wallMs / 1000).toFixed(1)} s</td><td>${a.costs.candidatesTried}</td><td>${a.costs.tokens}</td><td>${escape((a.detail ?? '').slice(0, 160))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval: ${escape(config.suite.name)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
svg text { font: 12px system-ui, sans-serif; } svg .tick { fill: #777; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #e4e4e4; padding: 3px 6px; text-align: left; }
tr.bad td:nth-child(5) { color: #b3261e; } tr.ok td:nth-child(5) { color: #1e7a43; }
table.overfits td { color: #b3261e; } table.overfits a { color: inherit; }
</style></head><body>
<h1>Eval: ${escape(config.suite.name)}</h1>
${overfitSection(results)}
<h2>Run</h2>
<p>${escape(config.suite.description)}</p>
<p>fixer <code>${escape(config.fixer)}</code>${config.model ? `, model <code>${escape(config.model)}</code>` : ''}; playbook <code>${escape(config.playbook.name)}</code> ${escape(config.playbook.version)} (<code>${escape(config.playbook.hash)}</code>);
${results.tasks.length} tasks × ${config.repeat} repeat(s); wall ${(results.wallMs / 1000).toFixed(1)} s.</p>
<p><strong>Success ${escape(describeRate(summary.overall))}</strong>, 95% Wilson intervals; ${escape(precisionLine(results))}.${summary.flaky.length ? ` Flaky: ${escape(summary.flaky.join(', '))}.` : ''}</p>
${rateChart(
  'Success rate by tier',
  Object.entries(summary.byTier).map(([tier, rate]) => [`tier ${tier}`, rate]),
)}
${rateChart('Success rate by category', Object.entries(summary.byCategory))}
${costChart(results)}
${warningsSection(results)}
${familySection(results)}
<h2>Attempts</h2>
<p>Each task links to its attempt's trajectory: the issue, the reproduction, the suspects, every candidate and its verdict, the evidence and the patch.</p>
<table><thead><tr><th>task</th><th>tier</th><th>category</th><th>repeat</th><th>outcome</th><th>wall</th><th>candidates</th><th>tokens</th><th>detail</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
