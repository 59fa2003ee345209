import { join } from 'node:path';
import { StewardError } from '../../orchestrator/core/errors.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { LocalTracker } from './local/index.ts';
import type { Tracker } from './types.ts';

/** Tracker names a library may configure; `github` joins when it is built. */
export const TRACKERS = ['local'] as const;
export type TrackerName = (typeof TRACKERS)[number];

/** The tracker a config name stands for, as Renovate picks a platform. */
export function openTracker(library: Library, name: string = 'local'): Tracker {
  switch (name) {
    case 'local':
      return new LocalTracker(join(library.paths.state, 'tracker'));
    default:
      throw new StewardError('E_CONFIG_INVALID', `unknown tracker "${name}" (built: ${TRACKERS.join(', ')})`);
  }
}
