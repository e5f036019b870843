import { resolve } from 'node:path';

// In a module of its own so that commands that only read logs (`logs`, `stats`, `plan`) do not
// load the run engine to learn it.

/** The logs folder: --logs, else $LIFEBOAT_LOGS, else logs/ in the current directory. */
export function logsDir(option: string | undefined): string {
  return resolve(option ?? process.env.LIFEBOAT_LOGS ?? 'logs');
}
