import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../../orchestrator/core/files.ts';
import type { RunEvent } from '../../../orchestrator/runs/types.ts';
import type { PipelineOutcome, RunOutcome } from '../outcome.ts';
import type { Attempt } from '../results.ts';
import { renderTrajectory } from './markdown.ts';
import type { CandidateStep, RunTrajectory, Trajectory } from './schema.ts';

/**
 * The parts of the agent's state a trajectory shows, read leniently: the state is the
 * agent's own and grows; a part that no longer has this shape is left out, never fatal.
 */
const loose = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const thrown = z.object({ type: z.string(), message: z.string() });
const files = z.record(z.string(), z.string().nullable());
const stateSchema = z.object({
  issue: loose(z.object({ number: z.number() })),
  context: loose(z.object({ inputs: z.array(z.unknown()) })),
  reproduction: loose(
    z.object({
      status: z.string(),
      request: z.object({ input: z.unknown() }).optional(),
      error: thrown.optional(),
      sameError: z.boolean(),
      tried: z.array(z.string()),
    }),
  ),
  suspects: loose(z.array(z.object({ file: z.string(), line: z.number().nullable(), score: z.number(), reason: z.string() }))),
  candidates: loose(z.array(z.object({ fixer: z.string(), files, rationale: z.string() }))),
  proposal: loose(
    z.object({
      fixer: z.string(),
      rationale: z.string(),
      files,
      diff: z.string(),
      stats: z.record(z.string(), z.unknown()),
      evidence: z.record(z.string(), z.unknown()),
      validated: z.number().optional(),
      tried: z.number().optional(),
    }),
  ),
});
type KnownState = z.output<typeof stateSchema>;

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const ofKind = (events: readonly RunEvent[], ...kinds: string[]): RunEvent[] => events.filter((e) => kinds.includes(e.kind));

/** An event's fields other than those a candidate step shows on its own. */
function notesOf(data: Record<string, unknown>, shown: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !shown.includes(key)));
}

/** The offline search's verdicts, as a person reads them; anything else (an `error: …`) is shown as it is. */
const SEARCH_VERDICTS: Record<string, string | null> = {
  passes: null,
  refuses: null,
  'still-fails': 'the reproduction still fails with it',
  'breaks-tests': 'tests that passed on the original fail with it',
};

function searchSteps(events: readonly RunEvent[]): CandidateStep[] {
  return ofKind(events, 'candidate-tried').map(({ data }) => {
    const d = record(data);
    const verdict = text(d.verdict) ?? 'unknown';
    return {
      stage: 'search',
      fixer: text(d.fixer) ?? '?',
      change: [text(d.template), text(d.file)].filter(Boolean).join(' in ') || '?',
      verdict,
      rejected: verdict in SEARCH_VERDICTS ? (SEARCH_VERDICTS[verdict] ?? null) : verdict,
      rationale: text(d.rationale),
      proposed: false,
      notes: notesOf(d, ['fixer', 'template', 'file', 'verdict', 'rationale']),
    };
  });
}

/**
 * Validation emits one `candidate` event per candidate, in the order of the state's
 * candidates: paired by position to name what each one changes, when the counts agree.
 */
function validateSteps(events: readonly RunEvent[], state: KnownState): CandidateStep[] {
  const verdicts = ofKind(events, 'candidate').map((e) => record(e.data));
  const candidates = state.candidates?.length === verdicts.length ? state.candidates : undefined;
  const steps: CandidateStep[] = verdicts.map((d, i) => {
    const candidate = candidates?.[i];
    const verdict = text(d.verdict) ?? 'unknown';
    return {
      stage: 'validate',
      fixer: text(d.fixer) ?? candidate?.fixer ?? '?',
      change: candidate ? Object.keys(candidate.files).join(', ') : '?',
      verdict,
      rejected: verdict === 'validated' ? null : (text(d.reason) ?? verdict),
      rationale: candidate?.rationale ?? null,
      proposed: false,
      notes: notesOf(d, ['fixer', 'verdict', 'reason']),
    };
  });
  const chosen = steps.findIndex((step, i) => step.verdict === 'validated' && becameProposal(candidates?.[i], state.proposal));
  if (chosen >= 0) steps[chosen] = { ...steps[chosen]!, proposed: true };
  return steps;
}

/** The proposal holds the candidate's edits, perhaps with files validation added to them (a regression test). */
function becameProposal(candidate: NonNullable<KnownState['candidates']>[number] | undefined, proposal: KnownState['proposal']): boolean {
  if (!candidate || !proposal || candidate.rationale !== proposal.rationale) return false;
  return Object.entries(candidate.files).every(([path, content]) => proposal.files[path] === content);
}

