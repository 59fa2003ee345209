import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A Redis steward started under a temp dir dies with the dir: nothing else would stop it. */
function stopRedisUnder(dir: string): void {
  let pidFiles: string[] = [];
  try {
    pidFiles = execFileSync('find', [dir, '-maxdepth', '6', '-name', 'redis.pid'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const file of pidFiles) {
    try {
      process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGKILL');
    } catch {
      // Already stopped.
    }
  }
}

afterEach(() => {
  while (made.length > 0) {
    const dir = made.pop() ?? '';
    stopRedisUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh directory removed after the test. */
export function tempDir(prefix = 'steward-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
