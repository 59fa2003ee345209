import { normaliseFrames, parseStack } from '../../../orchestrator/ingest/stack.ts';
import { rankFrames } from '../../plugin-agent/nodes/localise.ts';
import type { Failure, FixRequest } from '../types.ts';
import type { Tried } from './candidates.ts';
import { lineMapOf } from '../../plugin-agent/silencing/switched-off.ts';

/**
 * A candidate that did not make the reproduction pass but moved it on: the call now
 * fails with another error (not a hang: each check of a step from it would wait out
 * the time limit), raised in the plugin's own code on a line the candidate did not
 * write, and the suite holds.
 * A program with two defects on the failing call's road (a misspelt name, then a
 * method called with brackets two lines on) needs both mended, and no single edit
 * passes; the search goes on from such a candidate once (see `OfflineFixer`).
 */
export interface Stone {
  candidate: Tried;
  failure: Failure;
  /** The new failure's frames as suspects, paths relative to the plugin. */
  suspects: FixRequest['suspects'];
}

/** At most this many stones are searched on from, the first found first. */
export const STONES = 2;
/** Candidates a search from one stone may try. */
export const PER_STONE = 30;

/**
 * Whether a candidate's failure is another than the reproduction's: another type or
 * message (a value in the message aside: "100 is not in list" and "-100 is not in
 * list" are one error), raised in the plugin's own code. A contract violation (an
 * answer of the wrong shape) is no step forward: it is what a silenced failure looks like.
 */
export function moved(
  original: { type: string; message: string } | undefined,
  failure: Failure,
  suspects: FixRequest['suspects'],
  edited: (file: string) => ReadonlySet<number>,
): boolean {
  if (!original || failure.type === 'ContractViolation' || failure.type === 'Timeout') return false;
  // The innermost frame of the plugin's own: on a line the change wrote, the change itself is what fails now.
  const top = suspects.find((s) => s.inApp && s.line !== null);
  if (!top || edited(top.file).has(top.line!)) return false;
  return failure.type !== original.type || shape(failure.message) !== shape(original.message);
}

/** The lines of `after` (1-based) that a change wrote: those with no place in `before`. */
export function writtenLines(before: string, after: string): Set<number> {
  const inBefore = lineMapOf(after, before);
  return new Set(after.split('\n').flatMap((_, i) => (inBefore(i + 1) === undefined ? [i + 1] : [])));
}

const shape = (message: string): string => message.replace(/-?\d+(\.\d+)?/g, '#');

/** The failure's stack as suspects, its paths made relative to the copy it ran in. */
export function suspectsOf(plugin: string, failure: Failure, copyDir: string): FixRequest['suspects'] {
  return rankFrames(normaliseFrames(parseStack(failure.stack ?? ''), { plugin, pluginRoots: [copyDir] }));
}

/** The request a search from a stone answers: the stone's code (in `dir`), its failure and its frames. */
export function requestFrom(request: FixRequest, stone: Stone, dir: string): FixRequest {
  return {
    ...request,
    dir,
    reproduction: { ...request.reproduction, error: { type: stone.failure.type, message: stone.failure.message } },
    suspects: stone.suspects,
  };
}

/** A candidate found from a stone, as one change of the original: both edits, both reasons. */
export function onStone(stone: Stone, next: Tried): Tried {
  const rank = stone.candidate.rank;
  return {
    ...next,
    template: 'two-step',
    files: { ...stone.candidate.files, ...next.files },
    rationale: `${stone.candidate.rationale} (${stone.candidate.template}); the call then failed with ${stone.failure.type}: ${stone.failure.message.slice(0, 120)}, and ${next.rationale} (${next.template})`,
    rank: [rank[0] + next.rank[0], Math.max(rank[1], next.rank[1]), rank[2] + next.rank[2]],
  };
}
