import { resolve } from 'node:path';
import { removeStaleControlDirs } from '../adapters/control-dirs.js';
import { controlDirOf } from '../adapters/ssh-args.js';
import { warmUpFirst } from '../adapters/ssh-warmup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import type { Session } from './run-session.js';

/** A session to start: all of it but the connections, which are opened here. */
export type SessionStart = Omit<Session, 'ssh' | 'resumeOptions'> & {
  /** The logs folder given on the command line, repeated in the command that continues the run. */
  logs?: string;
  /** The step the session begins with: its host's connection is opened while the engine loads. */
  firstStep?: PlanStep;
};

/**
 * Starts a run or a resume the same way: the first step's connection is opened now and the
 * engine loads meanwhile, so the handshake (a fifth of a second, or more) is not waited for on its own.
 */
export async function startSession(start: SessionStart): Promise<number> {
  const { logs, firstStep, ...rest } = start;
  const sshOptions = { controlDir: controlDirOf() };
  removeStaleControlDirs(sshOptions.controlDir);
  const warm = start.options.dryRun ? new Map() : warmUpFirst(firstStep, sshOptions);
  const { runSession } = await import('./run-session.js');
  return runSession({ ...rest, resumeOptions: logs ? ` --logs ${shellQuote(resolve(logs))}` : '', ssh: { options: sshOptions, warm } });
}
