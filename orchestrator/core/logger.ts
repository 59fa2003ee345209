import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
let warned = false;

/** STEWARD_LOG_LEVEL, or `warn` with one line saying so when it names no level: a typo never costs a command its run. */
function logLevel(): string {
  const wanted = process.env.STEWARD_LOG_LEVEL;
  if (wanted === undefined || wanted === '') return 'warn';
  if (LEVELS.includes(wanted)) return wanted;
  if (!warned) process.stderr.write(`steward: warning: STEWARD_LOG_LEVEL "${wanted}" is not one of ${LEVELS.join(', ')}; logging at warn\n`);
  warned = true;
  return 'warn';
}

/**
 * The structured logger. It writes JSON lines to stderr so that stdout stays the
 * CLI's output; STEWARD_LOG_LEVEL picks the level (default `warn`).
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level: logLevel(),
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
