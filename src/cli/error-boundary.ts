import { CommanderError } from 'commander';
import { LockedError, lockedText } from '../adapters/run-lock.js';
import type { Styles } from '../adapters/terminal-styles.js';
import { DataError } from '../core/model/data-error.js';
import { InputError, UsageError } from '../core/model/problem.js';
import { ExitCode } from './exit-codes.js';
import { reportBug } from './report-bug.js';
import { reportProblems } from './report-problems.js';

type Write = (text: string) => void;

/** A question Ctrl-C'd (or its terminal closed) before the run started: an interruption, not a crash. */
function isPromptExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

function problemLines(error: UsageError | DataError, s: Styles): string {
  const lines = [`${s.red('✖')} ${s.bold(error.message)}`];
  if (error.expected) lines.push(`  expected: ${error.expected}`);
  if (error.received) lines.push(`  got:      ${error.received}`);
  if (error.hint) lines.push(`  hint:     ${error.hint}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Every error that ends a command, told and mapped to its documented exit code in this one place:
 * the user's input and damaged run records (2), a lock held or untrusted (4), an interruption (3),
 * anything else a bug (70).
 */
export function exitCodeForError(error: unknown, s: Styles, write: Write): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
  if (error instanceof InputError) {
    reportProblems(error.problems, s, write);
    return ExitCode.InvalidInput;
  }
  if (error instanceof UsageError || error instanceof DataError) {
    write(problemLines(error, s));
    return ExitCode.InvalidInput;
  }
  if (error instanceof LockedError) {
    write(`${s.red('✖')} ${lockedText(error)}`);
    return ExitCode.Locked;
  }
  if (isPromptExit(error)) {
    write('\nInterrupted before the run started: nothing was run.\n');
    return ExitCode.Interrupted;
  }
  return reportBug(error, write, s.red);
}
