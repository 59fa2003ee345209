import { join } from 'node:path';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { log as defaultLog, type Logger } from '../../orchestrator/core/logger.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { GitHubTracker } from './github/index.ts';
import { LocalTracker } from './local/index.ts';
import type { Tracker } from './types.ts';

const TRACKERS = ['local', 'github'] as const;

export interface OpenTrackerOptions {
  /** Where the GitHub token is read from (the variable `github.tokenEnv` names). */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** The GitHub tracker's wait between retries; tests record the waits instead. */
  sleep?: (ms: number) => Promise<void>;
}

/** The tracker the library's config names, as Renovate picks a platform. */
export function openTracker(library: Library, options: OpenTrackerOptions = {}): Tracker {
  const name: string = library.config.tracker;
  switch (name) {
    case 'local':
      return new LocalTracker(join(library.paths.state, 'tracker'));
    case 'github': {
      const settings = library.config.github;
      if (!settings) throw new StewardError('E_CONFIG_INVALID', 'the github tracker needs its repository', { path: '$.github' });
      const token = (options.env ?? process.env)[settings.tokenEnv];
      if (!token) throw new StewardError('E_CONFIG_INVALID', `the github tracker needs a token in $${settings.tokenEnv}, which is not set`, { path: '$.github.tokenEnv' });
      return new GitHubTracker(settings, {
        token,
        root: library.root,
        log: options.log ?? defaultLog.child({ tracker: 'github' }),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
    }
    default:
      throw new StewardError('E_CONFIG_INVALID', `unknown tracker "${name}" (built: ${TRACKERS.join(', ')})`);
  }
}
