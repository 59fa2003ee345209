import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { fetchBranch } from '../../orchestrator/library/git/repo.ts';
import { branchProblem, remoteKind, remoteProblem, withoutCredentials } from '../../orchestrator/library/git/remote.ts';
import { addPlugin } from '../../orchestrator/library/subtree/add.ts';
import { pullPlugin } from '../../orchestrator/library/subtree/pull.ts';
import { pushPlugin } from '../../orchestrator/library/subtree/push.ts';
import { steward } from '../helpers/cli.ts';
import { commitFile, makeLibrary, makeUpstream, sh } from '../helpers/git.ts';
import { manifestFor } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

async function refusal(promise: Promise<unknown>): Promise<StewardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StewardError);
  return error as StewardError;
}

/** A URL that runs `touch <marker>` if git ever reads it as an option. */
function hostileUrl(marker: string): string {
  return `--upload-pack=touch ${marker};`;
}

describe('upstream URLs', () => {
  it('accepts https, ssh, scp-like, file URLs and local paths', () => {
    for (const url of [
      'https://github.com/o/r.git',
      'ssh://git@host:22/o/r',
      'ssh://git@[::1]/o/r',
      'git@github.com:o/r.git',
      'git@[::1]:o/r',
      'host.example:r.git',
      'file:///srv/r.git',
      '/srv/r.git',
      '../r.git',
      'r.git',
      './a:b',
    ]) {
      expect(remoteProblem(url), url).toBeUndefined();
    }
    expect(remoteKind('git@github.com:o/r.git')).toBe('scp');
    expect(remoteKind('./a:b')).toBe('path');
  });

  it('refuses options, remote helpers and other transports, each with a reason', () => {
    const refused: Record<string, RegExp> = {
      '--upload-pack=touch /tmp/x': /starts with "-"/,
      '-oProxyCommand=x': /starts with "-"/,
      'ext::sh -c touch% /tmp/x': /remote helper/,
      'fd::17': /remote helper/,
      'http://example.com/r.git': /must be an https:/,
      'git://example.com/r.git': /must be an https:/,
      'ssh://-oProxyCommand=x/r': /host/,
      'git@-oProxyCommand=x:r': /must be an https:|host/,
      'host:-r': /path/,
      'file://host/r': /no host/,
      'a\nb': /control character/,
      ' /srv/r': /white space/,
      '': /empty/,
    };
    for (const [url, why] of Object.entries(refused)) expect(remoteProblem(url), JSON.stringify(url)).toMatch(why);
  });

  it('strips credentials from what it shows, keeping an ssh user name', () => {
    expect(withoutCredentials('https://x-token:ghp_secret@github.com/o/r.git')).toBe('https://github.com/o/r.git');
    expect(withoutCredentials('https://ghp_secret@github.com/o/r.git')).toBe('https://github.com/o/r.git');
    expect(withoutCredentials('ssh://git:pw@host/o/r')).toBe('ssh://git@host/o/r');
    expect(withoutCredentials('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(withoutCredentials('/srv/r.git')).toBe('/srv/r.git');
    expect(withoutCredentials('https://host/o/r.git?access_token=abc123#x')).toBe('https://host/o/r.git');
  });

  it('checks branch names as git does', () => {
    expect(branchProblem('release/1.x')).toBeUndefined();
    for (const bad of ['-x', '--upload-pack=x', 'a..b', 'a b', 'a~1', 'x.lock', '.hidden', 'a//b', 'a@{1}', '']) {
      expect(branchProblem(bad), bad).toBeDefined();
    }
  });
});

describe('command execution through an upstream URL', () => {
  it('plugin add --from refuses an option as a URL, and runs nothing', async () => {
    const root = tempDir();
    const marker = join(root, 'pwned');
    const library = await makeLibrary(root);
    const added = steward(['--library', library.root, 'plugin', 'add', 'evil', '--from', hostileUrl(marker)]);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain('E_REMOTE_INVALID');
    expect(added.stderr).toContain('starts with "-"');
    expect(existsSync(marker)).toBe(false);
  });

  it('plugin add refuses an option as a branch', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    const error = await refusal(addPlugin(library, 'csv-x', { from: upstream.bare, ref: '--upload-pack=touch x' }));
    expect(error.code).toBe('E_REF_INVALID');
  });

  it('a pull that would plant a hostile URL is refused and rolled back, and the next pull runs nothing', async () => {
    const root = tempDir();
    const marker = join(root, 'pwned');
    // The upstream's own plugin.json already names it, so its later change merges cleanly.
    const manifest0 = manifestFor('csv-x', { upstream: { url: join(root, 'csv-x.git'), branch: 'main' } });
    const upstream = await makeUpstream(root, 'csv-x', { manifest: manifest0 });
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    const head = sh(library.root, 'rev-parse', 'HEAD');

    const manifestFile = join(upstream.work, 'plugin.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.upstream = { url: hostileUrl(marker), branch: 'main' };
    commitFile(upstream.work, 'plugin.json', `${JSON.stringify(manifest, null, 2)}\n`, 'Plant an upstream');
    sh(upstream.work, 'push', '-q', 'origin', 'main');

    const error = await refusal(pullPlugin(library, 'csv-x'));
    expect(error.code).toBe('E_MANIFEST_INVALID');
    expect(error.format()).toContain('$.upstream.url');
    expect(sh(library.root, 'rev-parse', 'HEAD')).toBe(head);
    expect(existsSync(marker)).toBe(false);
  });

  it('a hostile URL committed into the library by hand fails the manifest check before git runs', async () => {
    const root = tempDir();
    const marker = join(root, 'pwned');
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    const file = join(library.paths.plugins, 'csv-x', 'plugin.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { upstream: { url: string } };
    manifest.upstream.url = hostileUrl(marker);
    writeFileSync(file, JSON.stringify(manifest));
    sh(library.root, 'commit', '-qam', 'hand edit');

    for (const command of ['pull', 'push']) {
      const result = steward(['--library', library.root, 'plugin', command, 'csv-x']);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toContain('$.upstream.url');
    }
    await refusal(pushPlugin(library, 'csv-x'));
    expect(existsSync(marker)).toBe(false);
  });

  it('git itself reads the URL as an operand when a caller skips the check', async () => {
    const root = tempDir();
    const marker = join(root, 'pwned');
    const library = await makeLibrary(root);
    const error = await refusal(fetchBranch(library.root, hostileUrl(marker), 'main'));
    expect(error.code).toBe('E_REMOTE_UNREACHABLE');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('a pull that moves the upstream', () => {
  it("is refused and rolled back, even to a valid URL: where a plugin comes from is the library's decision", async () => {
    const root = tempDir();
    const manifest0 = manifestFor('csv-x', { upstream: { url: join(root, 'csv-x.git'), branch: 'main' } });
    const upstream = await makeUpstream(root, 'csv-x', { manifest: manifest0 });
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    const head = sh(library.root, 'rev-parse', 'HEAD');
    const moved = { ...manifest0, upstream: { url: 'https://attacker.example/csv-x.git', branch: 'main' } };
    commitFile(upstream.work, 'plugin.json', `${JSON.stringify(moved, null, 2)}\n`, 'Move the upstream');
    sh(upstream.work, 'push', '-q', 'origin', 'main');
    const error = await refusal(pullPlugin(library, 'csv-x'));
    expect(error.code).toBe('E_UPSTREAM_CHANGED');
    expect(error.message).toContain('https://attacker.example/csv-x.git');
    expect(sh(library.root, 'rev-parse', 'HEAD')).toBe(head);
  });
});

describe('credentials in an upstream URL', () => {
  it('are used for the fetch and never written into plugin.json or a commit message', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    const secretUrl = 'https://x-access-token:ghs_s3cr3tT0ken@git.example.invalid/o/csv-x.git';
    // The fake host resolves to the local bare repository; credentials are part of the URL git sees.
    sh(library.root, 'config', `url.${upstream.bare}.insteadOf`, secretUrl);

    const result = await addPlugin(library, 'csv-x', { from: secretUrl });
    expect(result.url).toBe('https://git.example.invalid/o/csv-x.git');
    const manifest = JSON.parse(readFileSync(join(library.paths.plugins, 'csv-x', 'plugin.json'), 'utf8')) as { upstream: { url: string } };
    expect(manifest.upstream.url).toBe('https://git.example.invalid/o/csv-x.git');
    expect(sh(library.root, 'log', '--format=%B')).not.toContain('s3cr3t');
    expect(sh(library.root, 'log', '--format=%B')).toContain('from https://git.example.invalid/o/csv-x.git');
  });

  it('in a manifest are refused', async () => {
    const root = tempDir();
    const upstream = await makeUpstream(root, 'csv-x');
    const library = await makeLibrary(root);
    await addPlugin(library, 'csv-x', { from: upstream.bare });
    const file = join(library.paths.plugins, 'csv-x', 'plugin.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { upstream: { url: string } };
    manifest.upstream.url = 'https://user:pw@example.invalid/r.git';
    writeFileSync(file, JSON.stringify(manifest));
    const result = steward(['--library', library.root, 'doctor', '--json']);
    expect(result.stdout).toContain('credentials');
    expect(result.stdout).not.toContain('user:pw');
  });
});
