// What a lock means, tried as an unlucky user and as an attacker would: a holder stopped with
// Ctrl-Z (SIGSTOP) whose lock file looks ancient keeps its lock; a lock file that is a symlink
// planted in the logs folder is refused and its target left alone; a lock removed mid-run is
// reported and the run goes on; two resumes of one run started together never run a step twice.
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, finish, gatedStep, journalFile, lifeboat, lineStep, linesOf, readEvents, runIds, type StepSpec, sh, start, tempDir, waitFor, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

function gatedRunbook(dir: string) {
  const out = join(dir, 'out.txt');
  const gate = join(dir, 'gate');
  const logs = join(dir, 'logs');
  const { file, steps } = writeRunbook(dir, 'held', [[gatedStep(1, out, gate, true), lineStep(2, out)]]);
  return { out, gate, logs, file, steps, args: ['run', file, '--yes', '--logs', logs, '--steps', steps] };
}

describe('a lock is judged by its holder, never by its age', () => {
  it('a SIGSTOPped holder whose lock file looks hours old keeps its lock; continued, it finishes without a word about the lock', { timeout: 120_000 }, async () => {
    const dir = tempDir('sigstop');
    const { out, gate, logs, args } = gatedRunbook(dir);
    const holder = start(args, { cwd: dir });
    expect(await waitFor(holder, { event: 'step.spawned', step: 's1' }, { logs })).toBe('fired');
    const [runId] = runIds(logs);
    process.kill(holder.pid!, 'SIGSTOP');
    try {
      // As if it had been stopped for hours, or the clock had jumped: the file's times say nothing.
      const old = new Date('2001-01-01T00:00:00Z');
      utimesSync(join(logs, 'held.lock'), old, old);
      const second = await lifeboat(args, { cwd: dir });
      expect(second.code, second.all).toBe(4);
      expect(second.stderr).toContain(`pid ${holder.pid}`);
      const resumed = await lifeboat(['resume', runId!, '--yes', '--logs', logs], { cwd: dir });
      expect(resumed.code, resumed.all).toBe(4);
      expect(runIds(logs)).toEqual([runId]);
    } finally {
      process.kill(holder.pid!, 'SIGCONT');
    }
    writeFileSync(gate, '');
    const done = await finish(holder);
    expect(done.code, done.all).toBe(0);
    expect(done.all).not.toMatch(/lock/i);
    expect(linesOf(out)).toEqual(['line1', 'line2']);
    expect(readdirSync(logs).filter((name) => name.startsWith('held.lock'))).toEqual([]);
  });

  it('a lock naming a live process that is not the holder (same pid, other start time) is taken over', { timeout: 60_000 }, async () => {
    const dir = tempDir('reused-pid');
    const { out, gate, logs, args } = gatedRunbook(dir);
    writeFileSync(gate, '');
    mkdirSync(logs);
    // pid 1 is alive, but it did not start at tick 1: the run that wrote this lock is gone.
    writeFileSync(join(logs, 'held.lock'), JSON.stringify({ pid: 1, hostname: (await import('node:os')).hostname(), startedAt: '2001-01-01T00:00:00Z', runId: 'gone', startTicks: 1 }), {
      mode: 0o600,
    });
    const run = await lifeboat(args, { cwd: dir });
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toContain('taking over the lock of held from run gone (pid 1 is no longer running)');
    expect(linesOf(out)).toEqual(['line1', 'line2']);
  });
});

describe('lock files are never followed through a symlink', () => {
  it.each([
    ['to a file that exists', true],
    ['dangling', false],
  ])('a planted %s symlink in place of the lock: refused (exit 4), the target untouched', { timeout: 60_000 }, async (_name, exists) => {
    const dir = tempDir('symlink');
    const { out, gate, logs, args } = gatedRunbook(dir);
    writeFileSync(gate, '');
    mkdirSync(logs);
    const victim = join(dir, 'victim');
    if (exists) writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(logs, 'held.lock'));
    const run = await lifeboat(args, { cwd: dir });
    expect(run.code, run.all).toBe(4);
    expect(run.stderr).toContain('is a symbolic link');
    expect(run.all).not.toMatch(/internal error|\n\s+at /);
    if (exists) expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    else expect(() => readFileSync(victim)).toThrow();
    expect(linesOf(out)).toEqual([]);
    expect(runIds(logs)).toEqual([]);
  });
});

