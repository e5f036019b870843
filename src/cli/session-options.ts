import { readFileSync } from 'node:fs';
import { UsageError } from '../core/problem.js';

// What `run` and `resume` check before a session starts: kept apart from the session itself,
// so that checking them does not load the run engine.

/** How a run or resume was asked for on the command line. */
export interface SessionOptions {
  yes?: boolean;
  dryRun?: boolean;
  probe?: boolean;
}

/** True when this process can ask questions: both ends are a terminal. */
export function interactiveTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** Refuses an interactive run without a terminal, at once, instead of waiting for input that never comes. */
export function requireTerminal(options: SessionOptions, command: string): void {
  if (options.yes || options.dryRun || interactiveTerminal()) return;
  throw new UsageError('no terminal to ask questions on', {
    expected: 'a terminal, or --yes to run unattended (or --dry-run to rehearse)',
    received: `${process.stdin.isTTY ? 'input' : 'no input'} terminal, ${process.stdout.isTTY ? 'output' : 'no output'} terminal`,
    hint: `${command} --yes`,
  });
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** This machine's boot, recorded so a resume after a reboot knows no old process survived. */
export const currentBootId = bootId;
