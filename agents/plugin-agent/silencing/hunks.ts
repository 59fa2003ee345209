/** One hunk of a unified diff: the lines it removes and adds, in a file. */
export interface Hunk {
  file: string;
  removed: string[];
  added: string[];
  /** The unchanged lines just after the change (a few): what a changed `if` line guards, say. */
  following: string[];
}

/** Context lines kept after a change. */
const FOLLOWING = 3;

/**
 * The hunks of `git diff` output (`a/…` `b/…` headers, `@@` hunks). A hunk's length
 * comes from its `@@` line, so a removed line that reads `-- x` or an added one that
 * reads `++ x` is a line of the hunk, not a header.
 */
export function hunksOf(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let file = '';
  let hunk: Hunk | undefined;
  let left = 0;
  let right = 0;
  for (const line of diff.split('\n')) {
    if (hunk && (left > 0 || right > 0)) {
      if (line.startsWith('+')) {
        hunk.added.push(line.slice(1));
        hunk.following = [];
        right--;
      } else if (line.startsWith('-')) {
        hunk.removed.push(line.slice(1));
        hunk.following = [];
        left--;
      } else if (!line.startsWith('\\')) {
        if (hunk.removed.length + hunk.added.length > 0 && hunk.following.length < FOLLOWING) hunk.following.push(line.slice(1));
        left--;
        right--;
      }
      continue;
    }
    const counts = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (counts) {
      hunk = { file, removed: [], added: [], following: [] };
      hunks.push(hunk);
      left = Number(counts[1] ?? 1);
      right = Number(counts[2] ?? 1);
    } else if (line.startsWith('+++ ')) file = line.slice(4).replace(/^b\//, '');
  }
  return hunks;
}

/**
 * A whole-file change as one hunk: the lines between the common start and the common
 * end. Enough for the small edits a search makes, and needs no git.
 */
export function hunkOfTexts(file: string, before: string, after: string): Hunk | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  const { start, end } = commonEnds(a, b);
  if (start === a.length && start === b.length) return undefined;
  return { file, removed: a.slice(start, a.length - end), added: b.slice(start, b.length - end), following: b.slice(b.length - end, b.length - end + FOLLOWING) };
}

/** How many lines two texts share at their start, and then at their end. */
export function commonEnds(a: readonly string[], b: readonly string[]): { start: number; end: number } {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return { start, end };
}
