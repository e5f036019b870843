// SIGINT / SIGTERM: a real run interrupted mid-command exits 3 and prints the command that
// continues it; running exactly that command completes the run, each line once, in order.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupTemp,
  continueCommand,
  finish,
  gatedStep,
  journalFile,
  killGroup,
  lifeboat,
  lineRunbook,
  lineStep,
  linesOf,
  onlyRun,
  readEvents,
  signalAt,
  start,
  type Trigger,
  tempDir,
  thirtyLines,
  writeRunbook,
} from './harness.js';

afterAll(cleanupTemp);

const EXPECTED = Array.from({ length: 30 }, (_, i) => `line${i + 1}`);

/** Runs the 30-line runbook from `dir` with logs in ./logs (the default place), interrupts it, returns what it printed. */
async function interrupted(dir: string, trigger: Trigger, signals: NodeJS.Signals[]) {
  const out = join(dir, 'out.txt');
  const { file, steps } = writeRunbook(dir, 'durable', thirtyLines(out));
  const run = start(['run', file, '--yes', '--logs', 'logs', '--steps', steps], { cwd: dir });
  const [firstSignal, ...more] = signals;
  expect(await signalAt(run, trigger, { logs: join(dir, 'logs'), out }, firstSignal)).toBe(true);
  for (const signal of more) {
    try {
      process.kill(run.pid!, signal);
    } catch {
      // already gone
    }
  }
  return { result: await finish(run), out, logs: join(dir, 'logs') };
}

