import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A lock between processes on one machine: a file created exclusively, holding this
 * holder's token. A lock older than `staleMs` was left by a process that died holding
 * it: one waiter takes it over by renaming it away (only one rename can win), and a
 * holder releases only its own lock. Resolves to the release function; rejects with
 * `timeout()` after `waitMs`.
 */
export async function fileLock(file: string, options: { staleMs: number; waitMs: number; timeout: () => Error }): Promise<() => void> {
  const deadline = Date.now() + options.waitMs;
  const token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  mkdirSync(dirname(file), { recursive: true });
  for (;;) {
    try {
      writeFileSync(file, token, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(file, 'utf8') === token) rmSync(file, { force: true });
        } catch {
          // Gone already: taken over as stale.
        }
      };
    } catch (error) {
      // Only "someone holds it" is worth waiting for; any other failure is the caller's to see.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(file).mtimeMs > options.staleMs) {
          const aside = `${file}.stale-${token}`;
          renameSync(file, aside);
          rmSync(aside, { force: true });
        }
      } catch {
        // Released, or taken over by another waiter, between the two calls.
      }
      if (Date.now() > deadline) throw options.timeout();
      await sleep(20);
    }
  }
}
