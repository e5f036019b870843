// kill -9: a real `lifeboat run --yes` is killed with SIGKILL at 20 chosen moments (during a
// command, during its check, between steps, at phase boundaries, at delays), then `lifeboat resume
// --yes` is run (and itself killed again in some scenarios) until the run completes. Whatever the
// moment, every step's line must end up in the file exactly once, in order, and the journal must
// record each step finishing once.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BIN,
  cleanupTemp,
  describeTrigger,
  finish,
  gatedStep,
  groupAlive,
  type JournalEvent,
  journalFile,
  lifeboat,
  lineStep,
  linesOf,
  onlyRun,
  readEvents,
  resumeUntilDone,
  signalAt,
  sizeOf,
  start,
  type Trigger,
  tempDir,
  thirtyLines,
  waitFor,
  writeRunbook,
} from './harness.js';

afterAll(cleanupTemp);

const EXPECTED = Array.from({ length: 30 }, (_, i) => `line${i + 1}`);

interface Scenario {
  name: string;
  kill: Trigger;
  /** Kills of the resumes that follow, in order (a trigger that never fires lets that resume finish). */
  resumeKills?: Trigger[];
}

const SCENARIOS: Scenario[] = [
  // During a command: its process group was just spawned and sleeps 50 ms before writing.
  { name: 'during the first command', kill: { event: 'step.spawned', step: 's1' }, resumeKills: [{ event: 'step.spawned', step: 's5' }] },
  { name: 'during command 7', kill: { event: 'step.spawned', step: 's7' } },
  { name: 'during command 11 (first of phase 2)', kill: { event: 'step.spawned', step: 's11' } },
  {
    name: 'during command 18, and the resume during its recovery check',
    kill: { event: 'step.spawned', step: 's18' },
    resumeKills: [{ event: 'run.note', step: 's18', message: 'checking it before going on' }],
  },
  { name: 'during the last command', kill: { event: 'step.spawned', step: 's30' }, resumeKills: [{ event: 'run.resumed' }] },
  // During a check: the command exited 0 and the verify (sleep 50 ms; grep) runs.
  { name: 'during check 2', kill: { event: 'step.exited', step: 's2' } },
  { name: 'during check 10 (end of phase 1)', kill: { event: 'step.exited', step: 's10' }, resumeKills: [{ event: 'step.exited', step: 's15' }] },
  { name: 'during check 16', kill: { event: 'step.exited', step: 's16' } },
  { name: 'during check 29', kill: { event: 'step.exited', step: 's29' } },
  // Between steps.
  { name: 'after check 8 passed', kill: { event: 'check.passed', step: 's8' } },
  { name: 'after step 3 finished', kill: { event: 'step.finished', step: 's3' } },
  { name: 'after step 13 finished', kill: { event: 'step.finished', step: 's13' }, resumeKills: [{ event: 'step.finished', step: 's21' }] },
  { name: 'after step 20 finished (phase boundary)', kill: { event: 'step.finished', step: 's20' } },
  // When the output file reaches k lines: right after a command wrote, before its check is recorded.
  {
    name: 'when the file has 5 lines, resume killed twice',
    kill: { lines: 5 },
    resumeKills: [{ lines: 9 }, { event: 'step.finished', step: 's20' }],
  },
  { name: 'when the file has 14 lines', kill: { lines: 14 } },
  { name: 'when the file has 27 lines', kill: { lines: 27 } },
  // Plain delays after the run's first record.
  { name: '150 ms in', kill: { delayMs: 150 } },
  { name: '900 ms in, resume killed 300 ms in', kill: { delayMs: 900 }, resumeKills: [{ delayMs: 300 }] },
  { name: '1.8 s in', kill: { delayMs: 1_800 } },
  { name: '2.5 s in', kill: { delayMs: 2_500 } },
];

/** Where a kill landed, judged from the last thing the journal recorded. */
function landing(events: JournalEvent[]): string {
  const last = events.at(-1);
  if (!last) return 'before any record';
  switch (last.kind) {
    case 'step.attempt':
    case 'step.spawned':
    case 'step.output':
      return `during command ${last.step}`;
    case 'step.exited':
      return `during check ${last.step}`;
    case 'check.passed':
      return `after check ${last.step}`;
    case 'run.note':
      return last.step ? `during recovery of ${last.step}` : `after a note (${String(last.message).slice(0, 40)}…)`;
    default:
      return `between steps (last: ${last.kind}${last.step ? ` ${last.step}` : ''})`;
  }
}

