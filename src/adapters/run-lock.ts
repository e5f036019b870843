import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { ensureDir } from './ensure-dir.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/** Who holds a runbook's lock, as shown to the run that could not take it. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  runId: string;
}

/** Thrown when another live run holds the lock. */
export class LockedError extends Error {
  constructor(readonly holder: LockHolder | undefined, readonly runbook: string) {
    super(
      holder
        ? `another run holds the lock of ${runbook}: run ${holder.runId}, pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}`
        : `another run holds the lock of ${runbook}`,
    );
    this.name = 'LockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the one-run-at-a-time lock of a runbook in the logs folder (proper-lockfile, refreshed
 * while held). A lock left by a dead process on this host is taken over, with a warning.
 */
export function acquireRunLock(logsDir: string, runbook: string, runId: string, warn: (message: string) => void): () => void {
  ensureDir(logsDir);
  const lockPath = join(logsDir, `${runbook}.lock`);
  const infoPath = `${lockPath}.json`;
  const take = () =>
    lockfile.lockSync(logsDir, {
      realpath: false,
      lockfilePath: lockPath,
      stale: 30_000,
      update: 10_000,
      // Losing the lock mid-run (a clock jump, a removed folder) must not kill a restore halfway.
      onCompromised: (error) => warn(`the run lock was compromised: ${error.message}`),
    });
  let release: () => void;
  try {
    release = take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    // A holder that took the lock a moment ago may not have written who it is yet.
    let holder = readHolder(infoPath);
    for (let waited = 0; !holder && waited < 1_000; waited += 50) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      holder = readHolder(infoPath);
    }
    if (holder && holder.hostname === hostname() && !pidAlive(holder.pid)) {
      warn(`taking over the lock of ${runbook} from run ${holder.runId} (pid ${holder.pid} is no longer running)`);
      rmSync(lockPath, { recursive: true, force: true });
      release = take();
    } else throw new LockedError(holder, runbook);
  }
  writeFileSync(infoPath, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), runId } satisfies LockHolder), { mode: 0o600 });
  return () => {
    try {
      release();
    } finally {
      if (existsSync(infoPath)) unlinkSync(infoPath);
    }
  };
}

/**
 * The live run holding a runbook's lock, if any (a lock left by a dead process on this host is
 * no holder): asked before anything is printed, so a conflict is the first thing said.
 */
export function liveLockHolder(logsDir: string, runbook: string): LockHolder | undefined {
  const lockPath = join(logsDir, `${runbook}.lock`);
  let locked: boolean;
  try {
    locked = lockfile.checkSync(logsDir, { realpath: false, lockfilePath: lockPath, stale: 30_000 });
  } catch {
    return undefined;
  }
  if (!locked) return undefined;
  const holder = readHolder(`${lockPath}.json`);
  if (!holder) return undefined;
  return holder.hostname !== hostname() || pidAlive(holder.pid) ? holder : undefined;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}
