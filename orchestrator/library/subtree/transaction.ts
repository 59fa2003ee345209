import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../../core/logger.ts';
import { gitRaw } from '../git/run.ts';
import { headCommit } from '../git/repo.ts';

/**
 * Runs a library change so that a failure leaves nothing behind: an interrupted
 * merge is aborted, HEAD returns to where it was, and a plugin directory that did
 * not exist before is removed. The work tree must be clean when it starts.
 */
export async function withRollback<T>(root: string, prefix: string, work: () => Promise<T>): Promise<T> {
  const before = await headCommit(root);
  const existed = existsSync(join(root, prefix));
  try {
    return await work();
  } catch (error) {
    if (existsSync(join(root, '.git', 'MERGE_HEAD'))) await gitRaw(root, ['merge', '--abort']);
    const reset = await gitRaw(root, ['reset', '--hard', '-q', before, '--']);
    if (reset.code !== 0) log.error({ before, stderr: reset.stderr }, 'rollback: reset failed');
    if (!existed) rmSync(join(root, prefix), { recursive: true, force: true });
    else await gitRaw(root, ['clean', '-fdq', '--', prefix]);
    throw error;
  }
}
