import { existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { appendPluginHistory, loadPluginContext, PLAYBOOK_LINK } from '../../orchestrator/library/context.ts';
import { appendHistory, HISTORY_FILE, readHistory, type HistoryEntry } from '../../orchestrator/library/history.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { linkTemplates } from '../../orchestrator/library/links.ts';
import { makeLibrary } from '../helpers/git.ts';
import { manifestFor, writePlugin, type PluginFiles } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

async function libraryWith(name: string, files: PluginFiles = {}): Promise<{ library: Library; dir: string }> {
  const library = await makeLibrary();
  const dir = writePlugin(join(library.paths.plugins, name), name, files);
  linkTemplates(library, [name]);
  return { library, dir };
}

function entry(i: number, overrides: Record<string, unknown> = {}): HistoryEntry & Record<string, unknown> {
  return { at: `2025-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`, type: 'note', summary: `entry ${i}`, ...overrides };
}

function writeHistory(dir: string, lines: readonly string[], trailingNewline = true): string {
  const file = join(dir, HISTORY_FILE);
  mkdirSync(join(dir, '.steward'), { recursive: true });
  writeFileSync(file, lines.join('\n') + (trailingNewline ? '\n' : ''));
  return file;
}

/** The StewardError `fn` throws; fails the test when it throws something else or nothing. */
function stewardErrorFrom(fn: () => unknown): StewardError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StewardError);
    return error as StewardError;
  }
  throw new Error('expected a StewardError, nothing was thrown');
}

