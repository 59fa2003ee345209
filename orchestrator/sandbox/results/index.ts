import { parseJUnit } from './junit.ts';
import { parseTap } from './tap.ts';
import { MAX_FAILURE_CHARS, type ParsedTests } from './types.ts';

export { parseJUnit } from './junit.ts';
export { parseTap } from './tap.ts';
export { MAX_FAILURE_CHARS } from './types.ts';
export type { ParsedTests } from './types.ts';

export type TestOutputFormat = 'tap' | 'junit' | 'exit-code';

export interface TestOutputInput {
  stdout: string;
  /** The JUnit report file's text, when the suite wrote one. */
  reportXml?: string;
  /** null when the run was killed before it exited. */
  exitCode: number | null;
  /** Names the single test of an exit-code suite. */
  suiteName?: string;
}

const TAIL_LINES = 20;

/** Per-test results of a suite run, read the way its manifest says. Never throws. */
export function parseTestOutput(format: TestOutputFormat, input: TestOutputInput): ParsedTests {
  switch (format) {
    case 'tap':
      return parseTap(input.stdout);
    case 'junit':
      if (input.reportXml === undefined) return { tests: [], warnings: ['no JUnit report'], incomplete: false };
      return parseJUnit(input.reportXml);
    case 'exit-code':
      return fromExitCode(input);
    default:
      return { tests: [], warnings: [`unknown test output format: ${String(format)}`], incomplete: false };
  }
}

/** A suite that reports nothing but its exit status counts as one test. */
function fromExitCode(input: TestOutputInput): ParsedTests {
  const name = input.suiteName ?? 'suite';
  if (input.exitCode === 0) return { tests: [{ name, outcome: 'pass' }], warnings: [], incomplete: false };
  return { tests: [{ name, outcome: 'fail', failure: exitFailure(input) }], warnings: [], incomplete: false };
}

/** The end of the output is where a failing script says what went wrong, so keep the tail when cutting. */
function exitFailure(input: TestOutputInput): string {
  const lines = (input.stdout ?? '').trimEnd().split(/\r?\n/);
  const tail = lines.slice(-TAIL_LINES).join('\n').trim();
  const status = input.exitCode === null ? 'the suite was killed before it exited' : `the suite exited ${input.exitCode}`;
  if (tail === '') return status;
  return tail.length <= MAX_FAILURE_CHARS ? tail : `…${tail.slice(-(MAX_FAILURE_CHARS - 1))}`;
}
