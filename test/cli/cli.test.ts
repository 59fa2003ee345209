import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitFile, makeLibrary, makeUpstream, sh, STEWARD_ROOT } from '../helpers/git.ts';
import { steward } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

/** A bad-input failure: exit 2, one "steward: error CODE:" line first, nothing on stdout. */
function expectBadInput(result: ReturnType<typeof steward>, code: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n')[0]).toContain(`steward: error ${code}:`);
}

describe('steward CLI', () => {
  it('exits 0 for --help and 2 for an unknown command', () => {
    expect(steward(['--help']).code).toBe(0);
    const unknown = steward(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('says a usage mistake in one line with E_USAGE and exit 2, never the whole usage text', () => {
    for (const [args, said] of [
      [['runs', 'list', '--bogus'], "unknown option '--bogus'"],
      [['review', 'show'], "missing required argument 'run'"],
      [['frobnicate'], "unknown command 'frobnicate'"],
    ] as const) {
      const result = steward([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toBe(`steward: error E_USAGE: ${said} (see --help)\n`);
      expect(result.stdout).toBe('');
    }
  });

  it('a bad STEWARD_LOG_LEVEL is one warning line, and a reader that stopped reading ends the command quietly', async () => {
    const library = await makeLibrary();
    const typo = steward(['--library', library.root, 'runs', 'list'], { env: { STEWARD_LOG_LEVEL: 'verbose' } });
    expect(typo.code).toBe(0);
    expect(typo.stderr).toBe('steward: warning: STEWARD_LOG_LEVEL "verbose" is not one of fatal, error, warn, info, debug, trace, silent; logging at warn\n');
    // The reading end is closed before steward writes: as `steward runs list | head` once head has exited.
    const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), '--library', library.root, 'runs', 'list', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('an unknown --plugin on a listing is E_PLUGIN_UNKNOWN with exit 2, whatever the listing', async () => {
    const library = await makeLibrary();
    for (const listing of [
      ['runs', 'list'],
      ['errors', 'list'],
      ['issues', 'list'],
    ]) {
      const result = steward(['--library', library.root, ...listing, '--plugin', 'no-such-plugin']);
      expect(result.code, listing.join(' ')).toBe(2);
      expect(result.stderr, listing.join(' ')).toBe('steward: error E_PLUGIN_UNKNOWN: no plugin "no-such-plugin" in plugins/\n');
    }
  });

  it('init makes a library once, and refuses to overwrite it', () => {
    const root = tempDir();
    const first = steward(['init', '--dir', root]);
    expect(first.code).toBe(0);
    const written = readFileSync(join(root, 'steward.config.json'), 'utf8');
    expect(JSON.parse(written).stateDir).toBe('.steward');
    // The schema reference comes first and leads to steward's own config schema.
    const schema = (JSON.parse(written) as { $schema: string }).$schema;
    expect(Object.keys(JSON.parse(written) as object)[0]).toBe('$schema');
    expect((JSON.parse(readFileSync(join(root, schema), 'utf8')) as { description: string }).description).toBe('Plugin Steward library configuration (steward.config.json).');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toContain('/.steward/');
    expect(readFileSync(join(root, 'templates', 'linked', 'PLAYBOOK.md'), 'utf8')).toContain('# Default playbook');
    expectBadInput(steward(['init', '--dir', root]), 'E_CONFIG_EXISTS');
  });

  it('reports a bad config with its file and path, and exit 2', () => {
    const root = tempDir();
    steward(['init', '--dir', root]);
    writeFileSync(join(root, 'steward.config.json'), '{ "pluginsDir": 5 }');
    const result = steward(['doctor'], { cwd: root });
    expectBadInput(result, 'E_CONFIG_INVALID');
    expect(result.stderr).toContain('steward.config.json: $.pluginsDir:');
  });

  it('plugin new scaffolds a valid plugin whose own tests pass', () => {
    const root = tempDir();
    steward(['init', '--dir', root]);
    const made = steward(['plugin', 'new', 'hello-world', '--description', 'Says hello.', '--owner', '@team'], { cwd: root });
    expect(made.code).toBe(0);
    const dir = join(root, 'plugins', 'hello-world');
    const manifest = JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8')) as { name: string; description: string; owners: string[] };
    expect(manifest).toMatchObject({ name: 'hello-world', description: 'Says hello.', owners: ['@team'] });
    expect(readFileSync(join(dir, 'AGENT.md'), 'utf8')).toContain('# hello-world');
    const tests = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'test/'], { cwd: dir, encoding: 'utf8' });
    expect(tests.status).toBe(0);
    expect(tests.stdout).toMatch(/# pass 3/);

    const doctor = steward(['doctor', '--json'], { cwd: root });
    expect(doctor.code).toBe(0);
    const row = (JSON.parse(doctor.stdout) as { plugins: { plugin: string; status: string; links: { state: string }[] }[] }).plugins[0];
    expect(row).toMatchObject({ plugin: 'hello-world', status: 'warning' });
    expect(row?.links.every((l) => l.state === 'linked')).toBe(true);

    expectBadInput(steward(['plugin', 'new', 'hello-world'], { cwd: root }), 'E_PLUGIN_EXISTS');
    expectBadInput(steward(['plugin', 'new', '../escape'], { cwd: root }), 'E_PLUGIN_NAME');
    expect(readdirSync(join(root, 'plugins'))).toEqual(['hello-world']);
  });

  it('adds, pulls and pushes through the command line', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    const cwd = library.root;

    const added = steward(['plugin', 'add', 'csv-x', '--from', upstream.bare], { cwd });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^added plugins\/csv-x\/ from .*csv-x\.git \(main at [0-9a-f]{12}\)/);

    sh(upstream.work, 'pull', '-q');
    commitFile(upstream.work, 'UP.md', 'u\n', 'Upstream change');
    sh(upstream.work, 'push', '-q', 'origin', 'main');
    const pulled = steward(['plugin', 'pull', 'csv-x'], { cwd });
    expect(pulled.code).toBe(0);
    expect(existsSync(join(cwd, 'plugins', 'csv-x', 'UP.md'))).toBe(true);

    commitFile(cwd, 'plugins/csv-x/LIB.md', 'l\n', 'Library change');
    const pushed = steward(['plugin', 'push', 'csv-x'], { cwd });
    expect(pushed.code).toBe(0);
    expect(sh(upstream.bare, 'log', '-1', '--format=%s', 'main')).toBe('Library change');

    const list = JSON.parse(steward(['plugin', 'list', '--json'], { cwd }).stdout) as { plugins: { name: string; upstream: { url: string } }[] };
    expect(list.plugins.map((p) => [p.name, p.upstream.url])).toEqual([['csv-x', upstream.bare]]);

    expectBadInput(steward(['plugin', 'add', 'csv-y', '--from', join(root, 'missing.git')], { cwd }), 'E_REMOTE_UNREACHABLE');
    expectBadInput(steward(['plugin', 'add', 'csv-y', '--from', upstream.bare, '--ref', 'nope'], { cwd }), 'E_REF_NOT_FOUND');
    expectBadInput(steward(['plugin', 'pull', 'nope'], { cwd }), 'E_PLUGIN_UNKNOWN');
    expect(existsSync(join(cwd, 'plugins', 'csv-y'))).toBe(false);
  });

  it('doctor passes on the example library that ships with steward', () => {
    const result = steward(['doctor', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { summary: { plugins: number; errors: number }; plugins: { plugin: string; manifest: string; links: { state: string }[] }[] };
    expect(report.summary.plugins).toBeGreaterThanOrEqual(6);
    expect(report.summary.errors).toBe(0);
    for (const row of report.plugins) {
      expect(row.manifest, row.plugin).toBe('ok');
      expect(
        row.links.map((l) => l.state),
        row.plugin,
      ).toEqual(['linked']);
    }
  });

  it('the main job (steward demo) runs the example library through subtrees, the host and ingest into groups', () => {
    const dir = join(tempDir(), 'demo');
    const demo = steward(['demo', '--dir', dir], { timeoutMs: 400_000 });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('6/6 links in place');
    expect(demo.stdout).toMatch(/one more commit -> push walked 1 commit\(s\)/);
    expect(demo.stdout).toContain('6 error event(s) captured into the errors queue (0 dropped)');
    expect(demo.stdout).toContain('6 new group(s), each queued for triage once');
    for (const plugin of ['csv-import', 'money-format', 'paginate', 'unit-convert', 'log-summary', 'webhook-verify']) {
      expect(demo.stdout).toMatch(new RegExp(`[0-9a-f]{12}\\s+${plugin}\\s+new\\s+1`));
    }
    // Every suite passes and every plugin has a group: degraded, but for the one whose secret is not set here.
    for (const plugin of ['csv-import', 'money-format', 'paginate', 'unit-convert', 'log-summary']) expect(demo.stdout).toMatch(new RegExp(`\\n${plugin}\\s+degraded\\s*\\n`));
    expect(demo.stdout).toMatch(/\nwebhook-verify\s+unavailable\s+required environment variable WEBHOOK_SECRET is not set\n/);
    // With the demo's prHourlyLimit every plugin gets a run: each available one reproduces its defect and opens one issue,
    // and the unavailable one gets its issue (needs-human) without a fix attempted.
    expect(demo.stdout.match(/dispatched run_[0-9a-z]+ {2}\S+.*\n/g)).toHaveLength(6);
    expect(demo.stdout).toMatch(/\n {2}webhook-verify\s+completed; issue #[1-6]/);
    // The offline fixer repairs the JavaScript, TypeScript and Python defects; the jq one gets a precise issue.
    for (const plugin of ['csv-import', 'money-format', 'paginate', 'unit-convert']) {
      expect(demo.stdout).toMatch(new RegExp(`\\n  ${plugin}\\s+awaiting_approval; issue #[1-6]: Reproduced in the sandbox with the captured input: \``));
    }
    for (const plugin of ['log-summary']) {
      expect(demo.stdout).toMatch(
        new RegExp(
          `\\n  ${plugin}\\s+completed; issue #[1-6]: Reproduced in the sandbox with the captured input: \`[^\\n]*\\n\\s+then: Needs a person: the fixers found no candidate fix`,
        ),
      );
    }
    expect(demo.stdout).toMatch(
      /\n {2}4 validated fix\(es\) wait for review: (?:csv-import|money-format|paginate|unit-convert)(?:, (?:csv-import|money-format|paginate|unit-convert)){3}\n/,
    );
    expect(demo.stdout).toContain('maintenance dashboard: library/.steward/tracker/dashboard.md');
    // Five agent runs, each a sandboxed search: on a slow 2-core machine this takes minutes.
  }, 420_000);

  it('schemas check passes on the committed schemas', () => {
    expect(steward(['schemas', 'check']).code).toBe(0);
  });

  it('the committed CLI reference is what every command says in --help, and --version prints the version', () => {
    const check = steward(['docs', 'check']);
    expect(check.code, check.stdout).toBe(0);
    const reference = readFileSync(join(STEWARD_ROOT, 'docs', 'cli.md'), 'utf8');
    for (const command of ['plugin add', 'errors capture', 'review approve', 'prune', 'docs write']) expect(reference).toContain(`## \`steward ${command}\``);
    const version = JSON.parse(readFileSync(join(STEWARD_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(steward(['--version']).stdout.trim()).toBe(version.version);
  });
});
