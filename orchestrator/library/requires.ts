import { messageOf } from '../core/errors.ts';
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Manifest } from './manifest.ts';

export interface RequirementProblem {
  kind: 'file' | 'bin' | 'gpu' | 'env';
  name: string;
  /** JSON path in the manifest of the requirement that is not met. */
  path: string;
  message: string;
}

/** Reads the first bytes: existence is not enough (a file may be unreadable, or a dangling link). */
export function fileReadable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    // O_NONBLOCK: a FIFO put in place of a data file must not hang the check.
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      readSync(fd, Buffer.alloc(64), 0, 64, 0);
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? messageOf(error);
  }
}

/** Executables on PATH, listed once per process: a library checks hundreds of plugins. */
export class PathIndex {
  private cache: Set<string> | undefined;
  constructor(private readonly path = process.env.PATH ?? '') {}

  has(bin: string): boolean {
    if (!this.cache) {
      this.cache = new Set();
      for (const dir of this.path.split(delimiter).filter(Boolean)) {
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) this.cache.add(name);
      }
    }
    if (!this.cache.has(bin)) return false;
    return this.path
      .split(delimiter)
      .filter(Boolean)
      .some((dir) => {
        try {
          accessSync(join(dir, bin), constants.X_OK);
          return statSync(join(dir, bin)).isFile();
        } catch {
          return false;
        }
      });
  }
}

/** A GPU counts only when both the driver's tool and its device nodes are there. */
export function detectGpu(paths: PathIndex, devDir = '/dev'): { present: boolean; reason: string } {
  const smi = paths.has('nvidia-smi');
  let devices = false;
  try {
    devices = existsSync(devDir) && readdirSync(devDir).some((n) => /^nvidia\d+$/.test(n));
  } catch {
    devices = false;
  }
  if (smi && devices) return { present: true, reason: 'nvidia-smi and /dev/nvidia* found' };
  return { present: false, reason: `${smi ? '' : 'nvidia-smi not on PATH'}${!smi && !devices ? '; ' : ''}${devices ? '' : 'no /dev/nvidia* device'}` };
}

export interface RequirementContext {
  paths: PathIndex;
  env: NodeJS.ProcessEnv;
  gpu: () => { present: boolean; reason: string };
}

export function defaultRequirementContext(env: NodeJS.ProcessEnv = process.env): RequirementContext {
  const paths = new PathIndex(env.PATH ?? process.env.PATH ?? '');
  let gpu: { present: boolean; reason: string } | undefined;
  return { paths, env, gpu: () => (gpu ??= detectGpu(paths)) };
}

/** Everything the manifest says must be present on this machine before the plugin may run. */
export function checkRequirements(manifest: Manifest, pluginRoot: string, ctx: RequirementContext): RequirementProblem[] {
  const problems: RequirementProblem[] = [];
  manifest.requires.files.forEach((file, i) => {
    const why = fileReadable(join(pluginRoot, file));
    if (why) problems.push({ kind: 'file', name: file, path: `$.requires.files[${i}]`, message: `required file ${file} is not readable (${why})` });
  });
  manifest.requires.bins.forEach((bin, i) => {
    if (!ctx.paths.has(bin)) problems.push({ kind: 'bin', name: bin, path: `$.requires.bins[${i}]`, message: `required binary "${bin}" is not on PATH` });
  });
  if (manifest.requires.gpu) {
    const gpu = ctx.gpu();
    if (!gpu.present) problems.push({ kind: 'gpu', name: 'gpu', path: '$.requires.gpu', message: `a GPU is required: ${gpu.reason}` });
  }
  manifest.env.forEach((variable, i) => {
    if (variable.required && !ctx.env[variable.name]) {
      problems.push({ kind: 'env', name: variable.name, path: `$.env[${i}]`, message: `required environment variable ${variable.name} is not set` });
    }
  });
  return problems;
}
