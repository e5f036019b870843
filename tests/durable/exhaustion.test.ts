// Damage and exhaustion: a daemon that keeps stdout open, a closed terminal (SIGHUP), a journal
// damaged in its middle, an invalid run.json, a hand-edited snapshot, a command orphaned by a
// killed run that outlives its step's timeout. Each ends in a clear message and a documented code.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupTemp,
  continueCommand,
  finish,
  groupAlive,
  journalFile,
  killGroup,
  lifeboat,
  lineRunbook,
  linesOf,
  onlyRun,
  readEvents,
  type StepSpec,
  sh,
  signalAt,
  start,
  tempDir,
  writeRunbook,
} from './harness.js';

afterAll(cleanupTemp);

const NO_TRACE = /internal error|\n\s+at \S+ \(|Maximum call stack/;

function rawRunbook(dir: string, yaml: string) {
  const file = join(dir, 'runbook.yaml');
  writeFileSync(file, yaml);
  const steps = join(dir, 'steps');
  mkdirSync(steps, { recursive: true });
  return { file, steps, logs: join(dir, 'logs') };
}

function killPidFile(file: string) {
  for (const pid of linesOf(file)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
}

describe('a command that leaves a daemon holding its stdout', () => {
  it('with `timeout: 3s`: the step times out and the run goes on to its end; without a timeout: the step ends with its first process', { timeout: 120_000 }, async () => {
    const dir = tempDir('daemon');
    const pids = join(dir, 'pids');
    const out = join(dir, 'out');
    const { file, steps, logs } = rawRunbook(
      dir,
      `name: daemon
phases:
  - id: p1
    title: Daemons
    steps:
      - id: starts
        title: starts a daemon and ends
        run: ${JSON.stringify(`setsid sleep 60 & echo $! >> ${sh(pids)}; echo started >> ${sh(out)}`)}
      - id: hangs
        title: starts a daemon and hangs
        timeout: 3s
        on_failure: continue
        run: ${JSON.stringify(`setsid sleep 60 & echo $! >> ${sh(pids)}; sleep 60`)}
      - id: after
        title: after
        run: ${JSON.stringify(`echo after >> ${sh(out)}`)}
`,
    );
    try {
      // The hang guard only turns a hang into a failure: the daemons live 60 s.
      const run = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir, hangMs: 40_000 });
      expect(run.all).not.toMatch(NO_TRACE);
      expect(linesOf(out)).toEqual(['started', 'after']);
      const events = readEvents(journalFile(logs, onlyRun(logs)!)).events;
      expect(events.find((e) => e.kind === 'step.exited' && e.step === 'starts')).toMatchObject({ exitCode: 0, timedOut: false });
      expect(events.find((e) => e.kind === 'step.exited' && e.step === 'hangs')).toMatchObject({ timedOut: true });
      expect(events.find((e) => e.kind === 'step.finished' && e.step === 'hangs')).toMatchObject({ status: 'failed' });
      expect(linesOf(pids)).toHaveLength(2);
    } finally {
      killPidFile(pids);
    }
  });
});

describe('SIGHUP (the terminal closed)', () => {
  it('is handled like SIGTERM: exit 3, recorded as interrupted with the resume command, listed as interrupted; the resume completes', { timeout: 120_000 }, async () => {
    const dir = tempDir('sighup');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    // Ten steps are enough: the test is about the hang-up, not where it lands.
    const { file, steps } = writeRunbook(dir, 'hangup', lineRunbook(10, out));
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's6' }, { logs, out }, 'SIGHUP')).toBe(true);
    const result = await finish(run);
    expect(result.signal, result.all).toBeUndefined();
    expect(result.code, result.all).toBe(3);
    const runId = onlyRun(logs)!;
    const end = readEvents(journalFile(logs, runId)).events.filter((e) => e.kind === 'run.finished');
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ status: 'interrupted' });
    expect(String(end[0]!.message)).toMatch(new RegExp(`(?:lifeboat|bin/lifeboat\\.js) resume ${runId}`));
    const list = await lifeboat(['logs', 'list', '--json', '--logs', logs]);
    expect(list.code, list.all).toBe(0);
    expect(JSON.parse(list.stdout).runs[0]).toMatchObject({ runId, status: 'interrupted' });
    const resumed = await lifeboat(continueCommand(result.all)!, { cwd: dir });
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(Array.from({ length: 10 }, (_, i) => `line${i + 1}`));
  });
});

