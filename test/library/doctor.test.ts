import { chmodSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDefaultConfig } from '../../orchestrator/library/config.ts';
import { runDoctor, type DoctorReport, type DoctorRow, type Finding } from '../../orchestrator/library/doctor.ts';
import { openLibrary, pluginPrefix, type Library } from '../../orchestrator/library/library.ts';
import { linkTemplates } from '../../orchestrator/library/links.ts';
import { PathIndex, type RequirementContext } from '../../orchestrator/library/requires.ts';
import { addPlugin } from '../../orchestrator/library/subtree/add.ts';
import { pushPlugin } from '../../orchestrator/library/subtree/push.ts';
import { subtreeStatuses } from '../../orchestrator/library/subtree/status.ts';
import { steward } from '../helpers/cli.ts';
import { commitFile, makeLibrary, makeUpstream, sh } from '../helpers/git.ts';
import { manifestFor, writePlugin, type PluginFiles } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

const PLAYBOOK = '.steward/PLAYBOOK.md';

/** A library with each named plugin added from its own bare upstream as a real subtree. */
async function subtreeLibrary(names: readonly string[]): Promise<{ library: Library; upstreams: Map<string, string> }> {
  const root = tempDir();
  const library = await makeLibrary(root);
  const upstreams = new Map<string, string>();
  for (const name of names) {
    const { bare } = await makeUpstream(root, name);
    await addPlugin(library, name, { from: bare });
    upstreams.set(name, bare);
  }
  return { library, upstreams };
}

/** A plugin copied into the library as plain files (no subtree add), with its links made. */
function copyPlugin(library: Library, name: string, files: PluginFiles = {}): string {
  const dir = writePlugin(join(library.paths.plugins, name), name, files);
  linkTemplates(library, [name]);
  return dir;
}

function row(report: DoctorReport, name: string): DoctorRow {
  const found = report.plugins.find((r) => r.plugin === name);
  if (!found) throw new Error(`no row for ${name} in ${report.plugins.map((r) => r.plugin).join(', ')}`);
  return found;
}

/** Findings that change a status: info ones (unpushed, overridden) are left out. */
function notable(r: DoctorRow): Finding[] {
  return r.findings.filter((f) => f.severity !== 'info');
}

function editManifest(dir: string, edit: (raw: Record<string, unknown>) => void): void {
  const file = join(dir, 'plugin.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(raw);
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
}

/** Nothing on PATH, no environment, no GPU: every requirement goes unmet. */
function bareContext(): RequirementContext {
  return { paths: new PathIndex(tempDir()), env: {}, gpu: () => ({ present: false, reason: 'no GPU in this test' }) };
}

describe('runDoctor: healthy library', () => {
  it('reports every subtree-added plugin ok, and the CLI exits 0 with the same JSON', async () => {
    const { library, upstreams } = await subtreeLibrary(['alpha', 'beta']);
    const progress: [number, number][] = [];
    const report = await runDoctor(library, { onProgress: (done, total) => progress.push([done, total]) });

    expect(report.version).toBe(1);
    expect(report.library).toBe(library.root);
    expect(report.summary).toEqual({ plugins: 2, ok: 2, warnings: 0, errors: 0 });
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    for (const name of ['alpha', 'beta']) {
      const r = row(report, name);
      expect(r.status, JSON.stringify(r.findings)).toBe('ok');
      expect(notable(r)).toEqual([]);
      expect(r.manifest).toBe('ok');
      expect(r.agentMd).toBe(true);
      expect(r.links).toEqual([{ file: PLAYBOOK, state: 'linked' }]);
      expect(r.subtree.added).toBe(true);
      expect(r.subtree.upstream).toBe(`${upstreams.get(name)}#main`);
      expect(r.requirements).toEqual([]);
    }

    const cli = steward(['doctor', '--json', '--library', library.root]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout) as DoctorReport;
    expect(json.plugins.map((r) => [r.plugin, r.status])).toEqual([
      ['alpha', 'ok'],
      ['beta', 'ok'],
    ]);
    expect(json.summary).toEqual(report.summary);
  });

  it('prints a table headed PLUGIN and STATUS without --json', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    const cli = steward(['doctor', '--library', library.root]);
    expect(cli.code).toBe(0);
    const lines = cli.stdout.split('\n');
    expect(lines[0]).toMatch(/^PLUGIN\s+STATUS\s+/);
    expect(lines[1]).toMatch(/^alpha\s+ok\s+/);
    expect(cli.stdout).toContain('1 plugin(s): 1 ok, 0 with warnings, 0 with errors');
    expect(() => JSON.parse(cli.stdout)).toThrow();
  });

  it('checks only the plugins asked for', async () => {
    const { library } = await subtreeLibrary(['alpha', 'beta']);
    const report = await runDoctor(library, { plugins: ['beta'] });
    expect(report.plugins.map((r) => r.plugin)).toEqual(['beta']);
    expect(report.summary.plugins).toBe(1);
  });
});

