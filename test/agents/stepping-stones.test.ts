import { describe, expect, it } from 'vitest';
import { moved, onStone, suspectsOf, writtenLines } from '../../agents/fixers/offline/stepping-stones.ts';

const unbound = { type: 'UnboundLocalError', message: "cannot access local variable 'sen' where it is not associated with a value" };
const at = (line: number) => [{ file: 'src/calc.py', line, score: 1, reason: 'in-app frame 1', inApp: true }];
const none = (): ReadonlySet<number> => new Set();

describe('stepping stones: a candidate that moves the failure on', () => {
  it('is another error raised in the plugin on a line the candidate did not write', () => {
    const next = { type: 'TypeError', message: "'builtin_function_or_method' object is not subscriptable" };
    expect(moved(unbound, next, at(7), none)).toBe(true);
    // The same error, a number aside, is no step; nor one on the line the change wrote (the change is what fails).
    expect(moved({ type: 'ValueError', message: '100 is not in list' }, { type: 'ValueError', message: '-100 is not in list' }, at(7), none)).toBe(false);
    expect(moved(unbound, next, at(7), () => new Set([7]))).toBe(false);
    // A hang (each step from it would wait out the limit), an answer of the wrong shape, or a failure outside the plugin.
    expect(moved(unbound, { type: 'Timeout', message: 'did not finish within the time limit' }, at(7), none)).toBe(false);
    expect(moved(unbound, { type: 'ContractViolation', message: 'the output breaks interface.output' }, at(7), none)).toBe(false);
    expect(moved(unbound, next, [{ file: '/usr/lib/python3/json/__init__.py', line: 3, score: 0.1, reason: 'frame 1, outside the plugin', inApp: false }], none)).toBe(false);
  });

  it('reads its frames relative to the copy it ran in, and its written lines from the texts', () => {
    const stack = 'Traceback (most recent call last):\n  File "/tmp/steward-wc-ab12/plugin/src/calc.py", line 7, in run\n    out.append[item]\nTypeError: boom';
    const suspects = suspectsOf('calc', { type: 'TypeError', message: 'boom', stack }, '/tmp/steward-wc-ab12/plugin');
    expect(suspects[0]).toMatchObject({ file: 'src/calc.py', line: 7, inApp: true });
    expect([...writtenLines('a\nb\nc\nd\n', 'a\nB\nc\nD\n')]).toEqual([2, 3, 4]);
    expect([...writtenLines('a\nb\n', 'a\nb\n')]).toEqual([]);
  });

  it('makes one change of the stone and the next step: both files, both reasons, ranks added', () => {
    const stone = {
      candidate: {
        fixer: 'offline',
        template: 'name-spelling',
        files: { 'src/a.py': 'A1', 'src/b.py': 'B1' },
        rationale: '`sen` became `seen`',
        rank: [1, 1, 3] as [number, number, number],
      },
      failure: { type: 'TypeError', message: 'boom' },
      suspects: at(7),
    };
    const step = { fixer: 'offline', template: 'call-brackets', files: { 'src/a.py': 'A2' }, rationale: '`f[x]` became `f(x)`', rank: [1, 2, 2] as [number, number, number] };
    expect(onStone(stone, step)).toMatchObject({
      template: 'two-step',
      files: { 'src/a.py': 'A2', 'src/b.py': 'B1' },
      rank: [2, 2, 5],
      rationale: '`sen` became `seen` (name-spelling); the call then failed with TypeError: boom, and `f[x]` became `f(x)` (call-brackets)',
    });
  });
});