/** A run of four marker steps stopped (exit 1) at s2, whose command needs `flag`. */
async function stoppedRun(tag: string) {
  const dir = tempDir(tag);
  const logs = join(dir, 'logs');
  const marks = join(dir, 'marks');
  mkdirSync(marks);
  const flag = join(dir, 'flag');
  const mark = (id: string, extra = ''): StepSpec => ({ id, run: `${extra}echo ran >> ${sh(join(marks, id))}` });
  const { file, steps } = writeRunbook(dir, 'records', [[mark('s1'), mark('s2', `test -e ${sh(flag)} && `), mark('s3'), mark('s4')]]);
  const first = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
  expect(first.code, first.all).toBe(1);
  const runId = onlyRun(logs)!;
  return { dir, logs, marks, flag, runId, runDir: join(logs, runId), journal: journalFile(logs, runId) };
}

describe('damaged run records are data errors (exit 2), never a crash', () => {
  it('a damaged line in the middle of events.jsonl: resume names the file and line; logs show shows what it can read, then the same error', { timeout: 120_000 }, async () => {
    const { dir, logs, runId, journal, flag } = await stoppedRun('mid-damage');
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines.splice(2, 0, '{"kind":"step.fin\u0000garbage');
    writeFileSync(journal, lines.join('\n'));
    writeFileSync(flag, '');
    const resumed = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(resumed.code, resumed.all).toBe(2);
    expect(resumed.stderr).toContain(`${journal}:3:`);
    expect(resumed.stderr).toContain('damaged');
    expect(resumed.all).not.toMatch(NO_TRACE);
    const shown = await lifeboat(['logs', 'show', runId, '--logs', logs], { cwd: dir });
    expect(shown.code, shown.all).toBe(2);
    expect(shown.stdout).toContain('Step s1');
    expect(shown.stderr).toContain(`${journal}:3:`);
    expect(shown.all).not.toMatch(NO_TRACE);
    // Without its lock left behind: a run can still start.
    expect(readFileSync(join(logs, '..', 'runbook.yaml'), 'utf8')).toContain('records');
  });

  it.each([
    ['not JSON', '{"runId": '],
    ['JSON of the wrong shape', '{"runId": 42}'],
    ['empty', ''],
  ])('an invalid run.json (%s): resume and logs show exit 2 naming run.json', { timeout: 60_000 }, async (_name, text) => {
    const { dir, logs, runId, runDir } = await stoppedRun('bad-meta');
    writeFileSync(join(runDir, 'run.json'), text);
    for (const args of [
      ['resume', runId, '--yes', '--logs', logs],
      ['logs', 'show', runId, '--logs', logs],
    ]) {
      const result = await lifeboat(args, { cwd: dir });
      expect(result.code, result.all).toBe(2);
      expect(result.stderr).toContain(join(runDir, 'run.json'));
      expect(result.all).not.toMatch(NO_TRACE);
    }
  });

  it('a hand-edited snapshot that calls steps done the journal never saw start is not believed', { timeout: 60_000 }, async () => {
    const { dir, logs, runId, runDir, marks, flag } = await stoppedRun('snap-lies');
    const snapshot = JSON.parse(readFileSync(join(runDir, 'snapshot.json'), 'utf8')) as { context: { current?: string; record?: unknown; steps?: Record<string, unknown> } };
    // The snapshot describes the step the run stopped at (s2); it is called done, and so, in the
    // table of every step that snapshots of older versions kept, are the two after it.
    expect(snapshot.context.current).toBe('s2');
    snapshot.context.record = { status: 'done', attempts: 1 };
    snapshot.context.steps = Object.fromEntries(['s3', 's4'].map((id) => [id, { status: 'done', attempts: 1 }]));
    writeFileSync(join(runDir, 'snapshot.json'), JSON.stringify(snapshot));
    writeFileSync(flag, '');
    const resumed = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(resumed.code, resumed.all).toBe(0);
    expect(resumed.stdout).toContain('the journal does not');
    for (const id of ['s1', 's2', 's3', 's4']) expect(linesOf(join(marks, id)), id).toEqual(['ran']);
  });
});

