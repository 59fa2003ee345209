import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

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

/** Machine-local state that may be missing or stale: anything unreadable counts as absent. */
export function readJsonOr<T>(file: string, fallback: T, accept: (value: unknown) => value is T): T {
  if (!existsSync(file)) return fallback;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return accept(value) ? value : fallback;
  } catch {
    return fallback;
  }
}
