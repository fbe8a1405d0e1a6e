/** Exit codes, stable and documented in the README. */
export const EXIT = {
  ok: 0,
  /** The tool itself failed (a bug, an I/O error): the message says what. */
  failure: 1,
  /** The user's input is wrong: a profile, a flag, a file, an unreachable target. */
  usage: 2,
  /** A threshold (or a --baseline comparison) failed: the run itself went fine. */
  thresholdsFailed: 99,
  /** Interrupted with Ctrl-C; the run directory still holds what was recorded. */
  interrupted: 130,
} as const;