describe('a command orphaned by a killed run', () => {
  it('a resume waits for it at most until its step timeout is up, then kills it and says it timed out', { timeout: 120_000 }, async () => {
    const dir = tempDir('orphan');
    const { file, steps, logs } = rawRunbook(
      dir,
      `name: orphan
phases:
  - id: p1
    title: Orphans
    steps:
      - id: slow
        title: hangs
        timeout: 3s
        run: "sleep 120"
        verify:
          - run: "false"
`,
    );
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 'slow' }, { logs })).toBe(true);
    expect((await finish(run)).signal).toBe('SIGKILL');
    const runId = onlyRun(logs)!;
    const pgid = readEvents(journalFile(logs, runId)).events.find((e) => e.kind === 'step.spawned')!.pgid as number;
    try {
      expect(groupAlive(pgid), 'the orphan outlived its run').toBe(true);
      // The hang guard is far below the orphan's 120 s: waiting for it to end by itself fails the test.
      const resumed = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir, hangMs: 60_000 });
      expect(resumed.all).not.toMatch(NO_TRACE);
      expect(resumed.code, resumed.all).toBe(1);
      const notes = readEvents(journalFile(logs, runId)).events.filter(
        (e) => e.kind === 'run.note' && /^timed out after 3(\.0)?s: its command, left running by the interrupted run/.test(String(e.message)),
      );
      expect(notes).toHaveLength(1);
      expect(resumed.stdout).toMatch(/timed out after 3(\.0)?s/);
    } finally {
      await killGroup(pgid);
    }
  });
});

/** Mounts a tiny tmpfs (root only); undefined where mounting is not allowed. */
function smallDisk(kib: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-durable-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

const probe = smallDisk(64);
if (probe) {
  execFileSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
}

describe('the logs disk fills up mid-run', () => {
  it.runIf(probe !== undefined)('the step in flight is interrupted: a clear message, exit 3, the lock released, and the run resumes once there is room', { timeout: 120_000 }, async () => {
    const dir = tempDir('enospc');
    const disk = smallDisk(192)!;
    try {
      const logs = join(disk, 'logs');
      const marks = join(dir, 'marks');
      const filler = join(disk, 'filler');
      const { file, steps } = rawRunbook(
        dir,
        `name: full
phases:
  - id: p1
    title: Fill
    steps:
      - id: s1
        title: one
        run: ${JSON.stringify(`echo s1 >> ${sh(marks)}`)}
      - id: s2
        title: fills the disk, then talks
        idempotent: true
        run: ${JSON.stringify(`if [ ! -e ${sh(join(dir, 'filled'))} ]; then touch ${sh(join(dir, 'filled'))}; head -c 400000 /dev/zero > ${sh(filler)}; fi; for i in $(seq 1 400); do echo output line $i of a chatty step; done; echo s2 >> ${sh(marks)}`)}
      - id: s3
        title: three
        run: ${JSON.stringify(`echo s3 >> ${sh(marks)}`)}
`,
      );
      const run = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
      expect(run.all).not.toMatch(NO_TRACE);
      expect(run.code, run.all).toBe(3);
      expect(run.stderr).toContain('the disk of the logs folder is full (ENOSPC)');
      expect(run.stderr).toMatch(/Continue with: (?:node \S+|lifeboat) resume \S+/);
      expect(readFileSync(marks, 'utf8')).not.toContain('s3');
      rmSync(filler);
      // The lock was released: the resume takes it without a takeover.
      const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
      expect(resumed.code, resumed.all).toBe(0);
      expect(resumed.stdout).not.toContain('taking over the lock');
      expect(linesOf(marks).filter((l) => l !== 's2')).toEqual(['s1', 's3']);
    } finally {
      execFileSync('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  });
});
