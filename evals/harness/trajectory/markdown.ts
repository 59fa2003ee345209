import { fenced } from '../../../orchestrator/core/markdown.ts';
import { mdTable, oneLine } from '../report/md-blocks.ts';
import type { CandidateStep, RunTrajectory, Trajectory } from './schema.ts';

/** A value as a person reads it: text as it is, a small value as inline JSON, anything bigger as an indented block. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  const inline = JSON.stringify(value) ?? String(value);
  return inline.length <= 100 && !inline.includes('`') ? `\`${inline}\`` : fenced(JSON.stringify(value, null, 2), 'json');
}

/** A section's heading: level 2 for the first run, 3 inside a later group's section. */
type Level = '##' | '###';

function issueSection(t: RunTrajectory, h: Level, notDispatched: string | null): string[] {
  const lines = [`${h} Issue as opened`, ''];
  if (!t.issue) return [...lines, notDispatched ? `No run was dispatched: ${notDispatched}.` : 'No issue was opened.', ''];
  lines.push(`#${t.issue.number} **${t.issue.title}** (${t.issue.url})`, '', fenced(t.issue.body, 'markdown'), '');
  if (t.issue.comments.length > 0) lines.push(`Comments added during the run (${t.issue.comments.length}):`, '', ...t.issue.comments.map((c) => fenced(c, 'markdown')), '');
  return lines;
}

function reproductionSection(t: RunTrajectory, h: Level): string[] {
  const lines = [`${h} Reproduction`, ''];
  const r = t.reproduction;
  if (!r) return [...lines, 'The run did not get to a reproduction.', ''];
  const error = r.error ? `: \`${r.error.type}\`: ${r.error.message}${r.sameError ? ' (the same error type as in production)' : ' (not the production error type)'}` : '';
  lines.push(`Status: **${r.status}**${error}`, '', `Captured inputs (${r.captured.length}, newest first):`, '');
  lines.push(...r.captured.map((input, i) => `${i + 1}. \`${oneLine(input)}\``), '', 'Tried, and what happened:', '', ...r.tried.map((line) => `- ${line}`), '');
  if (r.failingInput !== undefined) lines.push('The failing input:', '', fenced(JSON.stringify(r.failingInput, null, 2), 'json'), '');
  if (r.runs.length > 0) lines.push('Sandboxed runs:', '', ...r.runs.map((run) => `- ${oneLine(run)}`), '');
  return lines;
}

function suspectsSection(t: RunTrajectory, h: Level): string[] {
  const lines = [`${h} Suspects`, ''];
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

function candidatesSection(t: RunTrajectory, h: Level): string[] {
  const lines = [`${h} Candidates`, ''];
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

function proposalSection(t: RunTrajectory, h: Level): string[] {
  const lines = [`${h} Proposal and evidence`, ''];
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

const runLine = (t: RunTrajectory): string => (t.run ? `run \`${t.run.id}\` ended \`${t.run.state}\`${t.run.error ? ` (${t.run.error})` : ''}` : 'no run');

function runSections(t: RunTrajectory, h: Level, notDispatched: string | null): string[] {
  return [...issueSection(t, h, notDispatched), ...reproductionSection(t, h), ...suspectsSection(t, h), ...candidatesSection(t, h), ...proposalSection(t, h)];
}

/** The runs of the task's later error groups, each after the earlier fixes were merged. */
function followUpSections(t: Trajectory): string[] {
  return t.followUps.flatMap((run, i) => [
    `## Error group ${i + 2}`,
    '',
    `The task's events made another error group; triage gave it a ${runLine(run)}, on the library with the earlier fixes merged.`,
    '',
    ...runSections(run, '###', null),
  ]);
}

/** A trajectory as a reviewer reads it, top to bottom in the order the runs went. */
export function renderTrajectory(t: Trajectory): string {
  const groups = t.followUps.length > 0 ? ` The task's events made ${t.followUps.length + 1} error groups, one run each.` : '';
  const stopped = t.stopped ? ` Later groups got no run: ${t.stopped}.` : '';
  return [
    `# Trajectory: ${t.task} #${t.repeat}`,
    '',
    `Outcome **${t.outcome}**${t.detail ? `: ${t.detail}` : ''}; ${runLine(t)}.${groups}${stopped}`,
    '',
    ...runSections(t, '##', t.notDispatched),
    ...followUpSections(t),
    '## Patch',
    '',
    t.patch ? fenced(t.patch, 'diff') : 'None.',
    '',
    `Every event of each run is in the JSON beside this file (\`${t.repeat}.json\`, \`events\`${t.followUps.length > 0 ? ' and `followUps[].events`' : ''}).`,
    '',
  ].join('\n');
}