// Each test has its own folders and processes: they run side by side, as they mostly wait on their steps.
describe.concurrent('an interrupted run says how to continue, and that command works', () => {
  it.each<[string, Trigger, NodeJS.Signals[]]>([
    ['SIGINT during command 12', { event: 'step.spawned', step: 's12' }, ['SIGINT']],
    ['SIGINT during check 5', { event: 'step.exited', step: 's5' }, ['SIGINT']],
    ['SIGTERM during command 21', { event: 'step.spawned', step: 's21' }, ['SIGTERM']],
    // Two signals sent back to back: merged by the kernel into one, or the second leaves at once; exit 3 either way.
    ['SIGINT, SIGINT back to back during command 8', { event: 'step.spawned', step: 's8' }, ['SIGINT', 'SIGINT']],
  ])('%s: exit 3, then the printed resume command completes the run', { timeout: 120_000 }, async (_name, trigger, signals) => {
    const dir = tempDir('sigint');
    const { result, out, logs } = await interrupted(dir, trigger, signals);
    expect(result.signal, result.all).toBeUndefined();
    expect(result.code, result.all).toBe(3);
    const runId = onlyRun(logs)!;
    expect(result.all).toMatch(new RegExp(`Continue with: node \\S+ resume ${runId} --logs \\S+ --yes`, 'm'));
    const command = continueCommand(result.all);
    expect(command).toEqual(['resume', runId, '--logs', logs, '--yes']);

    // Exactly the printed command, from the folder the run was started in.
    const resumed = await lifeboat(command!, { cwd: dir });
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(EXPECTED);
    const { events, bad } = readEvents(journalFile(logs, runId));
    expect(bad).toEqual([]);
    const finished = events.filter((e) => e.kind === 'step.finished').map((e) => e.step);
    expect(new Set(finished).size).toBe(30);
    expect(finished).toHaveLength(30);
    const ends = events.filter((e) => e.kind === 'run.finished').map((e) => e.status);
    if (signals.length === 1) expect(ends).toEqual(['interrupted', 'done']);
    // A second signal that arrives on its own leaves at once, before the end is recorded: the
    // resume goes by the journal either way.
    else expect([['interrupted', 'done'], ['done']]).toContainEqual(ends);
  });

  // Guards against an earlier fault
  // when the SIGTERMed command's `step.exited {signal: "SIGTERM"}` reaches the journal (most runs
  // now), resumeState() records the interrupted step as `failed`; for an `on_failure: continue`
  // step `failed` counts as ended, so the resume passes over it silently: its command never runs
  // again, its checks never run, and the run ends `done`, exit 0. Input: this test (4 of 4 runs by
  // hand with the record present lost line2). Expected: s2 recovered or re-run (idempotent), line2
  // then line3, s2 finished `done`. Actual: only line3; s2 left `failed` from the interruption.
  it('a Ctrl-C during an on_failure: continue step: the resume runs it again, not past it', { timeout: 60_000 }, async () => {
    const dir = tempDir('sigint-continue');
    const out = join(dir, 'out.txt');
    const gate = join(dir, 'gate');
    const logs = join(dir, 'logs');
    const { file, steps } = writeRunbook(dir, 'continue', [[lineStep(1, out), { ...gatedStep(2, out, gate, true), onFailure: 'continue' }, lineStep(3, out)]]);
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's2' }, { logs }, 'SIGINT')).toBe(true);
    expect((await finish(run)).code).toBe(3);
    writeFileSync(gate, '');
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(['line1', 'line2', 'line3']);
    const finished = readEvents(journalFile(logs, onlyRun(logs)!)).events.filter((e) => e.kind === 'step.finished' && e.step === 's2');
    expect(finished.map((e) => e.status)).toEqual(['done']);
  });

  // Guards against an earlier fault: after a first Ctrl-C the run records `interrupted` and its signal handlers are removed,
  // but the process stays up to 2 s more while the command's process group gets SIGTERM then
  // SIGKILL. A second Ctrl-C (or SIGTERM) in that window hits no handler of Lifeboat's: the process
  // dies by the signal (exit 130, i.e. killed by SIGINT) instead of "leaving at once" with exit 3 as
  // the message promises, and the SIGKILL escalation never happens, so a command that ignores
  // SIGTERM is left running. Input: a step `trap '' TERM; sleep 30`; SIGINT while it runs; a second
  // SIGINT once the journal shows run.finished. Expected: exit 3. Actual: killed by SIGINT (130).
  it('a second Ctrl-C while the interrupted run waits for its command to die still exits 3', { timeout: 60_000 }, async () => {
    const dir = tempDir('sigint-twice');
    const logs = join(dir, 'logs');
    const { file, steps } = writeRunbook(dir, 'stubborn', [[{ id: 's1', run: "trap '' TERM; sleep 30" }]]);
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's1' }, { logs }, 'SIGINT')).toBe(true);
    const journal = journalFile(logs, onlyRun(logs)!);
    const pgid = readEvents(journal).events.find((e) => e.kind === 'step.spawned')!.pgid as number;
    try {
      expect(await signalAt(run, { event: 'run.finished' }, { logs }, 'SIGINT')).toBe(true);
      const result = await finish(run);
      expect(result.signal).toBeUndefined();
      expect(result.code).toBe(3);
    } finally {
      await killGroup(pgid);
    }
  });

  // Guards against an earlier fault: the printed command leaves out --logs. A run started with `--logs DIR` (DIR not ./logs,
  // no LIFEBOAT_LOGS) prints `Continue with: lifeboat resume <id> --yes`; run as printed, from the
  // same folder, it exits 2 "no run <id> in <cwd>/logs". Expected: the hint carries
  // `--logs DIR` whenever the logs folder is not the default, so it works as printed.
  it('the printed command works when the run used a non-default --logs', { timeout: 120_000 }, async () => {
    const dir = tempDir('sigint-logs');
    const out = join(dir, 'out.txt');
    const logs = join(tempDir('sigint-elsewhere'), 'runs');
    // Ten steps are enough: the test is about the printed command, not where the interruption lands.
    const { file, steps } = writeRunbook(dir, 'durable', lineRunbook(10, out));
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's4' }, { logs, out }, 'SIGINT')).toBe(true);
    const result = await finish(run);
    expect(result.code).toBe(3);
    const resumed = await lifeboat(continueCommand(result.all)!, { cwd: dir });
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(EXPECTED.slice(0, 10));
  });
});
