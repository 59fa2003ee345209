import type { Comparison } from '../compare.ts';
import { describePrecision } from '../precision.ts';
import type { Attempt, Results } from '../results.ts';
import { escape } from './html.ts';
import { describeRate, outcomeOf } from './markdown.ts';

/** A side's settings, as a row of the settings table. */
function settingsOf(results: Results): string[] {
  const { config } = results;
  return [
    config.suite.name,
    config.fixer,
    config.model ?? '-',
    `${config.playbook.name} ${config.playbook.version} (${config.playbook.hash.slice(0, 12)})`,
    String(config.repeat),
    results.startedAt || '-',
  ];
}

/** The attempts of a task on one side, in repeat order: one cell reads "resolved, no-candidate". */
const attemptsOf = (results: Results, task: string): Attempt[] => results.attempts.filter((a) => a.task === task).sort((x, y) => x.repeat - y.repeat);

const cell = (text: string): string => `<td>${escape(text)}</td>`;

/** A patch in a closed box, so a long page stays readable; "none" when the side proposed none. */
const patchBox = (label: string, patch: string | null | undefined): string =>
  patch ? `<details><summary>${escape(label)}</summary><pre class="diff">${colourLines(patch)}</pre></details>` : `<p>${escape(label)}: none</p>`;

function colourLines(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      const kind = /^(\+\+\+|---) /.test(line) ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
      return kind ? `<span class="${kind}">${escape(line)}</span>` : escape(line);
    })
    .join('\n');
}

/**
 * comparison.html: one self-contained page (no script, no network) of A against B:
 * the warnings first, both sides' settings, the test, every task that flipped, and
 * for each task whose patch changed, both patches.
 */
export function renderComparisonHtml(c: Comparison, a: Results, b: Results): string {
  const warnings = c.warnings.length > 0 ? `<div class="warn"><h2>Read this first</h2><ul>${c.warnings.map((w) => `<li>${escape(w)}</li>`).join('')}</ul></div>` : '';
  const verdict = c.verdict === 'no significant difference' ? `not significantly different from ${c.a.label}` : `${c.verdict} than ${c.a.label}`;
  const flags = c.flags.includes('more-overfits')
    ? `<p class="bad">Flagged: ${escape(c.b.label)} proposes more patches that fail the hidden tests (${c.a.overfits} → ${c.b.overfits}; more in ${escape(c.overfits.more.join(', '))}), whatever its success rate.</p>`
    : '';
  const sideRow = (side: Comparison['a'], results: Results): string =>
    `<tr><th>${escape(side.label)}</th>${settingsOf(results).map(cell).join('')}<td>${escape(describeRate(side.rate))}</td><td>${escape(describePrecision(side.precision))}</td><td>${side.overfits}</td></tr>`;
  const flipped = [...c.improved.map((t) => [t, 'improved'] as const), ...c.regressed.map((t) => [t, 'regressed'] as const)].sort(([x], [y]) => x.localeCompare(y));
  const flipRows = flipped.map(
    ([task, way]) =>
      `<tr class="${way === 'improved' ? 'ok' : 'bad'}">${cell(task)}${cell(way)}${cell(
        attemptsOf(a, task)
          .map((x) => outcomeOf(x))
          .join(', '),
      )}${cell(
        attemptsOf(b, task)
          .map((x) => outcomeOf(x))
          .join(', '),
      )}</tr>`,
  );
  const paired = [...new Set(a.attempts.map((x) => x.task))].filter((task) => !c.unpaired.includes(task)).sort();
  const changed = paired.flatMap((task) => {
    const [pa, pb] = [attemptsOf(a, task)[0]?.patch ?? null, attemptsOf(b, task)[0]?.patch ?? null];
    if (pa === pb) return [];
    return [`<h3>${escape(task)}</h3>${patchBox(`${c.a.label}: ${outcomeOf(attemptsOf(a, task)[0]!)}`, pa)}${patchBox(`${c.b.label}: ${outcomeOf(attemptsOf(b, task)[0]!)}`, pb)}`];
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Compare: ${escape(c.a.label)} and ${escape(c.b.label)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1080px; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #e4e4e4; padding: 3px 6px; text-align: left; vertical-align: top; }
tr.bad td:nth-child(2), .bad { color: #b3261e; } tr.ok td:nth-child(2) { color: #1e7a43; }
.warn { background: #fff4e0; border: 1px solid #e0a040; padding: 0 1rem; }
pre.diff { background: #f7f7f7; padding: 6px; overflow-x: auto; } .add { color: #1e7a43; } .del { color: #b3261e; } .hunk { color: #2a6fb0; } .file { font-weight: bold; }
</style></head><body>
<h1>${escape(c.b.label)} against ${escape(c.a.label)}</h1>
${warnings}
<h2>Settings and results</h2>
<table><thead><tr><th>side</th><th>suite</th><th>fixer</th><th>model</th><th>playbook</th><th>repeat</th><th>started</th><th>success</th><th>precision</th><th>overfits</th></tr></thead>
<tbody>${sideRow(c.a, a)}${sideRow(c.b, b)}</tbody></table>
<p>${c.tasks} paired task(s); ${c.test === 'mcnemar-exact' ? 'exact McNemar test' : 'sign-flip test over tasks'}: difference ${(c.difference * 100).toFixed(1)} points${
    c.interval ? ` (bootstrap 95% interval ${(c.interval.low * 100).toFixed(1)} to ${(c.interval.high * 100).toFixed(1)})` : ''
  }, p = ${c.p.toPrecision(3)}. <strong>Verdict: ${escape(c.b.label)} is ${escape(verdict)}</strong> (alpha ${c.alpha}).</p>
${flags}
<h2>Tasks that flipped: ${flipped.length || 'none'}</h2>
${flipped.length > 0 ? `<table><thead><tr><th>task</th><th>in ${escape(c.b.label)}</th><th>${escape(c.a.label)}</th><th>${escape(c.b.label)}</th></tr></thead><tbody>${flipRows.join('')}</tbody></table>` : ''}
<h2>Patches that changed: ${changed.length || 'none'}</h2>
${changed.join('\n')}
</body></html>
`;
}
