import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Steward's own directory (where its package.json is), from wherever this module runs:
 * the sources, or their build in dist/.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'plugin-steward') return dir;
      } catch {
        // Not this one.
      }
    }
    if (dirname(dir) === dir) throw new Error(`no plugin-steward package.json above ${from}`);
  }
}

export const STEWARD_ROOT = findRoot(import.meta.dirname);
