import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';

/** Write-then-rename, so a reader never sees half a file and a crash leaves the old one. */
export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value)}\n`);
}

/**
 * A cache in the state dir (machine-local, may be missing or stale), parsed with its
 * writer's schema: anything unreadable counts as absent and is rebuilt.
 */
export function readCacheOr<S extends z.ZodType>(schema: S, file: string, fallback: z.output<S>): z.output<S> {
  if (!existsSync(file)) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

/**
 * A regular file's text, opened without following a link and without waiting on a
 * FIFO or device (O_NONBLOCK); undefined when it is something else or larger than
 * `maxBytes`. What sandboxed code could have left behind is read only this way.
 */
export function readRegularFile(path: string, maxBytes = Number.POSITIVE_INFINITY): string | undefined {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    return stat.isFile() && stat.size <= maxBytes ? readFileSync(fd, 'utf8') : undefined;
  } finally {
    closeSync(fd);
  }
}
