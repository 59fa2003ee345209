import { refusalsLast, type Candidate, type ContractError } from '../types.ts';
import type { Edit } from './source.ts';

/** A candidate of the offline search, with what it is ranked by. */
export interface Tried extends Candidate {
  template: string;
  refusedPath?: string[];
  /** Lines changed, then the template's preference, then characters changed. */
  rank: [number, number, number];
  /** A fix template's (a repair of the error at hand) rather than a general operator's. */
  rung?: 'template';
}

/** Candidates marked as the fix templates' (see `Tried.rung`). */
export const fromTemplates = (list: readonly Tried[]): Tried[] => list.map((c) => ({ ...c, rung: 'template' }));

/** What a template proposes for one file: its edits, and why, in words a maintainer reads in the proposal. */
export interface Proposed {
  template: string;
  edits: Edit[];
  rationale: string;
  /**
   * Among fixes of equal size, which to prefer (lower first): a default that keeps
   * the value's type beats skipping the use, which hides the value's absence.
   */
  preference?: number;
  /** The contract error the fix turns the failure into, for a guard that refuses the call (see `Candidate.refuses`). */
  refuses?: ContractError;
  /** For a refusal, the property path below the parameter it names (`['options']` for `input.options`). */
  refusedPath?: string[];
}

/** Candidates one site may contribute per rung: one busy statement must not use up the budget. */
export const PER_SITE = 12;

/**
 * The most suspicious sites whose costly candidates (a statement inserted or moved, a
 * check narrowed) take turns with the cheap ones of the sites below them, as two more
 * sites would: a defect at the line that failed, or at the loop around it, that needs a
 * statement-level edit must not wait behind every one-token change at the others.
 */
export const COSTLY_EARLY = 2;

/** A change that makes the call succeed first, then the smallest (see `Tried.rank`). */
export const byRank = (a: Tried, b: Tried): number => refusalsLast(a, b) || a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2];

/** Round-robin over the lists: the first of each, then the second of each, and so on. */
export function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((list) => i < list.length); i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

/**
 * The lists (most suspicious site first) merged so that earlier lists get more turns:
 * the j-th item of list i comes at `i + stride × j`. With 40 sites and a budget of 60,
 * a round-robin gives the frame's own statement 2 tries; this gives it a dozen.
 */
export function weave<T>(lists: T[][], stride: number): T[] {
  return lists
    .flatMap((list, i) => list.map((item, j) => ({ item, key: i + stride * j, i })))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((k) => k.item);
}

/** The lines an edit touches in the original text. */
function linesTouched(text: string, edits: readonly { start: number; end: number }[]): number {
  return edits.reduce((n, e) => n + (text.slice(e.start, e.end).match(/\n/g)?.length ?? 0) + 1, 0);
}

/** A candidate of one file's changed text. */
export function tried(file: string, original: string, changed: string, fix: Proposed): Tried {
  const chars = fix.edits.reduce((n, e) => n + (e.end - e.start) + e.text.length, 0);
  return {
    fixer: 'offline',
    template: fix.template,
    files: { [file]: changed },
    rationale: fix.rationale,
    rank: [linesTouched(original, fix.edits), fix.preference ?? 1, chars],
    ...(fix.refuses ? { refuses: fix.refuses, refusedPath: fix.refusedPath ?? [] } : {}),
  };
}
