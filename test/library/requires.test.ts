import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestSchema, type Manifest } from '../../orchestrator/library/manifest.ts';
import { checkRequirements, defaultRequirementContext, detectGpu, fileReadable, PathIndex, type RequirementContext } from '../../orchestrator/library/requires.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { manifestFor } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

function executable(dir: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

function plainFile(dir: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, 'not a program\n');
  chmodSync(file, 0o644);
  return file;
}

function manifest(overrides: Record<string, unknown>): Manifest {
  return manifestSchema.parse(manifestFor('needy', overrides));
}

/** A stand-in for /dev, with the given device nodes as plain files. */
function devDir(...nodes: string[]): string {
  const dir = tempDir();
  for (const node of nodes) writeFileSync(join(dir, node), '');
  return dir;
}

describe('fileReadable', () => {
  it('is undefined for a readable file, an empty one, and a link to one', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'model.bin'), Buffer.alloc(4096, 7));
    writeFileSync(join(dir, 'empty'), '');
    symlinkSync('model.bin', join(dir, 'link.bin'));
    expect(fileReadable(join(dir, 'model.bin'))).toBeUndefined();
    expect(fileReadable(join(dir, 'empty'))).toBeUndefined();
    expect(fileReadable(join(dir, 'link.bin'))).toBeUndefined();
  });

  it('gives a reason for a missing file, a dangling link and a directory', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    symlinkSync('gone.bin', join(dir, 'dangling.bin'));
    expect(fileReadable(join(dir, 'missing.bin'))).toBe('ENOENT');
    expect(fileReadable(join(dir, 'dangling.bin'))).toBe('ENOENT');
    expect(fileReadable(join(dir, 'data'))).toBe('not a regular file');
  });

  it('reports a FIFO as not a regular file without blocking on it', () => {
    const dir = tempDir();
    const fifo = join(dir, 'model.bin');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('model.bin', join(dir, 'via-link.bin'));
    // First in a child with a deadline: a check that blocks on the FIFO fails here
    // instead of hanging the test run (a blocked synchronous call cannot time out).
    const script = join(dir, 'check.mts');
    writeFileSync(
      script,
      `import { fileReadable } from ${JSON.stringify(pathToFileURL(join(STEWARD_ROOT, 'orchestrator/library/requires.ts')).href)};\n` +
        'process.stdout.write(JSON.stringify([fileReadable(process.argv[2]), fileReadable(process.argv[3])]));\n',
    );
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, fifo, join(dir, 'via-link.bin')], {
      cwd: STEWARD_ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.error, 'fileReadable blocked on a FIFO').toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual(['not a regular file', 'not a regular file']);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Then in this process, now that it is known to return.
    expect(fileReadable(fifo)).toBe('not a regular file');
  });
});

describe('PathIndex', () => {
  it('has an executable file on PATH, not a plain file, a directory or an absent name', () => {
    const bin = tempDir();
    executable(bin, 'tool');
    plainFile(bin, 'notes');
    mkdirSync(join(bin, 'folder'));
    chmodSync(join(bin, 'folder'), 0o755);
    const paths = new PathIndex(bin);
    expect(paths.has('tool')).toBe(true);
    expect(paths.has('notes')).toBe(false);
    expect(paths.has('folder')).toBe(false);
    expect(paths.has('absent')).toBe(false);
  });

  it('looks in every PATH directory, skipping empty and missing ones', () => {
    const first = tempDir();
    const second = tempDir();
    plainFile(first, 'tool');
    executable(second, 'tool');
    executable(second, 'other');
    const paths = new PathIndex(['', join(first, 'missing'), first, second].join(delimiter));
    // A non-executable file of the same name earlier on PATH does not hide the executable one.
    expect(paths.has('tool')).toBe(true);
    expect(paths.has('other')).toBe(true);
    expect(new PathIndex(first).has('tool')).toBe(false);
    expect(new PathIndex('').has('tool')).toBe(false);
  });

  it('lists PATH once: a program installed after the first look is not seen', () => {
    const bin = tempDir();
    executable(bin, 'early');
    const paths = new PathIndex(bin);
    expect(paths.has('early')).toBe(true);
    executable(bin, 'late');
    expect(paths.has('late')).toBe(false);
    expect(new PathIndex(bin).has('late')).toBe(true);
  });
});

