import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The structured logger. It writes JSON lines to stderr so that stdout stays the
 * CLI's output; STEWARD_LOG_LEVEL picks the level (default `warn`).
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level: process.env.STEWARD_LOG_LEVEL ?? 'warn',
      base: { pid: process.pid, ...bindings },
      redact: {
        paths: ['*.token', '*.password', '*.secret', '*.authorization', 'env.*'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

export const log: Logger = createLogger({ component: 'steward' });
