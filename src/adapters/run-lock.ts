import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, linkSync, lstatSync, openSync, readFileSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureDir } from './ensure-dir.js';
import { processStartTicks } from './os-process-table.js';

/** Who holds a runbook's lock, as shown to the run that could not take it. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  runId: string;
  /** When the holder's process started (clock ticks since boot): a reused pid is not the holder. */
  startTicks?: number;
  /** The boot the holder ran in: after a reboot no holder of an earlier boot is alive. */
  bootId?: string;
  /** Unique to one taking of the lock, so a lock taken over by another run is told from ours. */
  token?: string;
}

/** Thrown when another live run holds the lock, or when the lock file cannot be judged safely. */
export class LockedError extends Error {
  constructor(
    readonly holder: LockHolder | undefined,
    readonly runbook: string,
    readonly problem?: string,
    readonly hint = 'Wait for it to finish, or stop it; a lock whose process has died is taken over.',
  ) {
    super(
      problem
        ? `the lock of ${runbook} cannot be trusted: ${problem}`
        : holder
          ? `another run holds the lock of ${runbook}: run ${holder.runId}, pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}`
          : `another run holds the lock of ${runbook}`,
    );
    this.name = 'LockedError';
  }
}

/** The two lines that tell the operator about a lock that could not be taken. */
export function lockedText(error: LockedError): string {
  return `${error.message}\n  ${error.hint}\n`;
}

/** A held lock: released once at the end; it reports (once) when it was lost meanwhile. */
export interface RunLock {
  readonly path: string;
  /** Gives the lock up if it is still ours; never throws. */
  release(): void;
  /** Where a lost lock is reported from now on (until then, to the `onLost` given when taken). */
  onLost(report: (message: string) => void): void;
}

// How often a held lock checks that its file still names it (a deleted or taken-over lock).
const WATCH_MS = 2_000;
// A lock taken a moment ago is complete at once (written aside, then linked): no waiting for its content.
const TRIES = 50;

const NOFOLLOW = constants.O_NOFOLLOW;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The running process's own holder record. */
function selfHolder(runId: string): LockHolder {
  return {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    runId,
    startTicks: processStartTicks(process.pid),
    bootId: currentBootId(),
    token: randomBytes(12).toString('hex'),
  };
}

/**
 * Creates `path` holding `text`, or fails with EEXIST: written to a fresh file aside (O_EXCL,
 * O_NOFOLLOW), synced, then hard-linked into place. link(2) never follows a symlink at its target
 * name and never replaces anything, so a lock file is either absent or whole.
 */
