import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

const found = new Map<string, string | undefined>();

/** Absolute path of an executable on the runner's own PATH (cached: asked on every spawn). */
export function onPath(bin: string, path = process.env.PATH ?? '/usr/bin:/bin'): string | undefined {
  const key = `${bin}\0${path}`;
  if (found.has(key)) return found.get(key);
  let hit: string | undefined;
  for (const dir of path.split(':').filter(Boolean)) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      hit = join(dir, bin);
      break;
    } catch {
      // Not here.
    }
  }
  found.set(key, hit);
  return hit;
}
