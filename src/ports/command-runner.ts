import type { HostRef } from '../core/model/plan-types.js';

/** A command to run: a bash script, locally or on a host. */
export interface CommandSpec {
  /** The bash script text, with secrets referenced as environment variables. */
  script: string;
  host?: HostRef;
  env: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
  /** The key of the foreach item it runs for; a runner that executes has no use for it. */
  item?: string;
}

/** Where output goes while a command runs. */
export interface CommandHooks {
  onSpawn?(pid: number): void;
  onOutput?(stream: 'stdout' | 'stderr', text: string): void;
  /** Aborting kills the command's whole process group. */
  signal?: AbortSignal;
}

export interface CommandResult {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** Stopped through the abort signal (Ctrl-C). */
  aborted: boolean;
  durationMs: number;
  /** stdout and stderr interleaved, the last 64 KiB (masked when the runner masks secrets): what is shown. */
  output: string;
  /** stdout as printed, the last 64 KiB: matched and parsed, never shown. */
  stdout: string;
  /** Set when stdout was longer than what `stdout` keeps: its start is missing. */
  stdoutTruncated?: boolean;
  /** Set when the command could not be started or its host not reached. */
  error?: string;
}

/** Runs commands; the execa adapter runs them for real, the dry-run adapter only describes them. */
export interface CommandRunner {
  run(spec: CommandSpec, hooks?: CommandHooks): Promise<CommandResult>;
}
