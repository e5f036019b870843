// Nothing runs without a record: when the logs folder cannot be written, `lifeboat run` exits 2 with
// a clear message before any step's command runs. The tests run as root, which ignores permission
// bits, so "cannot be written" is made in ways root cannot get around: a path under a regular file
// (ENOTDIR), a folder marked immutable with `chattr +i` (EPERM), sysfs and procfs.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, clearImmutable, journalFile, lifeboat, makeImmutable, onlyRun, readEvents, sh, sizeOf, tempDir, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

/** A one-step runbook whose command creates `marker`. */
function markerRunbook(dir: string) {
  const marker = join(dir, 'marker');
  const { file, steps } = writeRunbook(dir, 'marker', [[{ id: 'touch', run: `touch ${sh(marker)}` }]]);
  return { marker, file, steps };
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m;

/** The refusal every unwritable logs folder should get. */
function expectRefused(result: { code: number; all: string; stderr: string }, logs: string, marker: string) {
  expect(result.code, result.all).toBe(2);
  expect(result.stderr).toContain(`cannot record the run in ${logs}`);
  expect(result.stderr).toContain('nothing runs without a record');
  expect(result.all).not.toMatch(STACK_FRAME);
  expect(existsSync(marker), 'the step ran although nothing could be recorded').toBe(false);
}

describe('an unwritable logs folder: exit 2, a clear message, nothing runs', () => {
  it('--logs under a regular file (ENOTDIR)', async () => {
    const dir = tempDir('ro-enotdir');
    const { marker, file, steps } = markerRunbook(dir);
    writeFileSync(join(dir, 'plain-file'), 'not a folder\n');
    const logs = join(dir, 'plain-file', 'logs');
    const result = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expectRefused(result, logs, marker);
    expect(result.stderr).toContain('ENOTDIR');
  });

  it('--logs an immutable folder (chattr +i: EPERM even for root)', async (ctx) => {
    const dir = tempDir('ro-immutable');
    const { marker, file, steps } = markerRunbook(dir);
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    if (!makeImmutable(logs)) ctx.skip('chattr +i is not supported here');
    try {
      const result = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
      expectRefused(result, logs, marker);
      expect(result.stderr).toContain('a folder that cannot be written');
      // A subfolder of it, which would have to be created, as well.
      const sub = join(logs, 'sub');
      expectRefused(await lifeboat(['run', file, '--yes', '--logs', sub, '--steps', steps], { cwd: dir }), sub, marker);
    } finally {
      clearImmutable(logs);
    }
  });

  it('--logs on sysfs (/sys/lifeboat-test)', async () => {
    const dir = tempDir('ro-sys');
    const { marker, file, steps } = markerRunbook(dir);
    const logs = '/sys/lifeboat-test';
    expectRefused(await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir }), logs, marker);
  });

  // Guards against an earlier fault: `--logs /proc/lifeboat-test` hangs forever at 100% CPU (and ignores SIGTERM: only SIGKILL
  // ends it). acquireRunLock calls fs.mkdirSync(logs, { recursive: true }); on procfs mkdir of a
  // new entry fails with ENOENT although /proc exists, and Node's recursive mkdir then loops
  // mkdir("/proc/lifeboat-test") = ENOENT, mkdir("/proc") = EEXIST forever (strace). Same for
  // /proc/self/logs. Expected: exit 2 "cannot record the run in /proc/lifeboat-test". A fix: try a
  // plain mkdirSync first / create the parents one by one and stop when a parent exists but the
  // child still gets ENOENT.
  it('--logs on procfs (/proc/lifeboat-test)', { timeout: 60_000 }, async () => {
    const dir = tempDir('ro-proc');
    const { marker, file, steps } = markerRunbook(dir);
    const logs = '/proc/lifeboat-test';
    // The hang guard kills it with SIGKILL (SIGTERM does not stop the spin).
    expectRefused(await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir, hangMs: 20_000 }), logs, marker);
  });

  // Guards against an earlier fault: `--logs FILE` where FILE is a regular file: exit 70 "internal error: ENOTDIR: not a
  // directory, scandir FILE" with a stack trace (from store.list() via unfinishedRun(), which runs
  // before the lock and its friendly error). Expected: exit 2, "cannot record the run in FILE".
  // `resume --logs FILE` has the same crash (findRun → store.list()).
  it('--logs naming a regular file', async () => {
    const dir = tempDir('ro-file');
    const { marker, file, steps } = markerRunbook(dir);
    const logs = join(dir, 'plain-file');
    writeFileSync(logs, 'not a folder\n');
    expectRefused(await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir }), logs, marker);
  });

  // Guards against an earlier fault: a resume whose run folder cannot be written (chattr +i on it; a full disk behaves alike)
  // is not refused up front: the journal opens (append to an existing file), then the first
  // snapshot save (write-file-atomic's temp file) throws EPERM inside the machine. The step is
  // recorded as failed ("the step failed") though its command never ran, and the final snapshot
  // save throws again outside any handler: a raw Node stack trace, exit 1, no run.finished record.
  // Expected: exit 2 "cannot record the run in …" before anything runs, journal untouched.
  it('resume of a run whose folder became unwritable', { timeout: 60_000 }, async (ctx) => {
    const dir = tempDir('ro-resume');
    const logs = join(dir, 'logs');
    const flag = join(dir, 'flag');
    const marker = join(dir, 'marker');
    const { file, steps } = writeRunbook(dir, 'stuck', [
      [
        { id: 'one', run: 'true' },
        { id: 'two', run: `test -e ${sh(flag)}` },
        { id: 'three', run: `touch ${sh(marker)}` },
      ],
    ]);
    expect((await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir })).code).toBe(1);
    writeFileSync(flag, '');
    const runDir = join(logs, onlyRun(logs)!);
    const journal = journalFile(logs, onlyRun(logs)!);
    const before = sizeOf(journal);
    if (!makeImmutable(runDir)) ctx.skip('chattr +i is not supported here');
    try {
      const result = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
      expectRefused(result, logs, marker);
      expect(sizeOf(journal)).toBe(before);
    } finally {
      clearImmutable(runDir);
    }
    expect(readEvents(journal).bad).toEqual([]);
  });
});