describe('runDoctor: errors', () => {
  it('finds a bad manifest, an unknown field, no AGENT.md, a missing or broken link and an escaping symlink', async () => {
    const names = ['badtype', 'unknown', 'noagent', 'nolink', 'broken', 'escape', 'fine'];
    const { library } = await subtreeLibrary(names);
    const dir = (name: string): string => join(library.paths.plugins, name);

    editManifest(dir('badtype'), (raw) => {
      raw.version = 2;
    });
    editManifest(dir('unknown'), (raw) => {
      raw.colour = 'blue';
    });
    unlinkSync(join(dir('noagent'), 'AGENT.md'));
    unlinkSync(join(dir('nolink'), PLAYBOOK));
    unlinkSync(join(dir('broken'), PLAYBOOK));
    symlinkSync('../AGENT.md', join(dir('broken'), PLAYBOOK));
    // plugins/escape/src -> ../../../ is the library root: outside the plugin.
    symlinkSync('../../../steward.config.json', join(dir('escape'), 'src', 'config.json'));

    const report = await runDoctor(library);
    expect(report.summary).toEqual({ plugins: 7, ok: 1, warnings: 0, errors: 6 });
    expect(row(report, 'fine').status).toBe('ok');

    const badtype = row(report, 'badtype');
    expect(badtype.status).toBe('error');
    expect(badtype.manifest).toBe('invalid');
    expect(notable(badtype)).toHaveLength(1);
    expect(notable(badtype)[0]).toMatchObject({ severity: 'error', code: 'manifest', path: '$.version', file: 'plugins/badtype/plugin.json' });
    // With no valid manifest there is nothing to check requirements or upstream against.
    expect(badtype.requirements).toEqual([]);

    const unknown = row(report, 'unknown');
    expect(unknown.status).toBe('error');
    expect(notable(unknown)).toEqual([{ severity: 'error', code: 'manifest', message: 'unknown field "colour"', file: 'plugins/unknown/plugin.json', path: '$.colour' }]);

    const noagent = row(report, 'noagent');
    expect(noagent.agentMd).toBe(false);
    expect(notable(noagent)).toEqual([{ severity: 'error', code: 'agent-md', message: 'AGENT.md is missing', file: 'plugins/noagent/AGENT.md' }]);

    const nolink = row(report, 'nolink');
    expect(nolink.links).toEqual([{ file: PLAYBOOK, state: 'missing' }]);
    expect(notable(nolink).map((f) => [f.severity, f.code, f.file])).toEqual([['error', 'link-missing', `plugins/nolink/${PLAYBOOK}`]]);

    const broken = row(report, 'broken');
    expect(broken.links).toEqual([{ file: PLAYBOOK, state: 'broken' }]);
    expect(notable(broken).map((f) => [f.severity, f.code, f.file])).toEqual([['error', 'link-broken', `plugins/broken/${PLAYBOOK}`]]);
    expect(notable(broken)[0]?.message).toContain('../AGENT.md');

    const escape = row(report, 'escape');
    expect(notable(escape).map((f) => [f.severity, f.code, f.file])).toEqual([['error', 'symlink-escape', 'plugins/escape/src/config.json']]);
    expect(notable(escape)[0]?.message).toContain('../../../steward.config.json');
  });

  it('reports a missing plugin.json as manifest "missing"', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    unlinkSync(join(library.paths.plugins, 'alpha', 'plugin.json'));
    const r = row(await runDoctor(library), 'alpha');
    expect(r.manifest).toBe('missing');
    expect(notable(r)).toEqual([{ severity: 'error', code: 'manifest', message: 'plugin.json is missing', file: 'plugins/alpha/plugin.json', path: '$' }]);
  });

  it('calls an absolute link to the right template an escape, and a link error', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    const link = join(library.paths.plugins, 'alpha', PLAYBOOK);
    unlinkSync(link);
    symlinkSync(join(library.paths.linked, 'PLAYBOOK.md'), link);
    const r = row(await runDoctor(library), 'alpha');
    expect(r.status).toBe('error');
    expect(
      notable(r)
        .map((f) => f.code)
        .sort(),
    ).toEqual(['link-broken', 'symlink-escape']);
  });

  it('counts a link replaced by a file as info, and warns about a playbook override', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    const link = join(library.paths.plugins, 'alpha', PLAYBOOK);
    unlinkSync(link);
    writeFileSync(link, '---\nname: ours\nversion: 1.0.0\ndescription: Our own.\nprocedures: [debug]\n---\n# Our own playbook\n');
    const r = row(await runDoctor(library), 'alpha');
    expect(r.status).toBe('warning');
    expect(r.links).toEqual([{ file: PLAYBOOK, state: 'overridden' }]);
    expect(r.findings.filter((f) => f.code === 'link-overridden').map((f) => f.severity)).toEqual(['info']);
    expect(r.findings.filter((f) => f.code === 'playbook-override').map((f) => f.severity)).toEqual(['warning']);
  });

  it('reports an override that is not a playbook as an error', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    const link = join(library.paths.plugins, 'alpha', PLAYBOOK);
    unlinkSync(link);
    writeFileSync(link, '# Our own playbook, without front matter\n');
    const r = row(await runDoctor(library), 'alpha');
    expect(r.status).toBe('error');
    expect(r.findings.find((f) => f.code === 'playbook-override')?.message).toContain('front matter');
  });
});

