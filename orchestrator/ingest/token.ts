import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.ts';
import type { Library } from '../library/library.ts';

/**
 * Steward's API tokens, each from its variable when set, else generated once into
 * the state dir (mode 600):
 * - ingest (STEWARD_INGEST_TOKEN, `ingest-token`): sending error events; also the Sentry DSN's public key;
 * - host (STEWARD_HOST_TOKEN, `host-token`): calling, listing and reloading plugins through the host's API;
 * - console (STEWARD_CONSOLE_TOKEN, `console-token`): reading the web console;
 * - review (STEWARD_REVIEW_TOKEN, `review-token`): the console, and approving or rejecting proposals in it.
 * They are separate so that what production holds to report errors cannot run plugins,
 * and one who may look cannot decide.
 */
const TOKENS = {
  ingest: { variable: 'STEWARD_INGEST_TOKEN', file: 'ingest-token' },
  host: { variable: 'STEWARD_HOST_TOKEN', file: 'host-token' },
  console: { variable: 'STEWARD_CONSOLE_TOKEN', file: 'console-token' },
  review: { variable: 'STEWARD_REVIEW_TOKEN', file: 'review-token' },
} as const;

export type TokenKind = keyof typeof TOKENS;

function tokenFile(library: Library, kind: TokenKind): string {
  return join(library.paths.state, TOKENS[kind].file);
}

export function apiToken(library: Library, kind: TokenKind): string {
  const fromEnv = process.env[TOKENS[kind].variable];
  if (fromEnv) return fromEnv;
  const file = tokenFile(library, kind);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('hex');
  writeFileAtomic(file, `${token}\n`);
  chmodSync(file, 0o600);
  return token;
}

/** Compared in constant time, so the answer's timing tells nothing of the token. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer <token>` or `X-Steward-Token`. */
export function requestToken(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const header = req.headers['x-steward-token'];
  return bearer ?? (typeof header === 'string' ? header : undefined);
}
