import { git } from '../git/run.ts';
import { dirtyPaths } from '../git/repo.ts';
import type { Library } from '../library.ts';

/** Commits whatever changed under `prefix` (nothing else); returns false when nothing did. */
export async function commitPlugin(library: Library, prefix: string, message: string, identity: Record<string, string>): Promise<boolean> {
  await git(library.root, ['add', '-A', '--', prefix]);
  if ((await dirtyPaths(library.root, prefix)).length === 0) return false;
  await git(library.root, ['commit', '-q', '--no-verify', '-m', message, '--', prefix], { env: identity });
  return true;
}
