import { describe, expect, it } from 'vitest';
import { changeSize } from '../../agents/plugin-agent/change-size.ts';

const DIFF = [
  'diff --git a/src/index.js b/src/index.js',
  '--- a/src/index.js',
  '+++ b/src/index.js',
  '@@ -3,2 +3,2 @@',
  ' const a = 1;',
  '-const b = a.x;',
  '+const b = a?.x;',
  'diff --git a/test/steward-regression.test.js b/test/steward-regression.test.js',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/test/steward-regression.test.js',
  '@@ -0,0 +1,3 @@',
  "+import test from 'node:test';",
  '+-- a line that reads like a header',
  "+test('x', () => {});",
  '',
].join('\n');

describe("a proposal's change size", () => {
  it('counts the fix and the tests it adds apart', () => {
    expect(changeSize(DIFF)).toEqual({ fix: { added: 1, removed: 1 }, tests: { added: 3, removed: 0 } });
  });

  it('is all fix without a test, and nothing for an empty diff', () => {
    expect(changeSize(DIFF.split('diff --git a/test')[0]!)).toEqual({ fix: { added: 1, removed: 1 }, tests: { added: 0, removed: 0 } });
    expect(changeSize('')).toEqual({ fix: { added: 0, removed: 0 }, tests: { added: 0, removed: 0 } });
  });
});