function createWhole(path: string, text: string): void {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(aside, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(aside, path);
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

type Read = { holder: LockHolder; text: string } | { missing: true } | { problem: string } | { legacy: true };

/** Reads a lock file without following a symlink, and without blocking on a FIFO planted in its place. */
function readLock(path: string): Read {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    if (code === 'ELOOP') return { problem: `${path} is a symbolic link, not a lock Lifeboat made` };
    return { problem: `${path} cannot be read (${code ?? (error as Error).message})` };
  }
  try {
    const stat = fstatSync(fd);
    // A lock of an earlier Lifeboat was a folder, with who held it beside it.
    if (stat.isDirectory()) return { legacy: true };
    if (!stat.isFile()) return { problem: `${path} is not a regular file` };
    if (stat.size > 64 * 1024) return { problem: `${path} is not a lock Lifeboat made (too large)` };
    const buffer = Buffer.alloc(stat.size);
    const length = stat.size ? readSync(fd, buffer, 0, stat.size, 0) : 0;
    const text = buffer.toString('utf8', 0, length);
    const holder = parseHolder(text);
    return holder ? { holder, text } : { problem: `${path} does not say which run holds it` };
  } finally {
    closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (!value || typeof value !== 'object' || !Number.isInteger(value.pid) || (value.pid as number) <= 0 || typeof value.hostname !== 'string') return undefined;
    return {
      pid: value.pid as number,
      hostname: value.hostname,
      startedAt: String(value.startedAt ?? 'an unknown time'),
      runId: String(value.runId ?? 'unknown'),
      ...(typeof value.startTicks === 'number' ? { startTicks: value.startTicks } : {}),
      ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}),
      ...(typeof value.token === 'string' ? { token: value.token } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether a holder is gone for sure, with why. Its age never counts: a run stopped with Ctrl-Z, or
 * a clock that jumps, keeps its lock. Only a holder on this host can be judged: its process must
 * not exist, or be another process under the same pid (a different start time), or belong to an
 * earlier boot.
 */
export function holderGone(holder: LockHolder): string | undefined {
  if (holder.hostname !== hostname()) return undefined;
  const boot = currentBootId();
  if (holder.bootId && boot && holder.bootId !== boot) return `the machine restarted since pid ${holder.pid} took it`;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return `pid ${holder.pid} is no longer running`;
    return undefined;
  }
  if (holder.startTicks !== undefined) {
    const now = processStartTicks(holder.pid);
    if (now !== undefined && now !== holder.startTicks) return `pid ${holder.pid} is no longer running`;
  }
  return undefined;
}

function unlinkIfSame(path: string, text: string): boolean {
  const now = readLock(path);
  if (!('text' in now) || now.text !== text) return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Takes the short-lived guard under which one run at a time may remove a dead holder's lock. */
function withGuard<T>(lockPath: string, runbook: string, runId: string, body: () => T): T | undefined {
  const guardPath = `${lockPath}.takeover`;
  const text = JSON.stringify(selfHolder(runId));
  for (let i = 0; i < TRIES; i++) {
    try {
      createWhole(guardPath, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const guard = readLock(guardPath);
      // A guard left by a taker that died in its few microseconds is removed; a live one is waited for.
      if ('holder' in guard && holderGone(guard.holder)) unlinkIfSame(guardPath, guard.text);
      else if ('problem' in guard || 'legacy' in guard)
        throw new LockedError(undefined, runbook, 'problem' in guard ? guard.problem : `${guardPath} is a folder`, `Remove ${guardPath} if no run is going on.`);
      sleepSync(20);
      continue;
    }
    try {
      return body();
    } finally {
      unlinkIfSame(guardPath, text);
    }
  }
  return undefined;
}

/**
 * Takes the one-run-at-a-time lock of a runbook in the logs folder: the file `RUNBOOK.lock`, made
 * whole and never through a symlink, naming the holder's pid, process start time, boot and host.
 * A lock whose holder is gone for sure (see holderGone) is taken over, with a warning; a lock of
 * a live holder, of another host, or a file that is not a lock (a symlink) is refused.
 */
export function acquireRunLock(logsDir: string, runbook: string, runId: string, warn: (message: string) => void): RunLock {
  ensureDir(logsDir);
  const lockPath = join(logsDir, `${runbook}.lock`);
  const mine = selfHolder(runId);
  const text = JSON.stringify(mine);
  for (let i = 0; ; i++) {
    if (i >= TRIES) throw new LockedError(undefined, runbook, `${lockPath} kept changing while it was read`, `Try again; remove ${lockPath} if no run is going on.`);
    try {
      createWhole(lockPath, text);
      return holding(lockPath, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = readLock(lockPath);
    if ('missing' in held) continue;
    if ('problem' in held) throw new LockedError(undefined, runbook, held.problem, `Remove ${lockPath} if no run of ${runbook} is going on, and check who could write in ${logsDir}.`);
    if ('legacy' in held) {
      const legacy = readLegacy(lockPath);
      const gone = legacy && holderGone(legacy);
      if (!legacy || !gone) throw new LockedError(legacy, runbook);
      withGuard(lockPath, runbook, runId, () => {
        rmSync(lockPath, { recursive: true, force: true });
        unlinkQuiet(`${lockPath}.json`);
      });
      warn(`taking over the lock of ${runbook} from run ${legacy.runId} (${gone})`);
      continue;
    }
    const gone = holderGone(held.holder);
    if (!gone) {
      const other = held.holder.hostname !== hostname();
      throw new LockedError(held.holder, runbook, undefined, other ? `It runs on another machine: wait for it, or, if it is gone, remove ${lockPath}.` : undefined);
    }
    const removed = withGuard(lockPath, runbook, runId, () => unlinkIfSame(lockPath, held.text));
    if (removed) warn(`taking over the lock of ${runbook} from run ${held.holder.runId} (${gone})`);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function readLegacy(lockPath: string): LockHolder | undefined {
  try {
    if (lstatSync(`${lockPath}.json`).isSymbolicLink()) return undefined;
    return parseHolder(readFileSync(`${lockPath}.json`, 'utf8'));
  } catch {
    return undefined;
  }
}

function holding(lockPath: string, text: string): RunLock {
  let report: ((message: string) => void) | undefined;
  let pending: string | undefined;
  let lost = false;
  let released = false;
  const say = (message: string) => {
    try {
      if (report) report(message);
      else pending = message;
    } catch {
      // A report that cannot be made (its terminal gone) never ends the run from a timer.
    }
  };
  const check = () => {
    if (released || lost) return;
    let now: Read;
    try {
      now = readLock(lockPath);
    } catch (error) {
      now = { problem: `${lockPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    if ('text' in now && now.text === text) return;
    lost = true;
    const why =
      'missing' in now
        ? 'its file was removed'
        : 'holder' in now
          ? `run ${now.holder.runId} (pid ${now.holder.pid} on ${now.holder.hostname}) took it`
          : 'problem' in now
            ? now.problem
            : 'its file was replaced';
    say(`the run lock was lost (${why}): another run of this runbook may start; this one goes on`);
  };
  const timer = setInterval(check, WATCH_MS);
  timer.unref();
  return {
    path: lockPath,
    release() {
      if (released) return;
      released = true;
      try {
        clearInterval(timer);
        // Only our own lock is removed: one taken over meanwhile belongs to its new holder.
        unlinkIfSame(lockPath, text);
      } catch {
        // Releasing never fails a run: a lock left behind names a dead process and is taken over.
      }
    },
    onLost(next) {
      report = next;
      if (pending) {
        const message = pending;
        pending = undefined;
        say(message);
      }
    },
  };
}

/**
 * The live run holding a runbook's lock, if any (a lock left by a dead process on this host is
 * no holder): asked before anything is printed, so a conflict is the first thing said.
 */
export function liveLockHolder(logsDir: string, runbook: string): LockHolder | undefined {
  const lockPath = join(logsDir, `${runbook}.lock`);
  const held = readLock(lockPath);
  if ('holder' in held) return holderGone(held.holder) ? undefined : held.holder;
  if ('legacy' in held) {
    const legacy = readLegacy(lockPath);
    return legacy && !holderGone(legacy) ? legacy : undefined;
  }
  return undefined;
}
