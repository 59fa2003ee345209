export type TestOutcome = 'pass' | 'fail' | 'skip';

export interface TestCase {
  /** Full name: suite names and the test name joined with ' > '. */
  name: string;
  outcome: TestOutcome;
  durationMs?: number;
  /** First line(s) of the failure message, at most 2,000 chars. */
  failure?: string;
}

export interface ParsedTests {
  tests: TestCase[];
  /** Problems reading the output (bad XML, no plan, bail out), never thrown. */
  warnings: string[];
  /** The TAP plan said N tests but fewer appeared, or "Bail out!" was seen (or the output stopped inside a subtest). */
  incomplete: boolean;
}

export const NAME_SEPARATOR = ' > ';

export const MAX_FAILURE_CHARS = 2000;

/** Trims a failure message and caps it; an ellipsis marks a cut so nobody mistakes it for the whole message. */
export function limitFailure(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length <= MAX_FAILURE_CHARS) return trimmed;
  let end = MAX_FAILURE_CHARS - 1;
  // Never split a surrogate pair: half an emoji is not valid text.
  if (/[\uD800-\uDBFF]/.test(trimmed.charAt(end - 1))) end--;
  return `${trimmed.slice(0, end)}…`;
}
