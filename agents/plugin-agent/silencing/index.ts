import { hunkOfTexts, hunksOf, type Hunk } from './hunks.ts';
import { PATTERNS } from './patterns.ts';

export interface SilencingVerdict {
  /** Set when a pattern that never makes a fix is present. */
  reject?: string;
  /** Every pattern found, as the reviewer reads it. */
  warnings: string[];
  /** 0 when none was found; else how far down the candidate ranks among those warned of (the worst pattern's). */
  rank: number;
}

/** The patterns of a candidate's diff that only hide the failure (see `PATTERNS`). */
export function silencing(diff: string): SilencingVerdict {
  return verdictOf(hunksOf(diff));
}

/** The same, for whole new file texts against their originals (`read` gives one; undefined for a new file). */
export function silencingOfFiles(files: Record<string, string | null>, read: (path: string) => string | undefined): SilencingVerdict {
  const hunks = Object.entries(files).flatMap(([path, text]) => hunkOfTexts(path, read(path) ?? '', text ?? '') ?? []);
  return verdictOf(hunks);
}

function verdictOf(hunks: readonly Hunk[]): SilencingVerdict {
  const warnings: string[] = [];
  let reject: string | undefined;
  let rank = 0;
  for (const hunk of hunks) {
    const python = /\.py$/.test(hunk.file);
    for (const pattern of PATTERNS) {
      if (!pattern.matches(hunk, python)) continue;
      const why = `${hunk.file}: ${pattern.why} (${pattern.id})`;
      if (!warnings.includes(why)) warnings.push(why);
      rank = Math.max(rank, pattern.rank);
      if (pattern.reject) reject ??= why;
    }
  }
  return { warnings, rank, ...(reject ? { reject } : {}) };
}
