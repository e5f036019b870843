import type { CommandRunner } from '../ports/command-runner.js';

/** A runner that runs nothing: every command "succeeds" at once, so a rehearsal walks every step. */
export function createDryRunRunner(): CommandRunner {
  return {
    async run() {
      return { exitCode: 0, timedOut: false, aborted: false, durationMs: 0, output: '', stdout: '' };
    },
  };
}
