/**
 * Typed errors with stable codes. A `StewardError` is always the user's to fix
 * (bad input, a refused operation) and maps to exit status 2; anything else that
 * escapes is a bug and maps to 70 (EX_SOFTWARE).
 */
export type ErrorCode =
  | 'E_CONFIG_INVALID'
  | 'E_CONFIG_EXISTS'
  | 'E_NOT_A_LIBRARY'
  | 'E_JSON_SYNTAX'
  | 'E_MANIFEST_INVALID'
  | 'E_MANIFEST_MISSING'
  | 'E_PLUGIN_NAME'
  | 'E_PLUGIN_EXISTS'
  | 'E_PLUGIN_UNKNOWN'
  | 'E_SYMLINK_ESCAPE'
  | 'E_HISTORY_INVALID'
  | 'E_DIRTY_WORKTREE'
  | 'E_NOT_A_REPO'
  | 'E_REMOTE_UNREACHABLE'
  | 'E_REMOTE_INVALID'
  | 'E_UPSTREAM_CHANGED'
  | 'E_REF_INVALID'
  | 'E_REF_NOT_FOUND'
  | 'E_NOT_A_SUBTREE'
  | 'E_NO_UPSTREAM'
  | 'E_PULL_CONFLICT'
  | 'E_PUSH_REJECTED'
  | 'E_GIT_FAILED'
  | 'E_TEMPLATE_MISSING'
  | 'E_PLAYBOOK_MISSING'
  | 'E_PLAYBOOK_INVALID'
  | 'E_AGENT_MD_MISSING'
  | 'E_REDIS_MISSING'
  | 'E_REDIS_START'
  | 'E_GROUP_UNKNOWN'
  | 'E_RUN_UNKNOWN'
  | 'E_RUN_STATE'
  | 'E_TRACKER_AUTH'
  | 'E_TRACKER_REQUEST'
  | 'E_TRACKER_RATE_LIMITED'
  | 'E_TRACKER_CONFLICT'
  | 'E_EVAL_SUITE_INVALID'
  | 'E_EVAL_OUT_MISMATCH'
  | 'E_EVAL_RESULTS_INVALID'
  | 'E_USAGE'
  | 'E_PARTIAL'
  | 'E_REDIS_UNREACHABLE'
  | 'E_STATE_CORRUPT';

export interface ErrorDetails {
  /** File the problem is in, relative to the library root where possible. */
  file?: string;
  /** JSON path of the offending value (`$.test.format`). */
  path?: string;
  /** What the user can do about it. */
  hint?: string;
}

export class StewardError extends Error {
  override readonly name: string = 'StewardError';
  readonly exitCode: number = 2;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  /** One line a person reads: where, what, and the hint. */
  format(): string {
    const where = [this.details.file, this.details.path].filter(Boolean).join(': ');
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.details.hint ? `${head}\n  hint: ${this.details.hint}` : head;
  }
}

export class ManifestError extends StewardError {
  override readonly name = 'ManifestError';
  constructor(
    message: string,
    details: ErrorDetails,
    /** Every problem found, when there was more than one. */
    readonly problems: readonly { path: string; message: string }[] = [],
  ) {
    super('E_MANIFEST_INVALID', message, details);
  }
}

export class GitError extends StewardError {
  override readonly name = 'GitError';
}

export function isStewardError(error: unknown): error is StewardError {
  return error instanceof StewardError;
}

/** Some of the work was done and some not: the message says exactly which (exit 3). */
export class PartialError extends StewardError {
  override readonly name = 'PartialError';
  override readonly exitCode = 3;
  constructor(message: string, details: ErrorDetails = {}) {
    super('E_PARTIAL', message, details);
  }
}

/** The message of anything thrown: an Error's message, else its text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Work that did not finish in its time; not the user's fault, so not a StewardError. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}