function issueOf(outcome: PipelineOutcome, state: KnownState): RunTrajectory['issue'] {
  const issue = outcome.issues.find((i) => i.number === state.issue?.number) ?? (outcome.runs.length <= 1 ? outcome.issues[0] : undefined);
  if (!issue) return null;
  return { number: issue.number, url: issue.url, title: issue.title, body: issue.body, comments: issue.comments.map((c) => c.body) };
}

function reproductionOf(events: readonly RunEvent[], state: KnownState): RunTrajectory['reproduction'] {
  const r = state.reproduction;
  if (!r) return null;
  return {
    status: r.status,
    captured: state.context?.inputs ?? [],
    tried: r.tried,
    failingInput: r.request?.input,
    error: r.error ?? null,
    sameError: r.sameError,
    runs: ofKind(events, 'sandbox')
      .map((e) => record(e.data))
      .filter((d) => d.step === 'reproduce'),
  };
}

/** What one run did: its issue, reproduction, suspects, search, candidates and proposal. */
function runPart(outcome: PipelineOutcome | undefined, ran: RunOutcome | undefined): RunTrajectory {
  const events = ran?.events ?? [];
  const state = stateSchema.parse(ran?.state ?? {});
  const proposal = state.proposal;
  return {
    run: ran ? { id: ran.run.id, state: ran.run.state, error: ran.run.error } : null,
    issue: outcome ? issueOf(outcome, state) : null,
    reproduction: ran ? reproductionOf(events, state) : null,
    suspects: state.suspects ?? [],
    spectrum: ofKind(events, 'spectrum').flatMap((e) => {
      const lines = record(e.data).lines;
      return Array.isArray(lines) ? lines : [];
    }),
    search: ofKind(events, 'revert-considered', 'fixer-stopped', 'fixer-failed', 'candidates', 'chosen', 'escalated').map((e) => ({ kind: e.kind, ...record(e.data) })),
    candidates: [...searchSteps(events), ...validateSteps(events, state)],
    proposal: proposal
      ? {
          fixer: proposal.fixer,
          rationale: proposal.rationale,
          stats: proposal.stats,
          evidence: proposal.evidence,
          validated: proposal.validated ?? null,
          tried: proposal.tried ?? null,
        }
      : null,
    events: events.map(({ seq, at, kind, data }) => ({ seq, at, kind, data })),
  };
}

/** One attempt's trajectory: what each run's issue said, what was tried, what was rejected and why, and what was proposed. */
export function buildTrajectory(attempt: Attempt, outcome: PipelineOutcome | undefined): Trajectory {
  const [first, ...later] = outcome?.runs ?? [];
  const proposal = stateSchema.parse(first?.state ?? {}).proposal;
  return {
    format: 'steward-eval-trajectory/1',
    task: attempt.task,
    repeat: attempt.repeat,
    outcome: attempt.success ? (attempt.expectFix ? 'resolved' : 'correct') : (attempt.reason ?? 'failed'),
    detail: attempt.detail,
    notDispatched: outcome?.notDispatched ?? null,
    ...runPart(outcome, first),
    patch: attempt.patch ?? proposal?.diff ?? null,
    followUps: later.map((ran) => runPart(outcome, ran)),
    stopped: outcome?.stopped ?? null,
  };
}

/** Which fixer's candidate was proposed: the first run with a proposal, by its state, else by its last `proposal` event. */
export function proposerOf(outcome: PipelineOutcome): string | null {
  for (const ran of outcome.runs) {
    const fixer = stateSchema.parse(ran.state ?? {}).proposal?.fixer ?? text(record(ofKind(ran.events, 'proposal').at(-1)?.data).fixer);
    if (fixer) return fixer;
  }
  return null;
}

/** The trajectory's files under the out directory: `.json`, `.md` and, when there is a patch, `.patch`. Returns the `.json`'s path relative to `out`. */
export function writeTrajectory(out: string, trajectory: Trajectory): string {
  const relative = join('trajectories', trajectory.task, `${trajectory.repeat}.json`);
  const file = join(out, relative);
  writeFileAtomic(file, `${JSON.stringify(trajectory, null, 2)}\n`);
  writeFileAtomic(file.replace(/\.json$/, '.md'), renderTrajectory(trajectory));
  if (trajectory.patch) writeFileAtomic(file.replace(/\.json$/, '.patch'), trajectory.patch.endsWith('\n') ? trajectory.patch : `${trajectory.patch}\n`);
  return relative;
}
