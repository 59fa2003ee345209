import { describePrecision } from '../precision.ts';
import type { Attempt, Results } from '../results.ts';

/** The readable companion of a trajectory's JSON, relative to the out directory. */
export const readableOf = (trajectory: string): string => trajectory.replace(/\.json$/, '.md');

/** The trajectory's `.patch`, written beside it when the attempt had a patch. */
export const patchFileOf = (trajectory: string): string => trajectory.replace(/\.json$/, '.patch');

/** The attempt a listed overfit stands for: its patch says whether a `.patch` file was written. */
export function attemptOf(results: Results, task: string, repeat: number): Attempt | undefined {
  return results.attempts.find((a) => a.task === task && a.repeat === repeat);
}

export const OVERFIT_MEANING =
  'Patches steward proposed after validating them (the reproduction passes, no visible test that passed breaks) that the hidden tests fail: they fit what the agent could see, not the defect.';

/** "1/2 50%; by fixer: offline 1/2 50%": overall, then per proposing fixer when more than one proposed. */
export function precisionLine(results: Results): string {
  const { overall, byFixer } = results.summary.precision;
  const fixers = Object.entries(byFixer);
  const each = fixers.length > 1 ? `; by fixer: ${fixers.map(([fixer, p]) => `${fixer} ${describePrecision(p)}`).join(', ')}` : '';
  return `precision (resolved ÷ patches proposed) ${describePrecision(overall)}${each}`;
}
