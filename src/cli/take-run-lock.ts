import { acquireRunLock, LockedError, type RunLock } from '../adapters/run-lock.js';
import type { NoteChannel } from './note-channel.js';
import { unwritableLogs } from './unwritable-logs.js';

/**
 * Takes the runbook's lock for one run; what it warns about (taking over a dead holder's lock,
 * losing it mid-run) is said on `notes` when it happens. A lock held by another run throws
 * LockedError for the error boundary; a logs folder that cannot hold a lock is the user's to fix.
 */
export function takeRunLock(logsDir: string, runbook: string, runId: string, notes: NoteChannel): RunLock {
  let lock: RunLock;
  try {
    lock = acquireRunLock(logsDir, runbook, runId, notes.say);
  } catch (error) {
    if (error instanceof LockedError) throw error;
    throw unwritableLogs(logsDir, error);
  }
  lock.onLost(notes.say);
  return lock;
}
