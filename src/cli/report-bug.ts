import { ExitCode } from './exit-codes.js';

/** Tells a bug as one, the only report with a stack trace; light, so the process's last handler can use it. */
export function reportBug(error: unknown, write: (text: string) => void, red: (text: string) => string = (text) => text): number {
  write(`${red('✖')} lifeboat: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  write(`${error instanceof Error ? (error.stack ?? '') : ''}\nThis is a bug in Lifeboat, not in your runbook.\n`);
  return ExitCode.Internal;
}
