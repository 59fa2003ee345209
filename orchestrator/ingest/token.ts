import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.ts';
import type { Library } from '../library/library.ts';

/**
 * The ingest token: STEWARD_INGEST_TOKEN when set, else one generated once into the
 * state dir (mode 600). It is also the Sentry DSN's public key.
 */
export function ingestToken(library: Library): string {
  if (process.env.STEWARD_INGEST_TOKEN) return process.env.STEWARD_INGEST_TOKEN;
  const file = join(library.paths.state, 'ingest-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('hex');
  writeFileAtomic(file, `${token}\n`);
  chmodSync(file, 0o600);
  return token;
}
