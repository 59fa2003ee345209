import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StewardError } from '../../orchestrator/core/errors.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { checkLinks, ensurePlaybookLink, linkedTemplates, linkStatus, linkTemplates, type LinkStatus } from '../../orchestrator/library/links.ts';
import { steward } from '../helpers/cli.ts';
import { makeLibrary } from '../helpers/git.ts';
import { writePlugin } from '../helpers/plugins.ts';

const PLAYBOOK = '.steward/PLAYBOOK.md';

function addPluginDir(library: Library, name: string): string {
  return writePlugin(join(library.paths.plugins, name), name);
}

/** Extra templates beside PLAYBOOK.md, one of them nested, so linking is not special-cased to one file. */
function addTemplates(library: Library): void {
  writeFileSync(join(library.paths.linked, 'CHECKLIST.md'), '# Checklist\n');
  mkdirSync(join(library.paths.linked, 'ci'), { recursive: true });
  writeFileSync(join(library.paths.linked, 'ci', 'workflow.yml'), 'on: push\n');
}

/** Every entry under `dir` with what a link says or a file holds: equal snapshots mean nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(d, entry.name);
      const key = relative(dir, full).split(sep).join('/');
      if (entry.isSymbolicLink()) out[key] = `link:${readlinkSync(full)}`;
      else if (entry.isDirectory()) {
        out[key] = 'dir';
        visit(full);
      } else out[key] = `file:${readFileSync(full, 'utf8')}`;
    }
  };
  visit(dir);
  return out;
}

function replaceWithLink(path: string, target: string): void {
  rmPath(path);
  symlinkSync(target, path);
}

function replaceWithFile(path: string, text: string): void {
  rmPath(path);
  writeFileSync(path, text);
}

function rmPath(path: string): void {
  try {
    lstatSync(path);
  } catch {
    return;
  }
  // unlink, not rm -r: these are links or files.
  unlinkSync(path);
}

function stateOf(statuses: readonly LinkStatus[], plugin: string, file: string): LinkStatus | undefined {
  return statuses.find((s) => s.plugin === plugin && s.file === file);
}

describe('linkedTemplates', () => {
  it('lists the files of templates/linked/, nested ones with "/" and the PLAYBOOK.md link, sorted', async () => {
    const library = await makeLibrary();
    expect(linkedTemplates(library)).toEqual(['PLAYBOOK.md']);
    addTemplates(library);
    expect(linkedTemplates(library)).toEqual(['CHECKLIST.md', 'PLAYBOOK.md', 'ci/workflow.yml']);
  });

  it('is empty when templates/linked/ does not exist', async () => {
    const library = await makeLibrary();
    const moved: Library = { ...library, paths: { ...library.paths, linked: join(library.root, 'no-such-dir') } };
    expect(linkedTemplates(moved)).toEqual([]);
  });
});

describe('linkTemplates', () => {
  it('makes relative symlinks for every template, nested ones too, that read as the templates', async () => {
    const library = await makeLibrary();
    addTemplates(library);
    const dir = addPluginDir(library, 'alpha');
    const after = linkTemplates(library);

    expect(after.map((s) => [s.file, s.state])).toEqual([
      ['.steward/CHECKLIST.md', 'linked'],
      ['.steward/PLAYBOOK.md', 'linked'],
      ['.steward/ci/workflow.yml', 'linked'],
    ]);
    for (const file of [PLAYBOOK, '.steward/CHECKLIST.md', '.steward/ci/workflow.yml']) {
      const link = join(dir, file);
      expect(lstatSync(link).isSymbolicLink(), file).toBe(true);
      expect(readlinkSync(link).startsWith('/'), `${file} -> ${readlinkSync(link)}`).toBe(false);
    }
    expect(readFileSync(join(dir, PLAYBOOK), 'utf8')).toBe(readFileSync(join(library.paths.playbooks, 'default.md'), 'utf8'));
    expect(readFileSync(join(dir, '.steward/CHECKLIST.md'), 'utf8')).toBe('# Checklist\n');
    expect(readFileSync(join(dir, '.steward/ci/workflow.yml'), 'utf8')).toBe('on: push\n');
  });

  it('links only the plugins it is given', async () => {
    const library = await makeLibrary();
    const alpha = addPluginDir(library, 'alpha');
    const beta = addPluginDir(library, 'beta');
    const after = linkTemplates(library, ['beta']);
    expect(after.map((s) => s.plugin)).toEqual(['beta']);
    expect(linkStatus(library, 'alpha', 'PLAYBOOK.md').state).toBe('missing');
    expect(() => lstatSync(join(alpha, PLAYBOOK))).toThrow();
    expect(lstatSync(join(beta, PLAYBOOK)).isSymbolicLink()).toBe(true);
  });

  it('repairs missing and broken links and leaves an override alone', async () => {
    const library = await makeLibrary();
    addTemplates(library);
    const missing = addPluginDir(library, 'missing');
    const dangling = addPluginDir(library, 'dangling');
    const elsewhere = addPluginDir(library, 'elsewhere');
    const override = addPluginDir(library, 'override');
    linkTemplates(library, ['dangling', 'elsewhere', 'override']);

    // Break them in three ways, and override one on purpose.
    const danglingLink = join(dangling, PLAYBOOK);
    const elsewhereLink = join(elsewhere, PLAYBOOK);
    const overrideFile = join(override, PLAYBOOK);
    replaceWithLink(danglingLink, '../no-such-file.md');
    replaceWithLink(elsewhereLink, '../AGENT.md');
    replaceWithFile(overrideFile, '# My own playbook\n');

    const before = checkLinks(library);
    expect(stateOf(before, 'missing', PLAYBOOK)?.state).toBe('missing');
    expect(stateOf(before, 'dangling', PLAYBOOK)?.state).toBe('broken');
    expect(stateOf(before, 'elsewhere', PLAYBOOK)?.state).toBe('broken');
    expect(stateOf(before, 'override', PLAYBOOK)?.state).toBe('overridden');

    const after = linkTemplates(library);
    expect(after.filter((s) => s.state !== 'linked')).toEqual([{ plugin: 'override', file: PLAYBOOK, state: 'overridden' }]);
    const defaultText = readFileSync(join(library.paths.playbooks, 'default.md'), 'utf8');
    for (const dir of [missing, dangling, elsewhere]) {
      expect(lstatSync(join(dir, PLAYBOOK)).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(dir, PLAYBOOK), 'utf8')).toBe(defaultText);
    }
    expect(lstatSync(overrideFile).isFile()).toBe(true);
    expect(readFileSync(overrideFile, 'utf8')).toBe('# My own playbook\n');
    // The repaired links are the same relative text a fresh link has.
    expect(readlinkSync(danglingLink)).toBe(readlinkSync(join(missing, PLAYBOOK)));
  });

  it('never deletes a directory standing where a link belongs: it stays broken, contents kept', async () => {
    const library = await makeLibrary();
    const dir = addPluginDir(library, 'alpha');
    mkdirSync(join(dir, PLAYBOOK), { recursive: true });
    writeFileSync(join(dir, PLAYBOOK, 'notes.txt'), 'keep me\n');
    expect(linkStatus(library, 'alpha', 'PLAYBOOK.md')).toMatchObject({ state: 'broken', detail: 'not a file or a link' });
    expect(linkTemplates(library).map((s) => s.state)).toEqual(['broken']);
    expect(readFileSync(join(dir, PLAYBOOK, 'notes.txt'), 'utf8')).toBe('keep me\n');
  });

  it('refuses a default playbook that does not exist, naming it, and links nothing', async () => {
    const library = await makeLibrary();
    const dir = addPluginDir(library, 'alpha');
    const bad: Library = { ...library, config: { ...library.config, defaultPlaybook: 'absent' } };
    let caught: unknown;
    try {
      linkTemplates(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StewardError);
    expect((caught as StewardError).code).toBe('E_PLAYBOOK_MISSING');
    expect((caught as StewardError).details.file).toBe('playbooks/absent.md');
    expect(() => lstatSync(join(dir, PLAYBOOK))).toThrow();
  });
});

describe('linkStatus and checkLinks', () => {
  it('reports linked, missing, broken (dangling, elsewhere) and overridden with details', async () => {
    const library = await makeLibrary();
    for (const name of ['linked', 'missing', 'dangling', 'elsewhere', 'overridden']) addPluginDir(library, name);
    linkTemplates(library, ['linked', 'dangling', 'elsewhere']);
    replaceWithLink(join(library.paths.plugins, 'dangling', PLAYBOOK), 'gone.md');
    replaceWithLink(join(library.paths.plugins, 'elsewhere', PLAYBOOK), '../AGENT.md');
    mkdirSync(join(library.paths.plugins, 'overridden', '.steward'), { recursive: true });
    writeFileSync(join(library.paths.plugins, 'overridden', PLAYBOOK), 'mine\n');

    const statuses = checkLinks(library);
    expect(statuses.map((s) => [s.plugin, s.file, s.state])).toEqual([
      ['dangling', PLAYBOOK, 'broken'],
      ['elsewhere', PLAYBOOK, 'broken'],
      ['linked', PLAYBOOK, 'linked'],
      ['missing', PLAYBOOK, 'missing'],
      ['overridden', PLAYBOOK, 'overridden'],
    ]);
    expect(stateOf(statuses, 'dangling', PLAYBOOK)?.detail).toContain('points to gone.md');
    expect(stateOf(statuses, 'elsewhere', PLAYBOOK)?.detail).toContain('points to ../AGENT.md');
    expect(stateOf(statuses, 'linked', PLAYBOOK)?.detail).toBeUndefined();
  });

  it('reports a link to the right place whose template does not resolve as broken', async () => {
    const library = await makeLibrary();
    addPluginDir(library, 'alpha');
    symlinkSync('../../playbooks/nowhere.md', join(library.paths.linked, 'GHOST.md'));
    linkTemplates(library);
    const ghost = linkStatus(library, 'alpha', 'GHOST.md');
    expect(ghost.state).toBe('broken');
    expect(ghost.detail).toContain('does not resolve');
    expect(linkStatus(library, 'alpha', 'PLAYBOOK.md').state).toBe('linked');
  });

  it('reports an absolute link as broken, and linkTemplates makes it relative', async () => {
    const library = await makeLibrary();
    const dir = addPluginDir(library, 'alpha');
    mkdirSync(join(dir, '.steward'));
    // Right target, absolute text: it breaks as soon as the library is cloned elsewhere,
    // and doctor calls it a symlink escape.
    symlinkSync(join(library.paths.linked, 'PLAYBOOK.md'), join(dir, PLAYBOOK));
    expect(linkStatus(library, 'alpha', 'PLAYBOOK.md').state).toBe('broken');
    linkTemplates(library);
    expect(readlinkSync(join(dir, PLAYBOOK)).startsWith('/')).toBe(false);
    expect(linkStatus(library, 'alpha', 'PLAYBOOK.md').state).toBe('linked');
  });

  it('changes nothing on disk', async () => {
    const library = await makeLibrary();
    addTemplates(library);
    for (const name of ['alpha', 'beta', 'gamma']) addPluginDir(library, name);
    linkTemplates(library, ['alpha']);
    replaceWithLink(join(library.paths.plugins, 'alpha', '.steward/CHECKLIST.md'), 'gone.md');
    mkdirSync(join(library.paths.plugins, 'gamma', '.steward'));
    writeFileSync(join(library.paths.plugins, 'gamma', PLAYBOOK), 'mine\n');

    const before = snapshot(library.root);
    const statuses = checkLinks(library);
    expect(statuses.some((s) => s.state === 'missing')).toBe(true);
    expect(statuses.some((s) => s.state === 'broken')).toBe(true);
    expect(snapshot(library.root)).toEqual(before);
  });

  it('checks only the plugins it is given, every template for each', async () => {
    const library = await makeLibrary();
    addTemplates(library);
    addPluginDir(library, 'alpha');
    addPluginDir(library, 'beta');
    const statuses = checkLinks(library, ['beta']);
    expect(statuses.map((s) => `${s.plugin}:${s.file}:${s.state}`)).toEqual([
      'beta:.steward/CHECKLIST.md:missing',
      'beta:.steward/PLAYBOOK.md:missing',
      'beta:.steward/ci/workflow.yml:missing',
    ]);
  });
});

describe('ensurePlaybookLink', () => {
  it('re-points templates/linked/PLAYBOOK.md at the configured default playbook', async () => {
    const library = await makeLibrary();
    const dir = addPluginDir(library, 'alpha');
    linkTemplates(library);
    writeFileSync(join(library.paths.playbooks, 'strict.md'), '# Strict playbook\n');
    const changed: Library = { ...library, config: { ...library.config, defaultPlaybook: 'strict' } };

    ensurePlaybookLink(changed);
    const link = join(library.paths.linked, 'PLAYBOOK.md');
    expect(readlinkSync(link)).toBe('../../playbooks/strict.md');
    // Every plugin follows at once, through its unchanged link.
    expect(readFileSync(join(dir, PLAYBOOK), 'utf8')).toBe('# Strict playbook\n');
    expect(linkStatus(changed, 'alpha', 'PLAYBOOK.md').state).toBe('linked');

    ensurePlaybookLink(library);
    expect(readlinkSync(link)).toBe('../../playbooks/default.md');
  });

  it('leaves a regular file at templates/linked/PLAYBOOK.md alone', async () => {
    const library = await makeLibrary();
    const link = join(library.paths.linked, 'PLAYBOOK.md');
    replaceWithFile(link, "# The library's own\n");
    writeFileSync(join(library.paths.playbooks, 'strict.md'), '# Strict playbook\n');
    ensurePlaybookLink({ ...library, config: { ...library.config, defaultPlaybook: 'strict' } });
    expect(lstatSync(link).isFile()).toBe(true);
    expect(readFileSync(link, 'utf8')).toBe("# The library's own\n");
  });

  it('creates the link when it is missing, and refuses a playbook that does not exist', async () => {
    const library = await makeLibrary();
    const link = join(library.paths.linked, 'PLAYBOOK.md');
    unlinkSync(link);
    expect(() => ensurePlaybookLink({ ...library, config: { ...library.config, defaultPlaybook: 'absent' } })).toThrow(/"absent" does not exist/);
    expect(() => lstatSync(link)).toThrow();
    ensurePlaybookLink(library);
    expect(readlinkSync(link)).toBe('../../playbooks/default.md');
  });
});

describe('steward templates link (CLI)', () => {
  it('--check --json: exit 1 with the JSON report while a link is missing, 0 once all are linked', async () => {
    const library = await makeLibrary();
    addPluginDir(library, 'alpha');
    addPluginDir(library, 'beta');
    linkTemplates(library, ['alpha']);
    mkdirSync(join(library.paths.plugins, 'beta', '.steward'));

    const missing = steward(['templates', 'link', '--check', '--json', '--library', library.root]);
    expect(missing.stderr).toBe('');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({
      version: 1,
      summary: { linked: 1, missing: 1, broken: 0, overridden: 0 },
      links: [
        { plugin: 'alpha', file: PLAYBOOK, state: 'linked' },
        { plugin: 'beta', file: PLAYBOOK, state: 'missing' },
      ],
    });
    // --check reported; it did not link.
    expect(() => lstatSync(join(library.paths.plugins, 'beta', PLAYBOOK))).toThrow();

    const fixed = steward(['templates', 'link', '--json', '--library', library.root]);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).summary).toEqual({ linked: 2, missing: 0, broken: 0, overridden: 0 });

    const check = steward(['templates', 'link', '--check', '--json', '--library', library.root]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).summary).toEqual({ linked: 2, missing: 0, broken: 0, overridden: 0 });
  });

  it('--check: exit 1 for a broken link, 0 for an override', async () => {
    const library = await makeLibrary();
    addPluginDir(library, 'alpha');
    linkTemplates(library);
    const link = join(library.paths.plugins, 'alpha', PLAYBOOK);
    replaceWithLink(link, 'gone.md');
    const broken = steward(['templates', 'link', '--check', '--json', '--library', library.root]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout).summary).toEqual({ linked: 0, missing: 0, broken: 1, overridden: 0 });

    replaceWithFile(link, 'mine\n');
    const overridden = steward(['templates', 'link', '--check', '--json', '--library', library.root]);
    expect(overridden.code).toBe(0);
    expect(JSON.parse(overridden.stdout).links).toEqual([{ plugin: 'alpha', file: PLAYBOOK, state: 'overridden' }]);
  });

  it('--plugin nope: exit 2 naming the plugin', async () => {
    const library = await makeLibrary();
    addPluginDir(library, 'alpha');
    const result = steward(['templates', 'link', '--check', '--json', '--plugin', 'nope', '--library', library.root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"nope"');
    expect(result.stderr).toContain('E_PLUGIN_UNKNOWN');
    expect(result.stdout).toBe('');
  });
});