describe('loadPluginContext', () => {
  it('returns the manifest, AGENT.md and the default playbook read through the link', async () => {
    const { library, dir } = await libraryWith('alpha', { agentMd: '# alpha\n\nEchoes its input.\n' });
    const ctx = loadPluginContext(library, 'alpha');
    expect(ctx.name).toBe('alpha');
    expect(ctx.dir).toBe(dir);
    expect(ctx.prefix).toBe('plugins/alpha');
    expect(ctx.manifest.name).toBe('alpha');
    expect(ctx.manifest.version).toBe('1.0.0');
    // Defaults are filled in, so the agent sees the whole contract.
    expect(ctx.manifest.limits).toEqual({ timeoutMs: 60_000, memoryMb: 1024 });
    expect(ctx.agentMd).toBe('# alpha\n\nEchoes its input.\n');
    expect(ctx.playbook).toEqual({
      source: 'link',
      file: PLAYBOOK_LINK,
      text: readFileSync(join(library.paths.playbooks, 'default.md'), 'utf8'),
    });
    expect(ctx.history).toEqual([]);
    expect(ctx.historySkipped).toEqual([]);
  });

  it('reads a regular file at .steward/PLAYBOOK.md as an override', async () => {
    const { library, dir } = await libraryWith('alpha');
    unlinkSync(join(dir, PLAYBOOK_LINK));
    writeFileSync(join(dir, PLAYBOOK_LINK), "# alpha's own playbook\n");
    // The library's playbook comes along: an override may only tighten its policies.
    expect(loadPluginContext(library, 'alpha').playbook).toEqual({
      source: 'override',
      file: PLAYBOOK_LINK,
      text: "# alpha's own playbook\n",
      base: { file: 'playbooks/default.md', text: expect.stringContaining('name: default') },
    });
  });

  it('reads the playbook the manifest names from playbooks/', async () => {
    const { library } = await libraryWith('alpha', { manifest: manifestFor('alpha', { playbook: 'other' }) });
    writeFileSync(join(library.paths.playbooks, 'other.md'), '# The other playbook\n');
    expect(loadPluginContext(library, 'alpha').playbook).toEqual({ source: 'manifest', file: 'playbooks/other.md', text: '# The other playbook\n' });
  });

  it('prefers an override to the playbook the manifest names', async () => {
    const { library, dir } = await libraryWith('alpha', { manifest: manifestFor('alpha', { playbook: 'other' }) });
    writeFileSync(join(library.paths.playbooks, 'other.md'), '# The other playbook\n');
    unlinkSync(join(dir, PLAYBOOK_LINK));
    writeFileSync(join(dir, PLAYBOOK_LINK), 'mine\n');
    expect(loadPluginContext(library, 'alpha').playbook.source).toBe('override');
  });

  it('fails with E_PLAYBOOK_MISSING when the named playbook does not exist', async () => {
    const { library } = await libraryWith('alpha', { manifest: manifestFor('alpha', { playbook: 'absent' }) });
    const error = stewardErrorFrom(() => loadPluginContext(library, 'alpha'));
    expect(error.code).toBe('E_PLAYBOOK_MISSING');
    expect(error.details.path).toBe('$.playbook');
    expect(error.message).toContain('absent');
  });

  it('fails with E_PLAYBOOK_MISSING when the link is missing or dangling', async () => {
    const { library, dir } = await libraryWith('alpha');
    unlinkSync(join(dir, PLAYBOOK_LINK));
    expect(stewardErrorFrom(() => loadPluginContext(library, 'alpha')).code).toBe('E_PLAYBOOK_MISSING');
    symlinkSync('../gone.md', join(dir, PLAYBOOK_LINK));
    expect(stewardErrorFrom(() => loadPluginContext(library, 'alpha')).code).toBe('E_PLAYBOOK_MISSING');
  });

  it("refuses a playbook link that leads outside the library's templates", async () => {
    const { library, dir } = await libraryWith('alpha');
    unlinkSync(join(dir, PLAYBOOK_LINK));
    symlinkSync('../AGENT.md', join(dir, PLAYBOOK_LINK));
    expect(stewardErrorFrom(() => loadPluginContext(library, 'alpha')).code).toBe('E_SYMLINK_ESCAPE');
  });

  it('fails for a missing AGENT.md, an invalid manifest and an unknown plugin', async () => {
    const { library, dir } = await libraryWith('alpha');
    expect(stewardErrorFrom(() => loadPluginContext(library, 'beta')).code).toBe('E_PLUGIN_UNKNOWN');

    writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifestFor('alpha', { runtime: 'ruby' })));
    const invalid = stewardErrorFrom(() => loadPluginContext(library, 'alpha'));
    expect(invalid.code).toBe('E_MANIFEST_INVALID');
    expect(invalid.details).toMatchObject({ file: 'plugins/alpha/plugin.json', path: '$.runtime' });

    writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifestFor('alpha')));
    unlinkSync(join(dir, 'AGENT.md'));
    const agent = stewardErrorFrom(() => loadPluginContext(library, 'alpha'));
    expect(agent.code).toBe('E_AGENT_MD_MISSING');
    expect(agent.details.file).toBe('plugins/alpha/AGENT.md');
  });

  it('returns the last historyLimit entries in order', async () => {
    const { library, dir } = await libraryWith('alpha');
    writeHistory(
      dir,
      Array.from({ length: 30 }, (_, i) => JSON.stringify(entry(i + 1))),
    );
    const five = loadPluginContext(library, 'alpha', { historyLimit: 5 });
    expect(five.history.map((e) => e.summary)).toEqual(['entry 26', 'entry 27', 'entry 28', 'entry 29', 'entry 30']);
    expect(five.historySkipped).toEqual([]);
    // Without the option, the library's configured limit (20 by default).
    const configured = loadPluginContext(library, 'alpha');
    expect(library.config.historyLimit).toBe(20);
    expect(configured.history).toHaveLength(20);
    expect(configured.history[0]?.summary).toBe('entry 11');
    const three = loadPluginContext({ ...library, config: { ...library.config, historyLimit: 3 } }, 'alpha');
    expect(three.history.map((e) => e.summary)).toEqual(['entry 28', 'entry 29', 'entry 30']);
  });

  it('skips invalid history lines and reports their line numbers', async () => {
    const { library, dir } = await libraryWith('alpha');
    writeHistory(dir, [
      JSON.stringify(entry(1)),
      '{"at": "2025-01-02T10:00:00Z", "type": "note", "summary": "cut off',
      JSON.stringify(entry(3)),
      JSON.stringify(entry(4, { type: 'gossip' })),
      '',
      JSON.stringify(entry(6, { extra: true })),
      JSON.stringify(entry(7)),
    ]);
    const ctx = loadPluginContext(library, 'alpha');
    expect(ctx.history.map((e) => e.summary)).toEqual(['entry 1', 'entry 3', 'entry 7']);
    expect(ctx.historySkipped.map((s) => s.line)).toEqual([2, 4, 6]);
    expect(ctx.historySkipped[1]?.reason).toContain('$.type');
    expect(ctx.historySkipped[2]?.reason).toContain('$.extra');
  });

  it('indexes the sources with language and line count, without .steward/ or node_modules/', async () => {
    const { library, dir } = await libraryWith('alpha', {
      files: {
        'src/lib/util.py': 'def f():\n    return 1\n',
        'src/empty.ts': '',
        'src/no-newline.sh': 'echo a\necho b',
        'README.md': '# alpha\n\nMore.\n',
        'data/table.csv': 'a,b\n1,2\n',
        'node_modules/dep/index.js': 'module.exports = 1;\n',
      },
    });
    writeHistory(dir, [JSON.stringify(entry(1))]);
    symlinkSync('util.py', join(dir, 'src/lib/alias.py'));

    const sources = loadPluginContext(library, 'alpha').sources;
    expect(sources.map((s) => s.path)).toEqual([
      'AGENT.md',
      'README.md',
      'data/table.csv',
      'plugin.json',
      'src/empty.ts',
      'src/index.js',
      'src/lib/util.py',
      'src/no-newline.sh',
      'test/index.test.js',
    ]);
    const by = (path: string): { language: string; lines: number; bytes: number } | undefined => {
      const found = sources.find((s) => s.path === path);
      return found && { language: found.language, lines: found.lines, bytes: found.bytes };
    };
    expect(by('src/lib/util.py')).toEqual({ language: 'python', lines: 2, bytes: 'def f():\n    return 1\n'.length });
    expect(by('src/index.js')).toMatchObject({ language: 'javascript', lines: 1 });
    expect(by('test/index.test.js')).toMatchObject({ language: 'javascript', lines: 4 });
    expect(by('src/empty.ts')).toEqual({ language: 'typescript', lines: 0, bytes: 0 });
    expect(by('src/no-newline.sh')).toMatchObject({ language: 'shell', lines: 2 });
    expect(by('README.md')).toMatchObject({ language: 'markdown', lines: 3 });
    expect(by('plugin.json')?.language).toBe('json');
    expect(by('data/table.csv')).toMatchObject({ language: 'other', lines: 2 });
  });
});