describe('runDoctor: warnings', () => {
  it('warns about a plugin copied in without subtree, and one without upstream', async () => {
    const library = await makeLibrary();
    copyPlugin(library, 'copied', { manifest: manifestFor('copied', { upstream: { url: 'https://example.com/copied.git', branch: 'main' } }) });
    copyPlugin(library, 'orphan');
    const report = await runDoctor(library, { ctx: bareContext() });
    expect(report.summary).toEqual({ plugins: 2, ok: 0, warnings: 2, errors: 0 });

    const copied = row(report, 'copied');
    expect(copied.status).toBe('warning');
    expect(copied.subtree).toEqual({ added: false, unpushed: null, since: null, upstream: 'https://example.com/copied.git#main' });
    expect(notable(copied).map((f) => [f.severity, f.code])).toEqual([['warning', 'not-a-subtree']]);

    const orphan = row(report, 'orphan');
    expect(orphan.status).toBe('warning');
    expect(orphan.subtree.upstream).toBeNull();
    expect(notable(orphan).map((f) => [f.severity, f.code, f.path])).toEqual([
      ['warning', 'not-a-subtree', undefined],
      ['warning', 'no-upstream', '$.upstream'],
    ]);
  });

  it('warns, through the given context, about every unmet requirement', async () => {
    const { library } = await subtreeLibrary(['needy']);
    const dir = join(library.paths.plugins, 'needy');
    mkdirSync(join(dir, 'data'));
    editManifest(dir, (raw) => {
      raw.requires = { files: ['data/model.bin', 'data'], bins: ['steward-test-no-such-bin'], gpu: true };
      raw.env = [{ name: 'NEEDY_TOKEN', required: true }, { name: 'NEEDY_OPTIONAL' }];
    });

    const unmet = row(await runDoctor(library, { ctx: bareContext() }), 'needy');
    expect(unmet.status).toBe('warning');
    expect(unmet.manifest).toBe('ok');
    expect(notable(unmet).map((f) => [f.severity, f.code, f.path])).toEqual([
      ['warning', 'requires-file', '$.requires.files[0]'],
      ['warning', 'requires-file', '$.requires.files[1]'],
      ['warning', 'requires-bin', '$.requires.bins[0]'],
      ['warning', 'requires-gpu', '$.requires.gpu'],
      ['warning', 'requires-env', '$.env[0]'],
    ]);
    expect(notable(unmet).every((f) => f.file === 'plugins/needy/plugin.json')).toBe(true);
    expect(unmet.requirements.map((p) => [p.kind, p.name])).toEqual([
      ['file', 'data/model.bin'],
      ['file', 'data'],
      ['bin', 'steward-test-no-such-bin'],
      ['gpu', 'gpu'],
      ['env', 'NEEDY_TOKEN'],
    ]);
    const messages = notable(unmet).map((f) => f.message);
    expect(messages[0]).toContain('ENOENT');
    expect(messages[1]).toContain('not a regular file');
    expect(messages[3]).toContain('no GPU in this test');

    // Meet every requirement: the same plugin is ok.
    writeFileSync(join(dir, 'data/model.bin'), 'weights');
    editManifest(dir, (raw) => {
      raw.requires = { files: ['data/model.bin'], bins: ['steward-test-bin'], gpu: true };
    });
    const bin = tempDir();
    writeFileSync(join(bin, 'steward-test-bin'), '#!/bin/sh\n');
    chmodSync(join(bin, 'steward-test-bin'), 0o755);
    const met = row(
      await runDoctor(library, {
        ctx: { paths: new PathIndex(bin), env: { NEEDY_TOKEN: 'x' }, gpu: () => ({ present: true, reason: 'test' }) },
      }),
      'needy',
    );
    expect(met.requirements).toEqual([]);
    expect(met.status).toBe('ok');
  });
});

