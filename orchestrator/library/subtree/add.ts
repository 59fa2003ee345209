import { existsSync } from 'node:fs';
import { StewardError } from '../../core/errors.ts';
import { git } from '../git/run.ts';
import { assertClean, assertRepo, commitIdentityEnv, fetchBranch, normaliseRemote, resolveRemoteBranch } from '../git/repo.ts';
import { withoutCredentials } from '../git/remote.ts';
import { type Library, pluginDir, pluginPrefix } from '../library.ts';
import { linkedTemplates, linkTemplates } from '../links.ts';
import { updateManifestFile } from '../manifest.ts';
import { commitPlugin } from './commit.ts';
import { withRollback } from './transaction.ts';
import { verifyIncomingPlugin } from './verify.ts';

export interface AddResult {
  name: string;
  prefix: string;
  url: string;
  branch: string;
  /** The upstream commit that was added. */
  upstreamCommit: string;
}

/** `steward plugin add`: the upstream's history merged in under plugins/<name>, never squashed. */
export async function addPlugin(library: Library, name: string, options: { from: string; ref?: string; cwd?: string }): Promise<AddResult> {
  const dir = pluginDir(library, name);
  const prefix = pluginPrefix(library, name);
  if (existsSync(dir)) throw new StewardError('E_PLUGIN_EXISTS', `${prefix}/ already exists`);
  await assertRepo(library.root);
  await assertClean(library.root, `add ${name}`);
  const url = normaliseRemote(options.from, options.cwd ?? process.cwd());
  // Credentials are used for this fetch only: what is written down is the URL without them.
  const shown = withoutCredentials(url);
  const branch = await resolveRemoteBranch(library.root, url, options.ref);
  const identity = await commitIdentityEnv(library.root);

  return withRollback(library.root, prefix, async () => {
    const upstreamCommit = await fetchBranch(library.root, url, branch);
    await git(library.root, ['subtree', 'add', `--prefix=${prefix}`, '-m', `steward: add plugin ${name} from ${shown} (${branch})`, '--', upstreamCommit], { env: identity });
    verifyIncomingPlugin(library, name, dir);
    updateManifestFile(dir, (raw) => {
      raw.upstream = { url: shown, branch };
    });
    if (linkedTemplates(library).length > 0) linkTemplates(library, [name]);
    await commitPlugin(library, prefix, `steward: record upstream of ${name} and link templates`, identity);
    return { name, prefix, url: shown, branch, upstreamCommit };
  });
}
