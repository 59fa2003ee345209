import { fenced } from '../../../orchestrator/core/markdown.ts';
import { mdTable, oneLine } from '../report/md-blocks.ts';
import type { CandidateStep, Trajectory } from './schema.ts';

/** A value as a person reads it: text as it is, a small value as inline JSON, anything bigger as an indented block. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  const inline = JSON.stringify(value) ?? String(value);
  return inline.length <= 100 && !inline.includes('`') ? `\`${inline}\`` : fenced(JSON.stringify(value, null, 2), 'json');
}

function issueSection(t: Trajectory): string[] {
  const lines = ['## Issue as opened', ''];
  if (!t.issue) return [...lines, t.notDispatched ? `No run was dispatched: ${t.notDispatched}.` : 'No issue was opened.', ''];
  lines.push(`#${t.issue.number} **${t.issue.title}** (${t.issue.url})`, '', fenced(t.issue.body, 'markdown'), '');
  if (t.issue.comments.length > 0) lines.push(`Comments added during the run (${t.issue.comments.length}):`, '', ...t.issue.comments.map((c) => fenced(c, 'markdown')), '');
  return lines;
}

function reproductionSection(t: Trajectory): string[] {
  const lines = ['## Reproduction', ''];
  const r = t.reproduction;
  if (!r) return [...lines, 'The run did not get to a reproduction.', ''];
  const error = r.error ? `: \`${r.error.type}\`: ${r.error.message}${r.sameError ? ' (the same error type as in production)' : ' (not the production error type)'}` : '';
  lines.push(`Status: **${r.status}**${error}`, '', `Captured inputs (${r.captured.length}, newest first):`, '');
  lines.push(...r.captured.map((input, i) => `${i + 1}. \`${oneLine(input)}\``), '', 'Tried, and what happened:', '', ...r.tried.map((line) => `- ${line}`), '');
  if (r.failingInput !== undefined) lines.push('The failing input:', '', fenced(JSON.stringify(r.failingInput, null, 2), 'json'), '');
  if (r.runs.length > 0) lines.push('Sandboxed runs:', '', ...r.runs.map((run) => `- ${oneLine(run)}`), '');
  return lines;
}

function suspectsSection(t: Trajectory): string[] {
  const lines = ['## Suspects', ''];
  if (t.suspects.length === 0) lines.push('None ranked.', '');
  else
    lines.push(
      mdTable(
        ['#', 'where', 'score', 'why'],
        t.suspects.map((s, i) => [String(i + 1), `${s.file}${s.line === null ? '' : `:${s.line}`}`, String(s.score), s.reason]),
      ),
      '',
    );
  if (t.spectrum.length > 0) lines.push('Lines ranked by coverage (the failing reproduction against the passing tests):', '', ...t.spectrum.map((l) => `- ${oneLine(l)}`), '');
  return lines;
}

const verdictCell = (c: CandidateStep): string => (c.proposed ? `${c.verdict}, **proposed**` : c.rejected ? `${c.verdict}: ${c.rejected}` : c.verdict);

function candidatesSection(t: Trajectory): string[] {
  const lines = ['## Candidates', ''];
  const search = t.candidates.filter((c) => c.stage === 'search');
  const validate = t.candidates.filter((c) => c.stage === 'validate');
  if (t.search.length > 0) lines.push('What the fixers and validation reported:', '', ...t.search.map(({ kind, ...rest }) => `- ${kind}: ${oneLine(rest, 400)}`), '');
  if (search.length > 0) {
    lines.push(`Checked by the fixer as it searched (${search.length}):`, '');
    lines.push(
      mdTable(
        ['#', 'fixer', 'change', 'verdict'],
        search.map((c, i) => [String(i + 1), c.fixer, c.change, verdictCell(c)]),
      ),
      '',
    );
  }
  lines.push(`Validated by steward (${validate.length}):`, '');
  const notes = (c: CandidateStep): string => (Object.keys(c.notes).length > 0 ? oneLine(c.notes) : '');
  if (validate.length > 0)
    lines.push(
      mdTable(
        ['#', 'fixer', 'files', 'verdict', 'rationale', 'recorded with it'],
        validate.map((c, i) => [String(i + 1), c.fixer, c.change, verdictCell(c), c.rationale ?? '', notes(c)]),
      ),
    );
  else lines.push('No candidate reached validation.');
  return [...lines, ''];
}

function proposalSection(t: Trajectory): string[] {
  const lines = ['## Proposal and evidence', ''];
  const p = t.proposal;
  if (!p) return [...lines, 'Nothing was proposed.', ''];
  lines.push(`Fixer \`${p.fixer}\`; ${p.validated ?? '?'} candidate(s) validated of ${p.tried ?? '?'}; ${oneLine(p.stats)}.`, '', p.rationale, '', 'Evidence:', '');
  // Every field the agent recorded, the ones added after this renderer was written (a behaviour report) included.
  for (const [key, value] of Object.entries(p.evidence)) {
    const body = shown(value);
    lines.push(body.includes('\n') ? `- **${key}**:\n\n${body.replace(/^/gm, '  ')}\n` : `- **${key}**: ${body}`);
  }
  return [...lines, ''];
}

/** A trajectory as a reviewer reads it, top to bottom in the order the run went. */
export function renderTrajectory(t: Trajectory): string {
  const run = t.run ? `run \`${t.run.id}\` ended \`${t.run.state}\`${t.run.error ? ` (${t.run.error})` : ''}` : 'no run';
  return [
    `# Trajectory: ${t.task} #${t.repeat}`,
    '',
    `Outcome **${t.outcome}**${t.detail ? `: ${t.detail}` : ''}; ${run}.`,
    '',
    ...issueSection(t),
    ...reproductionSection(t),
    ...suspectsSection(t),
    ...candidatesSection(t),
    ...proposalSection(t),
    '## Patch',
    '',
    t.patch ? fenced(t.patch, 'diff') : 'None.',
    '',
    `Every event of the run is in the JSON beside this file (\`${t.repeat}.json\`, \`events\`).`,
    '',
  ].join('\n');
}
