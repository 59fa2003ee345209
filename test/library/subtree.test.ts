import { existsSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { addPlugin } from '../../orchestrator/library/subtree/add.ts';
import { pullPlugin } from '../../orchestrator/library/subtree/pull.ts';
import { pushPlugin } from '../../orchestrator/library/subtree/push.ts';
import { emptySplitMemo, Splitter } from '../../orchestrator/library/subtree/split.ts';
import { commitFile, makeLibrary, makeUpstream, sh } from '../helpers/git.ts';
import { manifestFor } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

async function expectCode(promise: Promise<unknown>, code: string): Promise<StewardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StewardError);
  expect((error as StewardError).code).toBe(code);
  return error as StewardError;
}

/** What a failed operation must leave: the same HEAD, a clean tree, no merge in progress. */
function expectUntouched(root: string, head: string, pluginDir?: string): void {
  expect(sh(root, 'rev-parse', 'HEAD')).toBe(head);
  expect(sh(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  expect(existsSync(join(root, '.git', 'MERGE_HEAD'))).toBe(false);
  if (pluginDir) expect(existsSync(pluginDir)).toBe(false);
}

describe('plugin add', () => {
  it('merges the upstream history under plugins/<name>, records the upstream and links the playbook', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    commitFile(upstream.work, 'CHANGELOG.md', '1.0.1\n', 'Second upstream commit');
    sh(upstream.work, 'push', '-q', 'origin', 'main');
    const library = await makeLibrary(root);

    const result = await addPlugin(library, 'csv-x', { from: upstream.bare });

    expect(result.branch).toBe('main');
    const upstreamHead = sh(upstream.bare, 'rev-parse', 'main');
    expect(result.upstreamCommit).toBe(upstreamHead);
    // Full history, not a squash: both upstream commits are ancestors of the library's HEAD.
    expect(sh(library.root, 'merge-base', '--is-ancestor', upstreamHead, 'HEAD')).toBe('');
    const addCommit = sh(library.root, 'log', '--format=%H', '--grep=steward: add plugin csv-x', '-1');
    expect(sh(library.root, 'rev-list', '--parents', '-1', addCommit).split(' ')).toHaveLength(3);
    expect(sh(library.root, 'log', '-1', '--format=%B', addCommit)).toContain('git-subtree-dir: plugins/csv-x');

    const manifest = JSON.parse(readFileSync(join(library.paths.plugins, 'csv-x', 'plugin.json'), 'utf8')) as { upstream: unknown };
    expect(manifest.upstream).toEqual({ url: upstream.bare, branch: 'main' });
    const link = join(library.paths.plugins, 'csv-x', '.steward', 'PLAYBOOK.md');
    expect(readlinkSync(link)).toBe('../../../templates/linked/PLAYBOOK.md');
    expect(readFileSync(link, 'utf8')).toContain('# Default playbook');
    expect(sh(library.root, 'status', '--porcelain')).toBe('');
  });

  it('takes a named branch', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    sh(upstream.work, 'checkout', '-q', '-b', 'release');
    commitFile(upstream.work, 'RELEASE.md', 'r\n', 'Release branch');
    sh(upstream.work, 'push', '-q', 'origin', 'release');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare, ref: 'release' });
    expect(existsSync(join(library.paths.plugins, 'csv-x', 'RELEASE.md'))).toBe(true);
  });

  it('refuses a URL that does not exist, leaving nothing behind', async () => {
    const library = await makeLibrary();
    const head = sh(library.root, 'rev-parse', 'HEAD');
    const error = await expectCode(addPlugin(library, 'csv-x', { from: join(tempDir(), 'nope.git') }), 'E_REMOTE_UNREACHABLE');
    expect(error.message).toContain('nope.git');
    expectUntouched(library.root, head, join(library.paths.plugins, 'csv-x'));
  });

  it('refuses a ref that does not exist, leaving nothing behind', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    const head = sh(library.root, 'rev-parse', 'HEAD');
    const error = await expectCode(addPlugin(library, 'csv-x', { from: upstream.bare, ref: 'no-such-branch' }), 'E_REF_NOT_FOUND');
    expect(error.message).toContain('no-such-branch');
    expectUntouched(library.root, head, join(library.paths.plugins, 'csv-x'));
    expect(sh(library.root, 'for-each-ref')).not.toContain('steward');
  });

  it('refuses an upstream with a symlink that leaves the plugin, and rolls the add back', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    symlinkSync('../../../etc/passwd', join(upstream.work, 'src', 'data.txt'));
    sh(upstream.work, 'add', '-A');
    sh(upstream.work, 'commit', '-q', '-m', 'Link a host file');
    sh(upstream.work, 'push', '-q', 'origin', 'main');
    const library = await makeLibrary(root);
    const head = sh(library.root, 'rev-parse', 'HEAD');

    const error = await expectCode(addPlugin(library, 'csv-x', { from: upstream.bare }), 'E_SYMLINK_ESCAPE');
    expect(error.format()).toContain('plugins/csv-x/src/data.txt');
    expectUntouched(library.root, head, join(library.paths.plugins, 'csv-x'));
  });

  it('refuses an upstream whose manifest is invalid, naming the file and the JSON path', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x', { manifest: manifestFor('csv-x', { version: 3 }) });
    const library = await makeLibrary(root);
    const head = sh(library.root, 'rev-parse', 'HEAD');
    const error = await expectCode(addPlugin(library, 'csv-x', { from: upstream.bare }), 'E_MANIFEST_INVALID');
    expect(error.format()).toMatch(/^plugins\/csv-x\/plugin\.json: \$\.version: /);
    expectUntouched(library.root, head, join(library.paths.plugins, 'csv-x'));
  });

  it('refuses an existing plugin directory and a dirty work tree', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    await expectCode(addPlugin(library, 'csv-x', { from: upstream.bare }), 'E_PLUGIN_EXISTS');

    writeFileSync(join(library.root, 'playbooks', 'default.md'), 'edited\n');
    const head = sh(library.root, 'rev-parse', 'HEAD');
    await expectCode(addPlugin(library, 'other', { from: upstream.bare }), 'E_DIRTY_WORKTREE');
    expect(sh(library.root, 'rev-parse', 'HEAD')).toBe(head);
    expect(existsSync(join(library.paths.plugins, 'other'))).toBe(false);
  });
});