const landings: string[] = [];
afterAll(() => {
  // For the report: where the kills actually landed.
  console.info(`kill -9 landings:\n  ${landings.join('\n  ')}`);
});

describe.concurrent('kill -9 of `lifeboat run --yes`, then `lifeboat resume --yes` until done', () => {
  for (const scenario of SCENARIOS) {
    it(`killed ${scenario.name}`, { timeout: 240_000 }, async ({ expect }) => {
      const dir = tempDir('kill9');
      const out = join(dir, 'out.txt');
      const logs = join(dir, 'logs');
      const { file, steps } = writeRunbook(dir, 'durable', thirtyLines(out));

      const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
      const killed = await signalAt(run, scenario.kill, { logs, out });
      const first = await finish(run);
      expect(killed, `the run ended before the kill (${describeTrigger(scenario.kill)}):\n${first.all}`).toBe(true);
      expect(first.signal).toBe('SIGKILL');
      const runId = onlyRun(logs)!;
      expect(runId).toBeDefined();
      const journal = journalFile(logs, runId);
      landings.push(`${scenario.name}: run killed ${landing(readEvents(journal).events)}`);

      const last = await resumeUntilDone({ dir, logs, out, journal, runId }, scenario.resumeKills ?? [], (round, from, end) => {
        expect(end.signal).toBe('SIGKILL');
        landings.push(`${scenario.name}: resume ${round + 1} killed ${landing(readEvents(journal, from).events)}`);
      });
      expect(last.code, last.all).toBe(0);

      expect(linesOf(out)).toEqual(EXPECTED);
      const { events, bad } = readEvents(journal);
      expect(bad, 'unreadable journal lines').toEqual([]);
      const finishedPerStep = new Map<string, number>();
      for (const e of events) if (e.kind === 'step.finished') finishedPerStep.set(e.step!, (finishedPerStep.get(e.step!) ?? 0) + 1);
      for (let n = 1; n <= 30; n++) expect(finishedPerStep.get(`s${n}`) ?? 0, `step.finished records of s${n}`).toBeGreaterThanOrEqual(1);
      const duplicates = [...finishedPerStep].filter(([, count]) => count > 1);
      expect(duplicates, 'steps recorded as finished more than once').toEqual([]);
      expect(events.filter((e) => e.kind === 'step.finished').every((e) => e.status === 'done')).toBe(true);
      expect(events.filter((e) => e.kind === 'run.started')).toHaveLength(1);
      expect(events.filter((e) => e.kind === 'run.finished').at(-1)?.status).toBe('done');
    });
  }
});

