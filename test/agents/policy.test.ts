import { describe, expect, it } from 'vitest';
import { normalPath } from '../../agents/fixers/workspace.ts';
import { ALWAYS_PROTECTED, globMatcher, isTestFile } from '../../agents/plugin-agent/policy.ts';

describe('the fix policy', () => {
  it('matches protected globs as a maintainer means them', () => {
    const cases: [string, string, boolean][] = [
      ['**/plugin.json', 'plugin.json', true],
      ['**/plugin.json', 'a/b/plugin.json', true],
      ['src/**/*.js', 'src/a.js', true],
      ['src/**/*.js', 'src/x/y/a.js', true],
      ['src/**/*.js', 'srcx/a.js', false],
      ['src/[ab].js', 'src/a.js', true],
      ['src/[ab].js', 'src/c.js', false],
      ['src/crypto', 'src/crypto/sign.js', true],
      ['src/crypto', 'src/cryptography.js', false],
      ['.steward/**', '.steward/PLAYBOOK.md', true],
      ['*.md', 'docs/a.md', false],
    ];
    for (const [glob, path, expected] of cases) expect([glob, path, globMatcher(glob)(path)]).toEqual([glob, path, expected]);
    const always = ALWAYS_PROTECTED.map(globMatcher);
    for (const path of ['plugin.json', '.steward/PLAYBOOK.md', '.gitattributes', 'src/.gitignore']) expect(always.some((m) => m(path))).toBe(true);
    expect(always.some((m) => m('src/plugin.json.js'))).toBe(false);
  });

  it('knows tests and what they rest on', () => {
    for (const path of ['test/a.js', 'src/a.test.ts', 'tests/test_x.py', 'conftest.py', 'x_test.py', 'test/fixtures/a.csv', 'fixtures/in.json', 'vitest.config.ts']) expect([path, isTestFile(path)]).toEqual([path, true]);
    for (const path of ['src/testing.js', 'src/latest.js', 'contest.py']) expect([path, isTestFile(path)]).toEqual([path, false]);
  });

  it('keeps only normal plugin-relative paths', () => {
    expect(normalPath('src/a.js')).toBe('src/a.js');
    for (const bad of ['./src/a.js', 'src//a.js', 'src/../a.js', '../a.js', '/etc/passwd', '.git/config', 'src/.git/x', 'a\tb', '']) expect(() => normalPath(bad)).toThrow(/outside the working copy/);
  });
});
