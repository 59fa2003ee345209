import { relative } from 'node:path';
import { ManifestError, StewardError } from '../../core/errors.ts';
import { checkManifest, MANIFEST_FILE } from '../manifest.ts';
import type { Library } from '../library.ts';
import { escapingSymlinks } from '../tree.ts';

/** What a plugin must satisfy before steward lets it into the library. */
export function verifyIncomingPlugin(library: Library, name: string, dir: string): void {
  const rel = relative(library.root, dir);
  const escapes = escapingSymlinks(dir, library.paths.linked);
  const first = escapes[0];
  if (first) {
    throw new StewardError('E_SYMLINK_ESCAPE', `symlink points outside the plugin: ${first.path} -> ${first.target}`, {
      file: `${rel}/${first.path}`,
      hint: 'a plugin may only link inside itself; replace the link with the file',
    });
  }
  const { problems } = checkManifest(dir, name);
  const problem = problems[0];
  if (problem) {
    throw new ManifestError(problem.message, { file: `${rel}/${MANIFEST_FILE}`, path: problem.path }, problems);
  }
}
