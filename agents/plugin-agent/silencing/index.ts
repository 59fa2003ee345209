import { changedLines } from './changed-lines.ts';
import { insertedAssignment } from './inserted-assignment.ts';
import { hunkOfTexts, hunksOf, type Hunk } from './hunks.ts';
import { PATTERNS, type Failure } from './patterns.ts';

export type { Failure } from './patterns.ts';

export interface SilencingVerdict {
  /** Set when a pattern that never makes a fix is present. */
  reject?: string;
  /** Every pattern found, as the reviewer reads it. */
  warnings: string[];
  /** 0 when none was found; else how far down the candidate ranks among those warned of (the worst pattern's). */
  rank: number;
}

/** A changed file's whole text before and after (`after` null when the change deletes it). */
export interface ChangedText {
  file: string;
  before: string;
  after: string | null;
}

/**
 * The patterns of a candidate's diff that only hide the failure (see `PATTERNS`); with
 * the changed files' whole texts, also those that need more than a hunk to see.
 */
export function silencing(diff: string, texts: readonly ChangedText[] = [], failure?: Failure): SilencingVerdict {
  return verdictOf(hunksOf(diff), texts, failure);
}

/** The same, for whole new file texts against their originals (`read` gives one; undefined for a new file). */
export function silencingOfFiles(files: Record<string, string | null>, read: (path: string) => string | undefined, failure?: Failure): SilencingVerdict {
  const texts = Object.entries(files).map(([file, after]) => ({ file, before: read(file) ?? '', after }));
  return verdictOf(
    texts.flatMap((t) => hunkOfTexts(t.file, t.before, t.after ?? '') ?? []),
    texts,
    failure,
  );
}

function verdictOf(hunks: readonly Hunk[], texts: readonly ChangedText[], failure?: Failure): SilencingVerdict {
  const warnings: string[] = [];
  let reject: string | undefined;
  let rank = 0;
  const found = (file: string, why: string, id: string, pattern: { reject: boolean; rank: number }): void => {
    const text = `${file}: ${why} (${id})`;
    if (!warnings.includes(text)) warnings.push(text);
    rank = Math.max(rank, pattern.rank);
    if (pattern.reject) reject ??= text;
  };
  for (const hunk of hunks) {
    const python = /\.py$/.test(hunk.file);
    for (const pattern of PATTERNS) if (pattern.matches(hunk, python, failure)) found(hunk.file, pattern.why, pattern.id, pattern);
  }
  for (const { file, before, after } of texts) {
    if (after === null || !SOURCE.test(file)) continue;
    const python = file.endsWith('.py');
    const finding = insertedAssignment(before, after, python) ?? changedLines(before, after, python);
    if (finding) found(file, finding.why, finding.id, { reject: true, rank: 2 });
  }
  return { warnings, rank, ...(reject ? { reject } : {}) };
}

const SOURCE = /\.(py|[cm]?[jt]sx?)$/;
