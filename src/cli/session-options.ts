import { readFileSync } from 'node:fs';
import { promptOutput } from '../adapters/prompt-terminal.js';
import { UsageError } from '../core/model/problem.js';
import { lifeboatCommand } from './command-name.js';

// What `run` and `resume` check before a session starts: kept apart from the session itself,
// so that checking them does not load the run engine.

/** How a run or resume was asked for on the command line. */
export interface SessionOptions {
  yes?: boolean;
  dryRun?: boolean;
  probe?: boolean;
  /** Steps whose confirmation an unattended run may give (`--confirm ID`, repeatable). */
  confirm?: string[];
  /** Answers to ask steps' questions (`--answer ID=VALUE`, repeatable). */
  answer?: string[];
  /** A plain copy of the run's screen, secrets masked (`--transcript FILE`). */
  transcript?: string;
  /** How many steps may run at once (`--concurrency N`), as given. */
  concurrency?: string;
}

/** The number `--concurrency` gives, checked: a whole number from 1 to 64; undefined when not given. */
export function concurrencyOption(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const n = /^\d+$/.test(given.trim()) ? Number(given.trim()) : Number.NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 64) return n;
  throw new UsageError(`--concurrency ${given}: not a number of steps`, {
    expected: 'a whole number from 1 to 64: how many steps whose waits are over may run at once',
    received: given,
    hint: '--concurrency 1 runs one step after another (the default, unless the runbook sets `concurrency:`)',
  });
}

/**
 * True when this process can ask questions: input comes from a terminal, and there is a terminal
 * to draw them on (output itself may go to a pipe or a file).
 */
export function interactiveTerminal(): boolean {
  return process.stdin.isTTY === true && promptOutput() !== undefined;
}

/** Refuses an interactive run without a terminal, at once, instead of waiting for input that never comes. */
export function requireTerminal(options: SessionOptions, command: string): void {
  if (options.yes || options.dryRun || interactiveTerminal()) return;
  throw new UsageError('no terminal to ask questions on', {
    expected: 'input from a terminal (output may go to a pipe or a file), or --yes to run unattended (or --dry-run to rehearse)',
    received: process.stdin.isTTY ? 'no terminal to show the questions on' : 'input from a pipe or a file, not a terminal',
    hint: `run it in a terminal; unattended: ${lifeboatCommand()} ${command} --yes (a typed confirmation also needs --confirm STEP_ID)`,
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