describe('detectGpu', () => {
  it('finds a GPU when nvidia-smi is on PATH and a /dev/nvidiaN node exists', () => {
    const bin = tempDir();
    executable(bin, 'nvidia-smi');
    expect(detectGpu(new PathIndex(bin), devDir('nvidia0', 'nvidiactl'))).toEqual({ present: true, reason: 'nvidia-smi and /dev/nvidia* found' });
  });

  it('needs the device node as well as nvidia-smi', () => {
    const bin = tempDir();
    executable(bin, 'nvidia-smi');
    // nvidiactl alone is the control node, not a GPU.
    expect(detectGpu(new PathIndex(bin), devDir('nvidiactl', 'null'))).toEqual({ present: false, reason: 'no /dev/nvidia* device' });
    expect(detectGpu(new PathIndex(bin), join(tempDir(), 'no-dev'))).toEqual({ present: false, reason: 'no /dev/nvidia* device' });
  });

  it('needs nvidia-smi, executable, as well as the device node', () => {
    const bin = tempDir();
    const dev = devDir('nvidia0');
    expect(detectGpu(new PathIndex(bin), dev)).toEqual({ present: false, reason: 'nvidia-smi not on PATH' });
    plainFile(bin, 'nvidia-smi');
    expect(detectGpu(new PathIndex(bin), dev)).toEqual({ present: false, reason: 'nvidia-smi not on PATH' });
  });

  it('names both missing parts when there is neither', () => {
    expect(detectGpu(new PathIndex(tempDir()), devDir())).toEqual({
      present: false,
      reason: 'nvidia-smi not on PATH; no /dev/nvidia* device',
    });
  });
});

describe('checkRequirements', () => {
  const needs = {
    requires: { files: ['data/model.bin', 'data', 'data/missing.txt'], bins: ['tool', 'absent-tool'], gpu: true },
    env: [{ name: 'NEEDY_TOKEN', required: true }, { name: 'NEEDY_EMPTY', required: true }, { name: 'NEEDY_SET', required: true }, { name: 'NEEDY_OPTIONAL' }],
  };

  function pluginRoot(): string {
    const root = tempDir();
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data/model.bin'), 'weights');
    return root;
  }

  it('lists every unmet requirement: files, binaries, GPU and required variables', () => {
    const bin = tempDir();
    executable(bin, 'tool');
    let gpuChecks = 0;
    const ctx: RequirementContext = {
      paths: new PathIndex(bin),
      env: { NEEDY_EMPTY: '', NEEDY_SET: 'yes' },
      gpu: () => {
        gpuChecks++;
        return { present: false, reason: 'nvidia-smi not on PATH' };
      },
    };
    const problems = checkRequirements(manifest(needs), pluginRoot(), ctx);
    expect(problems.map((p) => [p.kind, p.name])).toEqual([
      ['file', 'data'],
      ['file', 'data/missing.txt'],
      ['bin', 'absent-tool'],
      ['gpu', 'gpu'],
      ['env', 'NEEDY_TOKEN'],
      ['env', 'NEEDY_EMPTY'],
    ]);
    expect(problems[0]?.message).toBe('required file data is not readable (not a regular file)');
    expect(problems[1]?.message).toBe('required file data/missing.txt is not readable (ENOENT)');
    expect(problems[2]?.message).toContain('"absent-tool"');
    expect(problems[3]?.message).toBe('a GPU is required: nvidia-smi not on PATH');
    expect(problems[4]?.message).toContain('NEEDY_TOKEN');
    expect(gpuChecks).toBe(1);
  });

  it('is empty once everything is there', () => {
    const bin = tempDir();
    executable(bin, 'tool');
    executable(bin, 'absent-tool');
    const root = pluginRoot();
    writeFileSync(join(root, 'data/missing.txt'), 'now here');
    const met = manifest({ ...needs, requires: { ...needs.requires, files: ['data/model.bin', 'data/missing.txt'] } });
    const ctx: RequirementContext = {
      paths: new PathIndex(bin),
      env: { NEEDY_TOKEN: 't', NEEDY_EMPTY: 'e', NEEDY_SET: 's' },
      gpu: () => ({ present: true, reason: 'test' }),
    };
    expect(checkRequirements(met, root, ctx)).toEqual([]);
  });

  it('does not look for a GPU when none is required', () => {
    let gpuChecks = 0;
    const ctx: RequirementContext = {
      paths: new PathIndex(tempDir()),
      env: {},
      gpu: () => {
        gpuChecks++;
        return { present: false, reason: 'x' };
      },
    };
    expect(checkRequirements(manifest({}), tempDir(), ctx)).toEqual([]);
    expect(gpuChecks).toBe(0);
  });
});

describe('defaultRequirementContext', () => {
  it("uses this process's PATH and environment, and detects the GPU once", () => {
    const ctx = defaultRequirementContext();
    expect(ctx.env).toBe(process.env);
    const first = ctx.gpu();
    expect(typeof first.present).toBe('boolean');
    expect(ctx.gpu()).toBe(first);
  });
});
