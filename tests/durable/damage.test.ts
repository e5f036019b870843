// Damaged run records: a journal whose last line was torn by a crash mid-write, a snapshot that is
// missing, garbage, or stale. Resume warns and completes from the journal, without running any
// finished step again.
import { appendFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, finish, journalFile, lifeboat, linesOf, onlyRun, readEvents, type StepSpec, sh, signalAt, sizeOf, start, tempDir, thirtyLines, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

const EXPECTED = Array.from({ length: 30 }, (_, i) => `line${i + 1}`);
const TORN = '{"level":"info","time":"2026-01-01T00:00:00.000Z","kind":"step.fin';

/** The 30-line run killed with -9 during step 12's command, and a copy of its folder as the kill left it. */
let killed: { dir: string; out: string; logs: string; runId: string; copy: string } | undefined;

/**
 * A 30-line run killed with -9 during step 12's command; returns where everything is. The run is
 * made and killed once; each test gets its folder back as the kill left it, in the same place (its
 * records and commands name their paths), to damage in its own way.
 */
async function killedRun() {
  if (!killed) {
    const dir = tempDir('killed');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    // No sleep in the checks: these tests are about the records, not about where the kill lands.
    const { file, steps } = writeRunbook(dir, 'damaged', thirtyLines(out, {}, 0));
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's12' }, { logs, out })).toBe(true);
    expect((await finish(run)).signal).toBe('SIGKILL');
    const copy = tempDir('killed-copy');
    cpSync(dir, copy, { recursive: true });
    killed = { dir, out, logs, runId: onlyRun(logs)!, copy };
  } else {
    rmSync(killed.dir, { recursive: true, force: true });
    cpSync(killed.copy, killed.dir, { recursive: true });
  }
  const { dir, out, logs, runId } = killed;
  return { dir, out, logs, runId, runDir: join(logs, runId), journal: journalFile(logs, runId) };
}

/** Steps s1..s11 finished before the kill: after the resume none of them may have run again. */
function expectNoFinishedStepRerun(journal: string, from: number) {
  const attempts = readEvents(journal, from)
    .events.filter((e) => e.kind === 'step.attempt')
    .map((e) => Number(e.step!.slice(1)));
  expect(
    attempts.filter((n) => n < 12),
    'finished steps run again',
  ).toEqual([]);
}

describe('a torn last journal line', () => {
  it('resume warns that it was cut off, and completes', { timeout: 120_000 }, async () => {
    const { out, logs, journal } = await killedRun();
    appendFileSync(journal, TORN);
    const from = sizeOf(journal);
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs]);
    expect(resumed.code, resumed.all).toBe(0);
    expect(resumed.stdout).toContain('the journal ended in a torn line (the run died mid-write); it was cut off');
    expect(linesOf(out)).toEqual(EXPECTED);
    expectNoFinishedStepRerun(journal, from);
  });

  // Guards against an earlier fault: the resume appends its events right after the torn fragment, which has no newline: its
  // first record (run.resumed) is glued onto the fragment, giving an unreadable line in the MIDDLE
  // of the journal (and the run.resumed record is lost). From then on readJournalFile() throws
  // "events.jsonl:N: unreadable journal line" for that run: if that resume stops again, a later
  // `lifeboat resume <id> --yes` crashes with exit 70 (internal error + stack), and
  // `lifeboat resume --yes` without an id skips the run and says "no unfinished run … all
  // finished". Input: torn last line; resume → stops at a failing step (exit 1); fix the step;
  // resume again. Expected: exit 0. Actual: exit 70. Fix: start the journal on a new line (or cut
  // the torn tail) before appending.
  it('the resumed journal stays readable: a second resume after a torn line works', { timeout: 120_000 }, async () => {
    const dir = tempDir('torn-twice');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    const flag = join(dir, 'flag');
    const phases: StepSpec[][] = [
      [
        { id: 's1', run: `echo s1 >> ${sh(out)}` },
        { id: 's2', run: `test -e ${sh(flag)} && echo s2 >> ${sh(out)}` },
        { id: 's3', run: `test -e ${sh(flag)}.2 && echo s3 >> ${sh(out)}` },
      ],
    ];
    const { file, steps } = writeRunbook(dir, 'torn', phases);
    expect((await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir })).code).toBe(1);
    const runId = onlyRun(logs)!;
    const journal = journalFile(logs, runId);
    appendFileSync(journal, TORN);
    writeFileSync(flag, '');
    // Gets past s2, stops at s3.
    const second = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(second.code, second.all).toBe(1);
    expect(readEvents(journal).bad, 'only the torn line may be unreadable, and only at the end').toEqual([]);
    writeFileSync(`${flag}.2`, '');
    const third = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(third.code, third.all).toBe(0);
    expect(linesOf(out)).toEqual(['s1', 's2', 's3']);
  });
});

describe('a damaged snapshot', () => {
  it('deleted: resume warns it was rebuilt from the journal, completes, runs no finished step again', { timeout: 120_000 }, async () => {
    const { out, logs, runDir, journal } = await killedRun();
    rmSync(join(runDir, 'snapshot.json'));
    const from = sizeOf(journal);
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs]);
    expect(resumed.code, resumed.all).toBe(0);
    expect(resumed.stdout).toContain("the snapshot is missing: the run's state was rebuilt from its journal");
    expect(linesOf(out)).toEqual(EXPECTED);
    expectNoFinishedStepRerun(journal, from);
  });

  it('garbage: resume warns it was rebuilt from the journal, completes, runs no finished step again', { timeout: 120_000 }, async () => {
    const { out, logs, runDir, journal } = await killedRun();
    writeFileSync(join(runDir, 'snapshot.json'), '\u0000\u0000{"status":"act');
    const from = sizeOf(journal);
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs]);
    expect(resumed.code, resumed.all).toBe(0);
    expect(resumed.stdout).toMatch(/the snapshot is unreadable \(.+\): the run's state was rebuilt from its journal/);
    expect(linesOf(out)).toEqual(EXPECTED);
    expectNoFinishedStepRerun(journal, from);
  });

  it('stale (valid JSON, but from before any step finished): the journal wins', { timeout: 120_000 }, async () => {
    const { out, logs, runDir, journal } = await killedRun();
    writeFileSync(join(runDir, 'snapshot.json'), JSON.stringify({ status: 'active', context: { steps: {} } }));
    const from = sizeOf(journal);
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs]);
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(EXPECTED);
    expectNoFinishedStepRerun(journal, from);
  });

  it('valid JSON of the wrong shape (context.steps not an object): resume does not crash', { timeout: 120_000 }, async () => {
    const { out, logs, runDir, journal } = await killedRun();
    writeFileSync(join(runDir, 'snapshot.json'), JSON.stringify({ context: { steps: 42 } }));
    const from = sizeOf(journal);
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs]);
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(EXPECTED);
    expectNoFinishedStepRerun(journal, from);
  });
});