describe('plugin pull', () => {
  it('merges upstream changes with a merge commit whose second parent is the upstream commit', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    sh(upstream.work, 'pull', '-q');
    const upstreamCommit = commitFile(upstream.work, 'src/extra.js', 'export const x = 1;\n', 'Add extra');
    sh(upstream.work, 'push', '-q', 'origin', 'main');

    const result = await pullPlugin(library, 'csv-x');

    expect(result.changed).toBe(true);
    const parents = sh(library.root, 'rev-list', '--parents', '-1', 'HEAD').split(' ');
    expect(parents).toHaveLength(3);
    expect(parents[2]).toBe(upstreamCommit);
    expect(readFileSync(join(library.paths.plugins, 'csv-x', 'src/extra.js'), 'utf8')).toContain('x = 1');

    const again = await pullPlugin(library, 'csv-x');
    expect(again.changed).toBe(false);
  });

  it('refuses a dirty work tree', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    appendFileSync(join(library.paths.plugins, 'csv-x', 'AGENT.md'), 'local edit\n');
    const error = await expectCode(pullPlugin(library, 'csv-x'), 'E_DIRTY_WORKTREE');
    expect(error.message).toContain('plugins/csv-x/AGENT.md');
  });

  it('aborts a conflicting pull and restores the library exactly', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    commitFile(library.root, 'plugins/csv-x/AGENT.md', '# library side\n', 'Library edits AGENT.md');
    sh(upstream.work, 'pull', '-q');
    commitFile(upstream.work, 'AGENT.md', '# upstream side\n', 'Upstream edits AGENT.md');
    sh(upstream.work, 'push', '-q', 'origin', 'main');
    const head = sh(library.root, 'rev-parse', 'HEAD');

    const error = await expectCode(pullPlugin(library, 'csv-x'), 'E_PULL_CONFLICT');
    expect(error.message).toContain('plugins/csv-x/AGENT.md');
    expectUntouched(library.root, head);
    expect(readFileSync(join(library.paths.plugins, 'csv-x', 'AGENT.md'), 'utf8')).toBe('# library side\n');
  });

  it('refuses a plugin without an upstream, naming $.upstream', async () => {
    const library = await makeLibrary();
    const { writePlugin } = await import('../helpers/plugins.ts');
    writePlugin(join(library.paths.plugins, 'local-only'), 'local-only');
    sh(library.root, 'add', '-A');
    sh(library.root, 'commit', '-q', '-m', 'local plugin');
    const error = await expectCode(pullPlugin(library, 'local-only'), 'E_NO_UPSTREAM');
    expect(error.details.path).toBe('$.upstream');
    await expectCode(pushPlugin(library, 'local-only'), 'E_NO_UPSTREAM');
    expect(sh(library.root, 'status', '--porcelain')).toBe('');
  });
});

