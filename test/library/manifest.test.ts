import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, StewardError } from '../../orchestrator/core/errors.ts';
import { checkManifest, loadManifest, updateManifestFile } from '../../orchestrator/library/manifest.ts';
import { assertPluginName } from '../../orchestrator/library/names.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

function pluginWith(manifest: unknown, name = 'demo'): string {
  const dir = writePlugin(join(tempDir(), name), name);
  writeFileSync(join(dir, 'plugin.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return dir;
}

function problemsOf(manifest: unknown, name = 'demo'): { path: string; message: string }[] {
  return checkManifest(pluginWith(manifest, name), name).problems;
}

describe('plugin manifest', () => {
  it('accepts the contract with its defaults filled in', () => {
    const { manifest, problems } = checkManifest(pluginWith(manifestFor('demo')), 'demo');
    expect(problems).toEqual([]);
    expect(manifest?.limits).toEqual({ timeoutMs: 60_000, memoryMb: 1024 });
    expect(manifest?.requires).toEqual({ files: [], gpu: false, bins: [] });
    expect(manifest?.test.timeoutMs).toBe(60_000);
    expect(manifest?.env).toEqual([]);
  });

  it('names the JSON path of a wrong type', () => {
    expect(problemsOf(manifestFor('demo', { version: 3 }))[0]?.path).toBe('$.version');
    expect(problemsOf(manifestFor('demo', { limits: { timeoutMs: 'soon' } }))[0]?.path).toBe('$.limits.timeoutMs');
    expect(problemsOf(manifestFor('demo', { test: { command: ['x', 7], format: 'tap' } }))[0]?.path).toBe('$.test.command[1]');
  });

  it('names an unknown field, nested ones too', () => {
    expect(problemsOf(manifestFor('demo', { colour: 'red' }))).toEqual([{ path: '$.colour', message: 'unknown field "colour"' }]);
    expect(problemsOf(manifestFor('demo', { env: [{ name: 'TOKEN', secret: true, hidden: true }] }))).toEqual([{ path: '$.env[0].hidden', message: 'unknown field "hidden"' }]);
  });

  it('checks the rules between fields and against the directory', () => {
    expect(problemsOf(manifestFor('demo', { test: { command: ['pytest'], format: 'junit' } }))[0]?.path).toBe('$.test.report');
    expect(problemsOf(manifestFor('demo', { test: { command: ['t'], format: 'tap', report: 'r.xml' } }))[0]?.path).toBe('$.test.report');
    expect(problemsOf(manifestFor('other'))[0]).toEqual({ path: '$.name', message: '"other" does not equal the directory name "demo"' });
    expect(problemsOf(manifestFor('demo', { entry: 'src/missing.js' }))[0]?.path).toBe('$.entry');
    expect(problemsOf(manifestFor('demo', { entry: '../outside.js' }))[0]?.path).toBe('$.entry');
    expect(problemsOf(manifestFor('demo', { version: '1.2' }))[0]?.path).toBe('$.version');
    expect(problemsOf(manifestFor('demo', { runtime: 'ruby' }))[0]?.path).toBe('$.runtime');
    expect(problemsOf(manifestFor('demo', { env: [{ name: 'A' }, { name: 'A' }] }))[0]?.path).toBe('$.env[1].name');
    expect(problemsOf(manifestFor('demo', { requires: { bins: ['/usr/bin/jq'] } }))[0]?.path).toBe('$.requires.bins[0]');
  });

  it('rejects an interface that is not a JSON Schema', () => {
    const problems = problemsOf(manifestFor('demo', { interface: { input: { type: 'banana' }, output: {} } }));
    expect(problems[0]?.path).toBe('$.interface.input');
    expect(problems[0]?.message).toMatch(/not a valid JSON Schema/);
  });

  it('reports malformed JSON with its line and column', () => {
    const problems = problemsOf('{\n  "name": "demo",\n  "version": 1.0.0\n}');
    expect(problems[0]?.path).toBe('$');
    expect(problems[0]?.message).toMatch(/line 3, column \d+/);
  });

  it('throws one ManifestError naming the file and the first path', () => {
    const dir = pluginWith(manifestFor('demo', { version: 3, colour: 'red' }));
    let error: unknown;
    try {
      loadManifest(dir, 'plugins/demo/plugin.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    const manifestError = error as ManifestError;
    expect(manifestError.code).toBe('E_MANIFEST_INVALID');
    expect(manifestError.problems.map((p) => p.path).sort()).toEqual(['$.colour', '$.version']);
    expect(manifestError.format()).toMatch(/^plugins\/demo\/plugin\.json: \$\.[a-z]+: /);
  });

  it('edits keep the fields as written, without defaults', () => {
    const dir = pluginWith(manifestFor('demo'));
    updateManifestFile(dir, (raw) => {
      raw.upstream = { url: 'file:///x', branch: 'main' };
    });
    const { raw, problems } = checkManifest(dir, 'demo');
    expect(problems).toEqual([]);
    expect(raw).not.toHaveProperty('limits');
    expect(raw?.upstream).toEqual({ url: 'file:///x', branch: 'main' });
  });
});

describe('plugin names', () => {
  it.each(['../x', 'a/b', '..', 'Upper', 'x', '-lead', 'a'.repeat(65), 'with space'])('rejects %j', (name) => {
    expect(() => assertPluginName(name)).toThrow(StewardError);
  });

  it('explains a path-like name', () => {
    expect(() => assertPluginName('../etc')).toThrow(/one path segment/);
  });

  it.each(['csv-import', 'ab', 'a1-b2'])('accepts %j', (name) => {
    expect(assertPluginName(name)).toBe(name);
  });
});

describe('a missing manifest', () => {
  it('is one problem at $', () => {
    const dir = join(tempDir(), 'bare');
    mkdirSync(dir);
    expect(checkManifest(dir, 'bare').problems).toEqual([{ path: '$', message: 'plugin.json is missing' }]);
  });
});