describe('kill -9 while a long command runs: its process group outlives lifeboat', () => {
  it('resume waits for the group, then verifies, and does not run the command again', { timeout: 120_000 }, async () => {
    const dir = tempDir('long');
    const out = join(dir, 'out.txt');
    const gate = join(dir, 'gate');
    const logs = join(dir, 'logs');
    // Step 3 runs until the test opens the gate: "a long command", without any timing.
    const { file, steps } = writeRunbook(dir, 'long', [[lineStep(1, out), lineStep(2, out), gatedStep(3, out, gate, true), lineStep(4, out), lineStep(5, out)]]);

    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 's3' }, { logs })).toBe(true);
    expect((await finish(run)).signal).toBe('SIGKILL');
    const runId = onlyRun(logs)!;
    const journal = journalFile(logs, runId);
    const spawned = readEvents(journal).events.find((e) => e.kind === 'step.spawned' && e.step === 's3')!;
    const pgid = spawned.pgid as number;
    expect(groupAlive(pgid), 'the command survived the SIGKILL of lifeboat').toBe(true);

    // The first resume waits for the group; kill it too while it waits.
    let from = sizeOf(journal);
    const waitingNote = { event: 'run.note', step: 's3', message: `waiting for process group ${pgid}` };
    const resume1 = start(['resume', '--yes', '--logs', logs], { cwd: dir });
    expect(await signalAt(resume1, waitingNote, { logs, runId, journalFrom: from })).toBe(true);
    expect((await finish(resume1)).signal).toBe('SIGKILL');
    expect(linesOf(out)).toEqual(['line1', 'line2']);

    // The second resume waits too; the command then ends (gate opened) and writes its line.
    from = sizeOf(journal);
    const resume2 = start(['resume', '--yes', '--logs', logs], { cwd: dir });
    expect(await waitFor(resume2, waitingNote, { logs, runId, journalFrom: from })).toBe('fired');
    expect(groupAlive(pgid)).toBe(true);
    writeFileSync(gate, '');
    const done = await finish(resume2);
    expect(done.code, done.all).toBe(0);
    expect(done.stdout).toContain(`process group ${pgid}`);

    expect(linesOf(out)).toEqual(['line1', 'line2', 'line3', 'line4', 'line5']);
    const after = readEvents(journal, from).events;
    expect(
      after.filter((e) => e.kind === 'step.attempt' && e.step === 's3'),
      's3 must not run again',
    ).toEqual([]);
    expect(after.find((e) => e.kind === 'operator.choice' && e.step === 's3')).toMatchObject({ menu: 'still-running', choice: 'wait' });
    expect(after.find((e) => e.kind === 'step.finished' && e.step === 's3')).toMatchObject({ status: 'done', via: 'recovered' });
    expect(after.at(-1)).toMatchObject({ kind: 'run.finished', status: 'done' });
    expect(existsSync(gate)).toBe(true);
  });
});

describe('a dead command left as a zombie', () => {
  // Guards against an earlier fault osProcessTable.alive() treats a process group whose members are all
  // zombies as alive (kill(-pgid, 0) succeeds for a zombie). When lifeboat dies, its command's
  // process is re-parented to init or the nearest child subreaper; if that one does not reap
  // (a container whose PID 1 is not an init, a supervisor acting as subreaper), the finished command
  // stays a zombie and `resume --yes` waits for it forever ("waiting for process group …"), at 5 polls
  // a second. (Here PID 1 reaps lazily, so the wait only lasts until it does.) Input: kill -9 during
  // a command under a subreaper that never reaps, let the command finish, resume --yes. Expected:
  // resume sees the group dead (every member in state Z in /proc/PID/stat), verifies, exit 0.
  // Actual: hangs until killed.
  it('resume does not wait for a process group that is only zombies', { timeout: 60_000 }, async () => {
    const dir = tempDir('zombie');
    const out = join(dir, 'out.txt');
    const gate = join(dir, 'gate');
    const logs = join(dir, 'logs');
    const { file, steps } = writeRunbook(dir, 'zombie', [[gatedStep(1, out, gate, true), lineStep(2, out)]]);
    // A child subreaper that adopts the orphaned command and never reaps it, like a non-init PID 1.
    const reaper = join(dir, 'reaper.py');
    writeFileSync(
      reaper,
      [
        'import ctypes, signal, subprocess, sys',
        'assert ctypes.CDLL(None).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER',
        'p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)',
        'print(p.pid, flush=True)',
        'p.wait()',
        'while True: signal.pause()',
      ].join('\n'),
    );
    const holder = execa('python3', [reaper, process.execPath, BIN, 'run', file, '--yes', '--logs', logs, '--steps', steps], {
      cwd: dir,
      stdin: 'ignore',
      reject: false,
      env: { NO_COLOR: '1' },
    });
    try {
      const lifeboatPid = await new Promise<number>((resolve) => holder.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim().split('\n')[0]))));
      const deadline = Date.now() + 30_000;
      while (!readEvents(journalFile(logs, onlyRun(logs) ?? 'none')).events.some((e) => e.kind === 'step.spawned') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      process.kill(lifeboatPid, 'SIGKILL');
      writeFileSync(gate, '');
      const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir, hangMs: 30_000 });
      expect(resumed.code, resumed.all).toBe(0);
      expect(linesOf(out)).toEqual(['line1', 'line2']);
    } finally {
      // Its death hands the zombie to init, which reaps it.
      holder.kill('SIGKILL');
      await holder;
    }
  });
});