describe('plugin push', () => {
  it('pushes library commits upstream as a linear continuation of its history, commit by commit', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    commitFile(library.root, 'README.md', 'not the plugin\n', 'Library-only change');
    commitFile(library.root, 'plugins/csv-x/src/index.js', 'export default { name: "csv-x", execute: (i) => i };\n', 'Fix csv-x in the library');
    commitFile(library.root, 'plugins/csv-x/AGENT.md', '# csv-x\n\nBetter notes.\n', 'Document csv-x');

    const first = await pushPlugin(library, 'csv-x');

    const log = sh(upstream.bare, 'log', '--format=%s', 'main').split('\n');
    expect(log).toEqual(['Document csv-x', 'Fix csv-x in the library', 'steward: record upstream of csv-x and link templates', 'Initial import']);
    expect(sh(upstream.bare, 'rev-parse', 'main')).toBe(first.splitCommit);
    // Each pushed commit carries exactly the plugin's tree at that library commit.
    expect(sh(upstream.bare, 'rev-parse', 'main^{tree}')).toBe(sh(library.root, 'rev-parse', 'HEAD:plugins/csv-x'));
    expect(sh(upstream.bare, 'show', 'main~1:src/index.js')).toContain('execute: (i) => i');
    expect(sh(upstream.bare, 'ls-tree', '-r', '--name-only', 'main')).not.toContain('README.md');

    // The upstream work clone fast-forwards: the library did not rewrite its history.
    sh(upstream.work, 'pull', '-q', '--ff-only');
    expect(sh(upstream.work, 'rev-parse', 'HEAD')).toBe(first.splitCommit);
  });

  it('walks only the commits since the last push', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    for (let i = 0; i < 12; i++) commitFile(library.root, `notes/${i}.md`, `${i}\n`, `Unrelated ${i}`);
    commitFile(library.root, 'plugins/csv-x/NOTES.md', 'one\n', 'csv-x notes');
    const first = await pushPlugin(library, 'csv-x');
    commitFile(library.root, 'plugins/csv-x/NOTES.md', 'two\n', 'csv-x notes again');

    const second = await pushPlugin(library, 'csv-x');

    expect(first.walked).toBeGreaterThan(12);
    expect(second.walked).toBe(1);
    expect(second.created).toBe(1);
    expect(sh(upstream.bare, 'log', '-1', '--format=%s', 'main')).toBe('csv-x notes again');
  });

  it('is rejected when upstream moved on, and says to pull first', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    sh(upstream.work, 'pull', '-q');
    commitFile(upstream.work, 'UPSTREAM.md', 'u\n', 'Upstream only');
    sh(upstream.work, 'push', '-q', 'origin', 'main');
    const upstreamHead = sh(upstream.bare, 'rev-parse', 'main');
    commitFile(library.root, 'plugins/csv-x/LIB.md', 'l\n', 'Library only');

    const error = await expectCode(pushPlugin(library, 'csv-x'), 'E_PUSH_REJECTED');
    expect(error.details.hint).toContain('steward plugin pull csv-x');
    expect(sh(upstream.bare, 'rev-parse', 'main')).toBe(upstreamHead);

    await pullPlugin(library, 'csv-x');
    await pushPlugin(library, 'csv-x');
    expect(sh(upstream.bare, 'merge-base', '--is-ancestor', upstreamHead, 'main')).toBe('');
  });
});

describe('the split', () => {
  it('produces the same commit as git subtree split, across adds, pulls, merges and other plugins', async () => {
    const root = tempDir();
    const a = await makeUpstream(root, 'alpha');
    const b = await makeUpstream(root, 'beta');
    const library = await makeLibrary(root);
    await addPlugin(library, 'alpha', { from: a.bare });
    await addPlugin(library, 'beta', { from: b.bare });
    commitFile(library.root, 'plugins/alpha/one.md', '1\n', 'alpha one');
    commitFile(library.root, 'plugins/beta/one.md', '1\n', 'beta one');
    // A side branch touching alpha, merged back.
    sh(library.root, 'checkout', '-q', '-b', 'side');
    commitFile(library.root, 'plugins/alpha/side.md', 's\n', 'alpha on a side branch');
    sh(library.root, 'checkout', '-q', 'main');
    commitFile(library.root, 'plugins/alpha/two.md', '2\n', 'alpha two');
    sh(library.root, 'merge', '-q', '--no-ff', '-m', 'Merge side', 'side');
    sh(a.work, 'pull', '-q');
    commitFile(a.work, 'up.md', 'u\n', 'alpha upstream');
    sh(a.work, 'push', '-q', 'origin', 'main');
    await pullPlugin(library, 'alpha');
    commitFile(library.root, 'plugins/alpha/three.md', '3\n', 'alpha three');

    const expected = sh(library.root, 'subtree', 'split', '--prefix=plugins/alpha', 'HEAD');
    const memo = emptySplitMemo('plugins/alpha');
    const cold = await new Splitter(library.root, memo).split('HEAD');
    expect(cold.split).toBe(expected);

    commitFile(library.root, 'plugins/alpha/four.md', '4\n', 'alpha four');
    const warm = await new Splitter(library.root, memo).split('HEAD');
    expect(warm.walked).toBe(1);
    expect(warm.split).toBe(sh(library.root, 'subtree', 'split', '--prefix=plugins/alpha', 'HEAD'));
  });
});
