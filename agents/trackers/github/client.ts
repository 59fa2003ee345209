import { setTimeout as wait } from 'node:timers/promises';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { type ErrorCode, type ErrorDetails, StewardError } from '../../../orchestrator/core/errors.ts';
import type { Logger } from '../../../orchestrator/core/logger.ts';
import type { LibraryConfig } from '../../../orchestrator/library/config.ts';

export type GitHubSettings = NonNullable<LibraryConfig['github']>;

/** How steward signs in: a token, or a GitHub App installation (whose tokens it mints and renews itself). */
export type GitHubCredentials = { token: string } | { app: { appId: number; installationId: number; privateKey: string } };

export interface ClientOptions {
  credentials: GitHubCredentials;
  log: Logger;
  /** Waits between retries; tests pass one that records the waits. */
  sleep?: (ms: number) => Promise<void>;
}

interface HttpFailure {
  status: number;
  message: string;
  response?: { headers: Record<string, string | number | undefined>; data?: unknown };
}

function failure(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null || typeof (error as { status?: unknown }).status !== 'number') return undefined;
  return error as HttpFailure;
}

function header(fail: HttpFailure, name: string): string | undefined {
  const value = fail.response?.headers[name];
  return value === undefined ? undefined : String(value);
}

/**
 * How long GitHub asks us to wait before trying again, or undefined when the failure
 * is not one a retry mends. Primary limits say when they reset; secondary limits say
 * `retry-after`, or nothing, in which case GitHub asks for at least a minute, growing.
 * A rate-limited request was not carried out, so any may be sent again; a 5xx (or a
 * dropped connection, which Octokit reports as 500) may have been, so a POST is not.
 */
function retryDelayMs(fail: HttpFailure, attempt: number, method: string, now: number = Date.now()): number | undefined {
  const retryAfter = header(fail, 'retry-after');
  if ((fail.status === 403 || fail.status === 429) && retryAfter !== undefined && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if ((fail.status === 403 || fail.status === 429) && header(fail, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(fail, 'x-ratelimit-reset'));
    return Number.isFinite(reset) ? Math.max(1000, reset * 1000 - now + 1000) : 60_000;
  }
  if (fail.status === 429 || (fail.status === 403 && /secondary rate limit|abuse/i.test(fail.message))) return 60_000 * 2 ** attempt;
  if (fail.status >= 500 && method !== 'POST') return 1000 * 2 ** attempt;
  return undefined;
}

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

const withoutQuery = (message: string): string => message.replace(/\?\S*/g, '');

/**
 * Octokit for one repository, with GitHub's rules for integrations built in: writes go
 * one at a time with a pause between them, rate limits are waited out as GitHub says
 * (or the request fails with E_TRACKER_RATE_LIMITED when the wait is too long), and
 * failures become typed errors that name the request but never the token.
 */
export function githubClient(settings: GitHubSettings, options: ClientOptions): Octokit {
  const sleep = options.sleep ?? ((ms: number) => wait(ms));
  const octokit = new Octokit({
    ...('app' in options.credentials ? { authStrategy: createAppAuth, auth: options.credentials.app } : { auth: options.credentials.token }),
    baseUrl: settings.baseUrl.replace(/\/+$/, ''),
    userAgent: 'plugin-steward',
    // Octokit logs each request, and each failure at error level, with its query: steward
    // reports failures itself, as typed errors, so these go to debug with the query cut.
    log: {
      debug: () => undefined,
      info: (message: string) => options.log.debug({ github: withoutQuery(message) }, 'github request'),
      warn: (message: string) => options.log.warn({ github: withoutQuery(message) }, 'github warning'),
      error: (message: string) => options.log.debug({ github: withoutQuery(message) }, 'github request failed'),
    },
  });
  let writes: Promise<unknown> = Promise.resolve();
  let lastWrite = 0;

  octokit.hook.wrap('request', async (request, endpoint) => {
    const expanded = endpoint.url.replace(/\{[^}]+\}/g, (name) => String(endpoint[name.slice(1, -1)] ?? name));
    // The path alone: a query may carry what a person typed, and a log line needs no more.
    const what = `${endpoint.method} ${/^https?:/.test(expanded) ? new URL(expanded).pathname : (expanded.split('?')[0] ?? expanded)}`;
    const attemptAll = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(endpoint);
        } catch (error) {
          const fail = failure(error);
          if (!fail) throw error;
          const wait = retryDelayMs(fail, attempt, endpoint.method);
          if (wait === undefined) throw typedError(fail, what, settings);
          if (attempt >= settings.maxRetries) {
            if (fail.status === 403 || fail.status === 429)
              throw new GitHubError('E_TRACKER_RATE_LIMITED', `GitHub still rate-limits ${what} after ${attempt + 1} attempts`, fail.status);
            throw typedError(fail, what, settings);
          }
          if (wait > settings.maxWaitSeconds * 1000) {
            throw new GitHubError(
              'E_TRACKER_RATE_LIMITED',
              `GitHub rate-limited ${what} and asks for ${Math.ceil(wait / 1000)} s, more than github.maxWaitSeconds (${settings.maxWaitSeconds})`,
              fail.status,
            );
          }
          options.log.warn({ request: what, status: fail.status, waitMs: wait, attempt: attempt + 1 }, 'github asked to wait; retrying');
          await sleep(wait);
        }
      }
    };
    if (!WRITES.has(endpoint.method)) return attemptAll();
    // Writes one at a time, spaced: GitHub's advice against secondary rate limits.
    const turn = writes.then(async () => {
      const gap = lastWrite + settings.writeIntervalMs - Date.now();
      if (gap > 0) await sleep(gap);
      try {
        return await attemptAll();
      } finally {
        lastWrite = Date.now();
      }
    });
    writes = turn.catch(() => undefined);
    return turn;
  });
  return octokit;
}

/** A GitHub request that failed for good; `status` lets callers tell a 404 or 422 they expect. */
class GitHubError extends StewardError {
  override readonly name = 'GitHubError';
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
  }
}

export function isGitHubStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof GitHubError && statuses.includes(error.status);
}

function typedError(fail: HttpFailure, what: string, settings: GitHubSettings): GitHubError {
  const data = fail.response?.data;
  const said = typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : '';
  const message = `GitHub answered ${fail.status} to ${what}${said ? `: ${said}` : ''}`;
  if (fail.status === 401)
    return new GitHubError('E_TRACKER_AUTH', message, 401, {
      hint: settings.app ? `check github.app (id, installation, private key)` : `check the token in $${settings.tokenEnv}`,
    });
  if (fail.status === 403)
    return new GitHubError('E_TRACKER_AUTH', message, 403, {
      hint: `the token in $${settings.tokenEnv} needs issues, pull requests and contents access to ${settings.owner}/${settings.repo}`,
    });
  if (fail.status === 409 || fail.status === 422) return new GitHubError('E_TRACKER_CONFLICT', message, fail.status);
  return new GitHubError('E_TRACKER_REQUEST', message, fail.status);
}