describe('steward doctor exit status (CLI)', () => {
  it('is 0 with only warnings, 1 with --strict, and 1 once there is an error', async () => {
    const library = await makeLibrary();
    copyPlugin(library, 'copied', { manifest: manifestFor('copied', { upstream: { url: 'https://example.com/copied.git', branch: 'main' } }) });

    const warned = steward(['doctor', '--json', '--library', library.root]);
    expect(warned.code).toBe(0);
    expect((JSON.parse(warned.stdout) as DoctorReport).summary).toEqual({ plugins: 1, ok: 0, warnings: 1, errors: 0 });

    const strict = steward(['doctor', '--json', '--strict', '--library', library.root]);
    expect(strict.code).toBe(1);

    unlinkSync(join(library.paths.plugins, 'copied', 'AGENT.md'));
    const failed = steward(['doctor', '--json', '--library', library.root]);
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.stdout) as DoctorReport).summary.errors).toBe(1);
  });

  it('is 2 for a plugin that does not exist', async () => {
    const library = await makeLibrary();
    copyPlugin(library, 'alpha');
    const result = steward(['doctor', '--plugin', 'nope', '--library', library.root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"nope"');
  });
});

describe('subtree status: unpushed commits', () => {
  it('counts commits to the plugin since the add, then since the push, and not commits to another plugin', async () => {
    const { library } = await subtreeLibrary(['alpha', 'beta']);
    const subtree = async (name: string): Promise<DoctorRow['subtree']> => row(await runDoctor(library), name).subtree;

    // `plugin add` makes two commits: the subtree merge, then steward's own commit that
    // records the upstream and links templates. That second commit is counted too.
    const afterAdd = await subtree('alpha');
    expect(afterAdd).toMatchObject({ added: true, since: 'add' });
    expect(afterAdd.unpushed).toBe(1);

    commitFile(library.root, 'plugins/alpha/src/extra.js', 'export const x = 1;\n', 'alpha: extra');
    expect(await subtree('alpha')).toMatchObject({ added: true, since: 'add', unpushed: 2 });
    expect((await subtree('beta')).unpushed).toBe(1);

    await pushPlugin(library, 'alpha');
    expect(await subtree('alpha')).toMatchObject({ added: true, since: 'push', unpushed: 0 });

    commitFile(library.root, 'plugins/beta/src/extra.js', 'export const y = 2;\n', 'beta: extra');
    commitFile(library.root, 'README.md', '# Library\n', 'library readme');
    expect(await subtree('alpha')).toMatchObject({ since: 'push', unpushed: 0 });
    expect(await subtree('beta')).toMatchObject({ since: 'add', unpushed: 2 });

    commitFile(library.root, 'plugins/alpha/AGENT.md', '# alpha\n\nChanged.\n', 'alpha: notes');
    expect(await subtree('alpha')).toMatchObject({ since: 'push', unpushed: 1 });

    const r = row(await runDoctor(library), 'alpha');
    expect(r.status).toBe('ok');
    expect(r.findings).toContainEqual({ severity: 'info', code: 'unpushed', message: '1 commit(s) not pushed upstream since the last push' });
  });

  it('falls back to the add when the pushed commit is no longer in the history', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    commitFile(library.root, 'plugins/alpha/src/extra.js', 'export const x = 1;\n', 'alpha: extra');
    await pushPlugin(library, 'alpha');
    expect(row(await runDoctor(library), 'alpha').subtree).toMatchObject({ since: 'push', unpushed: 0 });
    sh(library.root, 'reset', '-q', '--hard', 'HEAD~1');
    expect(row(await runDoctor(library), 'alpha').subtree).toMatchObject({ since: 'add', unpushed: 1 });
  });

  it('counts a commit made on a branch and merged in', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    await pushPlugin(library, 'alpha');
    sh(library.root, 'checkout', '-q', '-b', 'feature');
    commitFile(library.root, 'plugins/alpha/src/feature.js', 'export const f = 1;\n', 'alpha: feature');
    sh(library.root, 'checkout', '-q', 'main');
    commitFile(library.root, 'README.md', '# Library\n', 'library readme');
    sh(library.root, 'merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    expect(row(await runDoctor(library), 'alpha').subtree).toMatchObject({ since: 'push', unpushed: 1 });
  });

  it('reports a plugin that was never added as not a subtree with nothing to count from', async () => {
    const { library } = await subtreeLibrary(['alpha']);
    copyPlugin(library, 'copied');
    commitFile(library.root, 'plugins/copied/src/extra.js', 'export const x = 1;\n', 'copied: extra');
    const statuses = await subtreeStatuses(library, new Map(['alpha', 'copied'].map((name) => [name, pluginPrefix(library, name)])));
    expect(statuses.get('copied')).toEqual({ added: false, unpushed: null, since: null });
    expect(statuses.get('alpha')).toEqual({ added: true, unpushed: 1, since: 'add' });
  });

  it('returns nothing for a repository without commits', async () => {
    const root = join(tempDir(), 'library');
    mkdirSync(join(root, 'plugins'), { recursive: true });
    writeDefaultConfig(root);
    sh(root, 'init', '-q', '-b', 'main');
    const library = openLibrary({ library: root });
    writePlugin(join(library.paths.plugins, 'alpha'), 'alpha');
    const statuses = await subtreeStatuses(library, new Map([['alpha', 'plugins/alpha']]));
    expect(statuses.size).toBe(0);
    const r = row(await runDoctor(library, { ctx: bareContext() }), 'alpha');
    expect(r.subtree).toEqual({ added: false, unpushed: null, since: null, upstream: null });
    expect(r.findings.map((f) => f.code)).toContain('not-a-subtree');
  });
});

describe('doctor on this machine', () => {
  it('reports no sandbox warning where bubblewrap and cgroups are there, and names bwrap when PATH lacks it', async () => {
    const { runDoctor: doctor } = await import('../../orchestrator/library/doctor.ts');
    const library = await makeLibrary();
    const report = await doctor(library);
    expect(report.environment.filter((f) => f.severity === 'warning')).toEqual([]);
    // A PATH with git and nothing else: no bwrap, no prlimit.
    const bin = join(library.root, '..', 'only-git');
    mkdirSync(bin);
    symlinkSync('/usr/bin/git', join(bin, 'git'));
    const noBwrap = steward(['doctor', '--json'], { cwd: library.root, env: { PATH: bin } });
    const parsed = JSON.parse(noBwrap.stdout) as { environment: { code: string; message: string }[] };
    expect(parsed.environment.map((f) => f.code)).toEqual(expect.arrayContaining(['sandbox-no-bubblewrap', 'sandbox-no-prlimit']));
    expect(noBwrap.code).toBe(0);
  });
});
