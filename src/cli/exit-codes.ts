/** Exit codes, as documented in the README. */
export const ExitCode = {
  /** The command did what it was asked; a run finished every step. */
  Ok: 0,
  /** A step failed or the operator aborted. */
  Failed: 1,
  /** Invalid input: a runbook, a vars file or the command line; or damaged run records (journal, run.json). */
  InvalidInput: 2,
  /** Interrupted (SIGINT, SIGTERM, SIGHUP, or a full logs disk); `lifeboat resume` continues. */
  Interrupted: 3,
  /** Another run holds the runbook's lock, or its lock file cannot be trusted. */
  Locked: 4,
  /** A bug in Lifeboat itself. */
  Internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
