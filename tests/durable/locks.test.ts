// One run per runbook at a time: a second `run` (or `resume`) of a runbook whose lock a live run
// holds exits 4 and names the holder; the lock of a run killed with -9 is taken over, with a warning.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, finish, gatedStep, journalFile, killGroup, lifeboat, lineStep, linesOf, readEvents, runIds, start, tempDir, waitFor, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

/** A runbook whose first step waits for `gate`: a run of it holds the lock as long as the test wants. */
function gatedRunbook(dir: string) {
  const out = join(dir, 'out.txt');
  const gate = join(dir, 'gate');
  const logs = join(dir, 'logs');
  const { file, steps } = writeRunbook(dir, 'locked', [[gatedStep(1, out, gate, true), lineStep(2, out)]]);
  return { out, gate, logs, file, steps, args: ['run', file, '--yes', '--logs', logs, '--steps', steps] };
}

describe('the run lock', () => {
  it('a second run of the same runbook exits 4 and names the holder; after kill -9 of the holder a new run takes the lock over', { timeout: 120_000 }, async () => {
    const dir = tempDir('lock');
    const { out, gate, logs, args } = gatedRunbook(dir);

    const first = start(args, { cwd: dir });
    expect(await waitFor(first, { event: 'step.spawned', step: 's1' }, { logs })).toBe('fired');
    const [holderRun] = runIds(logs);
    expect(holderRun).toBeDefined();

    // The lock file while held: a regular file (0600) naming who holds it.
    expect(statSync(join(logs, 'locked.lock')).isFile()).toBe(true);
    expect(statSync(join(logs, 'locked.lock')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(logs, 'locked.lock'), 'utf8'))).toMatchObject({ pid: first.pid, hostname: hostname(), runId: holderRun });

    const second = await lifeboat(args, { cwd: dir });
    expect(second.code, second.all).toBe(4);
    expect(second.stderr).toContain(`run ${holderRun}`);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr).toContain(`on ${hostname()}`);
    expect(runIds(logs), 'the refused run records nothing').toEqual([holderRun]);
    // The live holder is the first thing said, and nothing claims a new run or an unfinished one.
    expect(second.all.trimStart()).toMatch(/^✖ another run holds the lock of locked/);
    expect(second.all).not.toContain('did not finish');
    expect(second.all).not.toContain('this is a new run');

    // The same for a resume of the holder's own run while it is alive.
    const resumeWhileHeld = await lifeboat(['resume', holderRun!, '--yes', '--logs', logs], { cwd: dir });
    expect(resumeWhileHeld.code, resumeWhileHeld.all).toBe(4);
    expect(resumeWhileHeld.stderr).toContain(`pid ${first.pid}`);

    // kill -9 the holder, and its command (nothing of it is left).
    const pgid = readEvents(journalFile(logs, holderRun!)).events.find((e) => e.kind === 'step.spawned')!.pgid as number;
    process.kill(first.pid!, 'SIGKILL');
    expect((await finish(first)).signal).toBe('SIGKILL');
    await killGroup(pgid);
    expect(existsSync(join(logs, 'locked.lock')), 'the dead run left its lock').toBe(true);

    writeFileSync(gate, '');
    const third = await lifeboat(args, { cwd: dir });
    expect(third.code, third.all).toBe(0);
    const takeover = `taking over the lock of locked from run ${holderRun} (pid ${first.pid} is no longer running)`;
    expect(third.stdout).toContain(takeover);
    const thirdRun = runIds(logs).find((id) => id !== holderRun)!;
    expect(readEvents(journalFile(logs, thirdRun)).events.find((e) => e.kind === 'run.note' && e.level === 'warn')?.message).toBe(takeover);
    expect(linesOf(out)).toEqual(['line1', 'line2']);

    // Released at the end: no lock, no holder file.
    expect(readdirSync(logs).filter((name) => name.startsWith('locked.lock'))).toEqual([]);
  });

  it('two runs started together: exactly one gets the lock, the other exits 4', { timeout: 120_000 }, async () => {
    const dir = tempDir('lock-race');
    const { gate, logs, args } = gatedRunbook(dir);
    const a = start(args, { cwd: dir });
    const b = start(args, { cwd: dir });
    // Whichever lost exits by itself; then let the winner finish.
    const first = await Promise.race([a.then(() => 'a' as const), b.then(() => 'b' as const)]);
    const [loser, other] = first === 'a' ? [a, b] : [b, a];
    const lost = await finish(loser);
    expect(lost.code, lost.all).toBe(4);
    expect(lost.stderr).toMatch(/another run holds the lock of locked: run \S+, pid \d+ on \S+, since /);
    writeFileSync(gate, '');
    const winner = await finish(other);
    expect(winner.code, winner.all).toBe(0);
    expect(runIds(logs)).toHaveLength(1);
  });
});
