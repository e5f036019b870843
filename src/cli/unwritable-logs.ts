import { UsageError } from '../core/model/problem.js';

/** The error for a logs folder a run cannot be recorded in: nothing runs without a record. */
export function unwritableLogs(dir: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  return new UsageError(`cannot record the run in ${dir}: ${code ?? (error as Error).message}`, {
    expected: 'a writable logs folder with free space: nothing runs without a record',
    received: code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'a folder that cannot be written' : String(code ?? error),
    hint: 'choose another with --logs DIR or LIFEBOAT_LOGS, or fix its permissions or free space',
  });
}
