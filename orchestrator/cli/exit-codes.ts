/** Exit statuses of every steward command; docs/cli.md is generated from this. */
export const EXIT = {
  /** Done, nothing wrong found. */
  ok: 0,
  /** The command ran and found problems (doctor errors, links not all in place). */
  findings: 1,
  /** Bad input or a refused operation; nothing was changed. */
  badInput: 2,
  /** Part of the work was done, part not (errors capture with Redis lost midway); the message says exactly what. */
  partial: 3,
  /** A bug in steward: the message and stack go to stderr. */
  internal: 70,
} as const;
