// A step that is not idempotent, interrupted during its command before it wrote anything: its
// checks fail after the interruption, so an unattended resume must not run it again. It stops with
// exit 1 and a message that names the step and says what to do.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, finish, gatedStep, journalFile, killGroup, lifeboat, lineStep, linesOf, onlyRun, readEvents, signalAt, sizeOf, start, tempDir, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

/**
 * Runs a 4-step runbook whose non-idempotent s3 waits for a gate (so, interrupted, it has written
 * nothing), interrupts it during s3's command with `signal`, opens the gate (were s3 run again it
 * would write its line at once), then checks that `resume --yes` stops at s3 without running it.
 */
async function interruptedNonIdempotent(signal: 'SIGINT' | 'SIGKILL') {
  const dir = tempDir('nonidem');
  const out = join(dir, 'out.txt');
  const gate = join(dir, 'gate');
  const logs = join(dir, 'logs');
  // s3 waits for the gate before it writes: interrupted there, it has done nothing.
  const { file, steps } = writeRunbook(dir, 'once', [[lineStep(1, out), lineStep(2, out), gatedStep(3, out, gate, false), lineStep(4, out)]]);

  const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
  expect(await signalAt(run, { event: 'step.spawned', step: 's3' }, { logs }, signal)).toBe(true);
  const first = await finish(run);
  const runId = onlyRun(logs)!;
  const journal = journalFile(logs, runId);
  if (signal === 'SIGKILL') {
    expect(first.signal).toBe('SIGKILL');
    // Everything of the run is gone, the command too, as after a power cut.
    const pgid = readEvents(journal).events.find((e) => e.kind === 'step.spawned' && e.step === 's3')!.pgid as number;
    await killGroup(pgid);
  } else {
    expect(first.code, first.all).toBe(3);
  }
  // Were s3 run again, it would now write its line at once.
  writeFileSync(gate, '');

  const from = sizeOf(journal);
  const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
  expect(resumed.code, resumed.all).toBe(1);
  // Names the step (position and id), says why it is not re-run and what to do instead.
  expect(resumed.all).toContain('1.3 s3 was interrupted while it ran');
  expect(resumed.all).toContain('not marked idempotent, so it is not run again unattended');
  expect(resumed.all).toMatch(/Check it by hand, then resume without --yes to run it again, mark it done or skip it/);

  expect(linesOf(out)).toEqual(['line1', 'line2']);
  const after = readEvents(journal, from).events;
  expect(
    after.filter((e) => e.kind === 'step.attempt'),
    'nothing runs',
  ).toEqual([]);
  expect(after.find((e) => e.kind === 'check.failed')).toMatchObject({ step: 's3', set: 'verify' });
  // (After kill -9 the dead command may linger as a zombie until init reaps it: resume may first wait for it.)
  expect(after.find((e) => e.kind === 'operator.choice' && e.menu === 'interrupted')).toMatchObject({ step: 's3', choice: 'abort', by: 'unattended' });
  expect(after.at(-1)).toMatchObject({ kind: 'run.finished', stoppedAt: 's3' });
  expect(['aborted', 'failed']).toContain(after.at(-1)!.status);
}

describe('a non-idempotent step interrupted during its command', () => {
  it('kill -9 of lifeboat and of the command (power cut): resume --yes stops at it with exit 1, does not run it again', { timeout: 120_000 }, async () => {
    await interruptedNonIdempotent('SIGKILL');
  });

  // Guards against an earlier fault: after Ctrl-C, lifeboat SIGTERMs the command's group, and the runner then
  // records `step.exited {signal: "SIGTERM"}` for s3, if the journal is still open when bash dies
  // (most of the time now that runSession awaits the snapshot flush before closing the journal;
  // 6 runs of 8 here). resumeState() reads any non-zero exit as a failed attempt: s3 becomes
  // `failed`, not `running`, so the resume neither recovers it nor asks the interrupted-menu
  // policy: it starts s3 afresh and runs the non-idempotent command again, unattended (exit 0,
  // line3 written by the re-run). Input: this test. Expected: exit 1, s3 not run again. Actual
  // (when step.exited made it to the journal): exit 0 and "start … $ <s3's command>" in the resume.
  // Fix: mark an exit caused by the abort (CommandResult.aborted) in step.exited, and have
  // resumeState treat it as interrupted (recover, then the idempotent policy), not as failed.
  it('Ctrl-C (SIGINT), lifeboat stops the command: resume --yes stops at it with exit 1, does not run it again', { timeout: 120_000 }, async () => {
    await interruptedNonIdempotent('SIGINT');
  });

  // Guards against an earlier fault: the same resume ends with "Continue with: lifeboat resume <id> --yes", right
  // after saying "resume without --yes". Followed, that advice stops at the same step again (exit 1)
  // forever. Expected: for a step stopped because it is not idempotent, the hint drops --yes.
  it('the closing hint does not contradict the advice to resume without --yes', { timeout: 120_000 }, async () => {
    const dir = tempDir('nonidem-hint');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    const { file, steps } = writeRunbook(dir, 'once', [[lineStep(1, out), gatedStep(2, out, join(dir, 'gate'), false)]]);
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's2' }, { logs }, 'SIGINT')).toBe(true);
    expect((await finish(run)).code).toBe(3);
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
    expect(resumed.code).toBe(1);
    expect(resumed.all).not.toMatch(/Continue with: \S+(?: \S+)? resume \S+ --yes/);
  });
});