describe('a lock lost mid-run', () => {
  it('is reported in the journal and on screen when it happens; the run goes on and ends normally', { timeout: 120_000 }, async () => {
    const dir = tempDir('lost');
    const { out, gate, logs, args } = gatedRunbook(dir);
    const run = start(args, { cwd: dir });
    expect(await waitFor(run, { event: 'step.spawned', step: 's1' }, { logs })).toBe('fired');
    const [runId] = runIds(logs);
    // Someone removes it by hand, then another run takes it.
    rmSync(join(logs, 'held.lock'));
    expect(await waitFor(run, { event: 'run.note', message: 'the run lock was lost' }, { logs, runId })).toBe('fired');
    writeFileSync(gate, '');
    const done = await finish(run);
    expect(done.code, done.all).toBe(0);
    expect(done.stdout).toContain('the run lock was lost (its file was removed)');
    expect(done.all).not.toMatch(/internal error|Lock is already released/);
    expect(linesOf(out)).toEqual(['line1', 'line2']);
    const notes = readEvents(journalFile(logs, runId!)).events.filter((e) => e.kind === 'run.note' && String(e.message).includes('lock was lost'));
    expect(notes).toHaveLength(1);
  });
});

describe('two resumes of the same run started together', () => {
  /**
   * `trials` trials in a folder of their own: the twins resume copies of one stopped run (s1 done,
   * stopped at s2 for want of a flag), each trial from a fresh copy in the same place (its records
   * name their paths), instead of running it again for each trial. Returns the exit codes of each trial.
   */
  async function trialsIn(lane: number, trials: number): Promise<string[]> {
    const dir = tempDir(`twin-${lane}`);
    const logs = join(dir, 'logs');
    const marks = join(dir, 'marks');
    mkdirSync(marks);
    const flag = join(dir, 'flag');
    // Each step run appends one line to its own marker file: a step run twice leaves two lines.
    const mark = (id: string, extra = ''): StepSpec => ({ id, run: `${extra}echo ran >> ${sh(join(marks, id))}` });
    const { file, steps } = writeRunbook(dir, 'twin', [[mark('s1'), mark('s2', `test -e ${sh(flag)} && `), mark('s3', 'sleep 0.05; '), mark('s4')]]);
    const first = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(first.code, first.all).toBe(1);
    const [runId] = runIds(logs);
    expect(linesOf(join(marks, 's1'))).toEqual(['ran']);
    const stopped = join(dir, 'stopped');
    cpSync(logs, join(stopped, 'logs'), { recursive: true });
    cpSync(marks, join(stopped, 'marks'), { recursive: true });
    appendFileSync(flag, '');
    const outcomes: string[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const name = `trial ${trial + 1} of lane ${lane}`;
      if (trial > 0) {
        for (const [from, to] of [
          [join(stopped, 'logs'), logs],
          [join(stopped, 'marks'), marks],
        ] as const) {
          rmSync(to, { recursive: true, force: true });
          cpSync(from, to, { recursive: true });
        }
      }
      const a = start(['resume', runId!, '--yes', '--logs', logs], { cwd: dir });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)));
      const b = start(['resume', runId!, '--yes', '--logs', logs], { cwd: dir });
      const results = [await finish(a), await finish(b)];
      for (const r of results) {
        expect([0, 2, 4], `${name}\n${r.all}`).toContain(r.code);
        expect(r.all, name).not.toMatch(/internal error/);
      }
      expect(
        results.filter((r) => r.code === 0),
        `${name}\n${results.map((r) => r.all).join('\n---\n')}`,
      ).toHaveLength(1);
      outcomes.push(results.map((r) => r.code).join('+'));
      for (const id of ['s1', 's2', 's3', 's4']) expect(linesOf(join(marks, id)), `${id} in ${name}`).toEqual(['ran']);
      const ends = readEvents(journalFile(logs, runId!))
        .events.filter((e) => e.kind === 'run.finished')
        .map((e) => e.status);
      expect(ends, name).toEqual(['failed', 'done']);
    }
    return outcomes;
  }

  it('never run a step twice (50 trials, random delays between them)', { timeout: 900_000 }, async () => {
    // Five lanes of ten trials side by side, each on a run of its own: the trials mostly wait on
    // the random delay and on each other's lock.
    const lanes = await Promise.all([1, 2, 3, 4, 5].map((lane) => trialsIn(lane, 10)));
    const outcomes = new Map<string, number>();
    for (const key of lanes.flat()) outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    // Both ways of losing the race happen with these delays; either way nothing ran twice.
    expect([...outcomes.values()].reduce((x, y) => x + y, 0)).toBe(50);
  });
});
