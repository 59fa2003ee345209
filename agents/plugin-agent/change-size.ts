import { isTestFile } from './policy.ts';
import { hunksOf } from './silencing/hunks.ts';

/** Lines a patch adds and removes. */
export interface LineCounts {
  added: number;
  removed: number;
}

/**
 * A proposal's diff split into the fix and the tests it adds (the regression test
 * steward writes): a one-line fix with a twenty-line test is read as a one-line fix.
 */
export function changeSize(diff: string): { fix: LineCounts; tests: LineCounts } {
  const size = { fix: { added: 0, removed: 0 }, tests: { added: 0, removed: 0 } };
  for (const hunk of hunksOf(diff)) {
    const into = isTestFile(hunk.file) ? size.tests : size.fix;
    into.added += hunk.added.length;
    into.removed += hunk.removed.length;
  }
  return size;
}