describe('readHistory', () => {
  it('is empty when the plugin has no history file', () => {
    expect(readHistory(tempDir(), 10)).toEqual({ entries: [], skipped: [] });
  });

  it('returns at most `limit` entries, the newest, oldest first', () => {
    const dir = tempDir();
    writeHistory(
      dir,
      Array.from({ length: 4 }, (_, i) => JSON.stringify(entry(i + 1))),
    );
    expect(readHistory(dir, 2).entries.map((e) => e.summary)).toEqual(['entry 3', 'entry 4']);
    expect(readHistory(dir, 10).entries.map((e) => e.summary)).toEqual(['entry 1', 'entry 2', 'entry 3', 'entry 4']);
    expect(readHistory(dir, 0).entries).toEqual([]);
  });

  it('reads a file with Windows line ends and without a final newline', () => {
    const dir = tempDir();
    const file = join(dir, HISTORY_FILE);
    mkdirSync(join(dir, '.steward'));
    writeFileSync(file, `${JSON.stringify(entry(1))}\r\n${JSON.stringify(entry(2))}`);
    expect(readHistory(dir, 10)).toEqual({ entries: [entry(1), entry(2)], skipped: [] });
  });
});

describe('appendPluginHistory and appendHistory', () => {
  it('appends exactly one validated line and returns the entry', async () => {
    const { library, dir } = await libraryWith('alpha');
    const file = writeHistory(dir, [JSON.stringify(entry(1)), JSON.stringify(entry(2))]);
    const before = readFileSync(file, 'utf8');
    const added = appendPluginHistory(library, 'alpha', { at: '2025-02-01T09:30:00+02:00', type: 'fix', summary: 'Fixed the echo.', version: '1.0.1' });
    expect(added).toEqual({ at: '2025-02-01T09:30:00+02:00', type: 'fix', summary: 'Fixed the echo.', version: '1.0.1' });
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const appended = after.slice(before.length);
    expect(appended.endsWith('\n')).toBe(true);
    expect(appended.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(appended)).toEqual(added);
    expect(loadPluginContext(library, 'alpha').history.map((e) => e.summary)).toEqual(['entry 1', 'entry 2', 'Fixed the echo.']);
  });

  it('creates the history file when there is none', async () => {
    const { library, dir } = await libraryWith('alpha');
    const file = join(dir, HISTORY_FILE);
    expect(existsSync(file)).toBe(false);
    appendPluginHistory(library, 'alpha', entry(1));
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(entry(1))}\n`);
  });

  it('rejects an invalid entry naming its JSON path, and leaves the file as it was', async () => {
    const { library, dir } = await libraryWith('alpha');
    const file = writeHistory(dir, [JSON.stringify(entry(1))]);
    const before = readFileSync(file, 'utf8');

    const badType = stewardErrorFrom(() => appendPluginHistory(library, 'alpha', entry(2, { type: 'gossip' })));
    expect(badType.code).toBe('E_HISTORY_INVALID');
    expect(badType.details).toEqual({ file: 'plugins/alpha/.steward/history.jsonl', path: '$.type' });
    expect(badType.format()).toContain('$.type');

    const unknown = stewardErrorFrom(() => appendPluginHistory(library, 'alpha', entry(3, { severity: 'high' })));
    expect(unknown.details.path).toBe('$.severity');
    const badDate = stewardErrorFrom(() => appendPluginHistory(library, 'alpha', entry(4, { at: 'yesterday' })));
    expect(badDate.details.path).toBe('$.at');

    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('writes no file for a rejected first entry', () => {
    const dir = tempDir();
    expect(stewardErrorFrom(() => appendHistory(dir, { type: 'note' })).code).toBe('E_HISTORY_INVALID');
    expect(existsSync(join(dir, HISTORY_FILE))).toBe(false);
  });

  it('ends an unterminated last line before appending', async () => {
    const { library, dir } = await libraryWith('alpha');
    const file = writeHistory(dir, [JSON.stringify(entry(1))], false);
    appendPluginHistory(library, 'alpha', entry(2));
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(entry(1))}\n${JSON.stringify(entry(2))}\n`);
    const read = readHistory(dir, 10);
    expect(read.skipped).toEqual([]);
    expect(read.entries.map((e) => e.summary)).toEqual(['entry 1', 'entry 2']);
  });

  it('fails for an unknown plugin', async () => {
    const { library } = await libraryWith('alpha');
    expect(stewardErrorFrom(() => appendPluginHistory(library, 'beta', entry(1))).code).toBe('E_PLUGIN_UNKNOWN');
  });
});
