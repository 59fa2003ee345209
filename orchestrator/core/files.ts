import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
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
