import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalPath, Workspace } from '../../agents/fixers/workspace.ts';
import { pluginEnv } from '../../orchestrator/library/plugin-env.ts';
import { tempDir } from '../helpers/temp.ts';
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

  it('takes braces and escapes in protected globs, as picomatch does', () => {
    const cases: [string, string, boolean][] = [
      ['src/{crypto,auth}/**', 'src/crypto/sign.js', true],
      ['src/{crypto,auth}/**', 'src/auth/token.js', true],
      ['src/{crypto,auth}/**', 'src/billing/x.js', false],
      ['*.{json,yaml}', 'config.yaml', true],
      ['*.{json,yaml}', 'config.toml', false],
      ['src/\\*literal.js', 'src/*literal.js', true],
      ['src/\\*literal.js', 'src/aliteral.js', false],
      ['data/file\\[1\\].csv', 'data/file[1].csv', true],
      ['data/file\\[1\\].csv', 'data/file1.csv', false],
      ['**/*.pem', 'keys/.hidden.pem', true],
    ];
    for (const [glob, path, expected] of cases) expect([glob, path, globMatcher(glob)(path)]).toEqual([glob, path, expected]);
  });

  it('knows tests and what they rest on', () => {
    for (const path of ['test/a.js', 'src/a.test.ts', 'tests/test_x.py', 'conftest.py', 'x_test.py', 'test/fixtures/a.csv', 'fixtures/in.json', 'vitest.config.ts'])
      expect([path, isTestFile(path)]).toEqual([path, true]);
    for (const path of ['src/testing.js', 'src/latest.js', 'contest.py']) expect([path, isTestFile(path)]).toEqual([path, false]);
  });

  it('keeps only normal plugin-relative paths', () => {
    expect(normalPath('src/a.js')).toBe('src/a.js');
    for (const bad of ['./src/a.js', 'src//a.js', 'src/../a.js', '../a.js', '/etc/passwd', '.git/config', 'src/.git/x', 'a\tb', ''])
      expect(() => normalPath(bad)).toThrow(/outside the working copy/);
  });
});

describe('the fixer workspace', () => {
  it('runs no git config a sandbox planted in the copy, and follows no symlink', () => {
    const plugin = tempDir();
    writeFileSync(join(plugin, 'a.js'), 'export const a = 1;\n');
    const ws = new Workspace(plugin);
    try {
      const marker = join(tempDir(), 'fsmonitor-ran');
      // What code running in the sandbox could write into its working copy.
      mkdirSync(join(ws.dir, '.git'));
      writeFileSync(join(ws.dir, '.git', 'config'), `[core]\n\tfsmonitor = "touch ${marker}"\n\thooksPath = .\n`);
      symlinkSync('/etc/hostname', join(ws.dir, 'leak.txt'));
      symlinkSync('/tmp', join(ws.dir, 'out'));
      ws.write('a.js', 'export const a = 2;\n');
      expect(
        ws
          .stats()
          .map((s) => s.path)
          .sort(),
      ).toEqual(['a.js', 'leak.txt', 'out']);
      expect(existsSync(marker)).toBe(false);
      expect(() => ws.read('leak.txt')).toThrow(/goes through a symlink/);
      expect(() => ws.write('out/x.js', 'x')).toThrow(/goes through a symlink/);
      expect(() => ws.read('.git/config')).toThrow(/outside the working copy/);
    } finally {
      ws.dispose();
    }
  });
});

describe('what the sandbox sees of the environment', () => {
  it('the declared variables only, each secret one replaced by a placeholder', () => {
    const manifest = {
      env: [
        { name: 'API_URL', required: true, secret: false },
        { name: 'API_TOKEN', required: true, secret: true },
      ],
    } as never;
    const { env } = pluginEnv(
      manifest,
      { API_URL: 'https://api.example.com', API_TOKEN: 'ghp_realtoken0123456789abcdef0123456789', GITHUB_TOKEN: 'ghp_steward', PATH: '/usr/bin' },
      { placeholders: true },
    );
    expect(env).toEqual({ API_URL: 'https://api.example.com', API_TOKEN: 'steward-placeholder-api_token' });
  });
});
