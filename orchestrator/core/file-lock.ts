import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A lock between processes on one machine: a file created exclusively. A lock older
 * than `staleMs` was left by a process that died holding it and is taken over.
 * Resolves to the release function; rejects with `timeout()` after `waitMs`.
 */
export async function fileLock(file: string, options: { staleMs: number; waitMs: number; timeout: () => Error }): Promise<() => void> {
  const deadline = Date.now() + options.waitMs;
  mkdirSync(dirname(file), { recursive: true });
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      // Only "someone holds it" is worth waiting for; any other failure is the caller's to see.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(file).mtimeMs > options.staleMs) rmSync(file, { force: true });
      } catch {
        // Released between the two calls.
      }
      if (Date.now() > deadline) throw options.timeout();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
