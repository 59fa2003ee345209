import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { messageOf, StewardError } from '../../orchestrator/core/errors.ts';
import { log as defaultLog, type Logger } from '../../orchestrator/core/logger.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import type { GitHubCredentials } from './github/client.ts';
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

/** The GitHub App's key read from its file, or the token from the environment: each failure is one clear config error. */
function githubCredentials(library: Library, env: NodeJS.ProcessEnv): GitHubCredentials {
  const settings = library.config.github!;
  if (settings.app) {
    const file = resolve(library.root, settings.app.privateKeyFile);
    let privateKey: string;
    try {
      privateKey = readFileSync(file, 'utf8');
    } catch (error) {
      throw new StewardError('E_CONFIG_INVALID', `the GitHub App's private key cannot be read: ${file} (${messageOf(error)})`, { path: '$.github.app.privateKeyFile' });
    }
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey))
      throw new StewardError('E_CONFIG_INVALID', `${file} is not a PEM private key (GitHub's app settings page makes one)`, { path: '$.github.app.privateKeyFile' });
    return { app: { appId: settings.app.appId, installationId: settings.app.installationId, privateKey } };
  }
  const token = env[settings.tokenEnv];
  if (!token) throw new StewardError('E_CONFIG_INVALID', `the github tracker needs a token in $${settings.tokenEnv}, which is not set`, { path: '$.github.tokenEnv' });
  return { token };
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
      return new GitHubTracker(settings, {
        credentials: githubCredentials(library, options.env ?? process.env),
        root: library.root,
        log: options.log ?? defaultLog.child({ tracker: 'github' }),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
    }
    default:
      throw new StewardError('E_CONFIG_INVALID', `unknown tracker "${name}" (built: ${TRACKERS.join(', ')})`);
  }
}
