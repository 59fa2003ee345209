import { join } from 'node:path';

/** Plugins that attack the machine they run on, one way each (test/fixtures/hostile). */
export const HOSTILE_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'hostile');

export const HOSTILE = [
  'infinite-loop',
  'fork-storm',
  'alloc-4gb',
  'loopback-connect',
  'write-outside',
  'read-library-file',
  'setsid-escape',
  'stdout-50mb',
  'symlink-host-path',
  'exit-mid-execute',
  'unhandled-rejection',
  'throw-non-error',
  'bad-output',
] as const;
