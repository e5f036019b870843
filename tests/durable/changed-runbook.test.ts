// A runbook edited between a stopped run and its resume: `resume --yes` refuses (exit 2) and lists
// what was added, removed and edited, by step id; with --accept-changes it goes on, matching steps by
// id: added steps run, removed ones are ignored, finished ones are not run again (edited or not).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, finish, journalFile, lifeboat, linesOf, onlyRun, readEvents, runbookYaml, type StepSpec, sh, signalAt, sizeOf, start, tempDir, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

const step = (id: string, out: string, text = id): StepSpec => ({ id, run: `echo ${text} >> ${sh(out)}`, verify: [`grep -qx ${text} ${sh(out)}`] });

describe('resuming after the runbook changed', () => {
  it('stopped by a failing step: refused with the changes listed, then --accept-changes completes', { timeout: 120_000 }, async () => {
    const dir = tempDir('changed');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    const flag = join(dir, 'flag');
    const s3: StepSpec = { id: 's3', run: `test -e ${sh(flag)} && echo s3 >> ${sh(out)}` };
    const { file, steps } = writeRunbook(dir, 'changing', [[step('s1', out), step('s2', out), s3, step('s4', out), step('s5', out)]]);

    const first = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(first.code, first.all).toBe(1);
    expect(linesOf(out)).toEqual(['s1', 's2']);
    const runId = onlyRun(logs)!;
    const journal = journalFile(logs, runId);

    // Edit: s1 (finished) gets a new command, s2b is inserted, s3 (where it stopped) is fixed,
    // s5 (not run yet) is removed, s6 is added at the end.
    writeFileSync(file, runbookYaml('changing', [[step('s1', out, 's1-edited'), step('s2', out), step('s2b', out), step('s3', out, 's3-fixed'), step('s4', out), step('s6', out)]]));

    const before = sizeOf(journal);
    const refused = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
    expect(refused.code, refused.all).toBe(2);
    expect(refused.stderr).toContain(`the runbook changed since run ${runId} started`);
    expect(refused.stderr).toContain('added: s2b, s6');
    expect(refused.stderr).toContain('removed: s5');
    expect(refused.stderr).toContain('edited: s1, s3');
    expect(refused.stderr).toContain('--accept-changes');
    expect(sizeOf(journal), 'a refused resume records nothing').toBe(before);
    expect(linesOf(out)).toEqual(['s1', 's2']);

    const accepted = await lifeboat(['resume', '--yes', '--accept-changes', '--logs', logs], { cwd: dir });
    expect(accepted.code, accepted.all).toBe(0);
    expect(accepted.stdout).toContain('The runbook changed; going on with steps matched by id (added: s2b, s6; removed: s5; edited: s1, s3)');
    // s1 is not run again (its edited line is absent), s2b and s6 run, s5 does not.
    expect(linesOf(out)).toEqual(['s1', 's2', 's2b', 's3-fixed', 's4', 's6']);

    const after = readEvents(journal, before).events;
    expect(after.find((e) => e.kind === 'run.resumed')?.acceptedChanges).toEqual({ added: ['s2b', 's6'], removed: ['s5'], edited: ['s1', 's3'] });
    expect(after.filter((e) => e.kind === 'step.attempt').map((e) => e.step)).toEqual(['s2b', 's3', 's4', 's6']);
    expect(after.at(-1)).toMatchObject({ kind: 'run.finished', status: 'done' });
  });

  it('interrupted by SIGINT, then an edited command and a removed step: same refusal, then completes', { timeout: 120_000 }, async () => {
    const dir = tempDir('changed-int');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    const slow = (id: string): StepSpec => ({ id, run: `sleep 0.2; echo ${id} >> ${sh(out)}`, idempotent: true, verify: [`grep -qx ${id} ${sh(out)}`] });
    const { file, steps } = writeRunbook(dir, 'changing', [[slow('a1'), slow('a2'), slow('a3'), slow('a4')]]);
    const run = start(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir });
    expect(await signalAt(run, { event: 'step.spawned', step: 'a2' }, { logs }, 'SIGINT')).toBe(true);
    expect((await finish(run)).code).toBe(3);
    const runId = onlyRun(logs)!;

    // a4's command is edited, a3 removed, a5 added.
    writeFileSync(file, runbookYaml('changing', [[slow('a1'), slow('a2'), { ...slow('a4'), run: `echo a4 >> ${sh(out)}` }, slow('a5')]]));
    const refused = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(refused.code, refused.all).toBe(2);
    expect(refused.stderr).toContain('added: a5; removed: a3; edited: a4');

    const accepted = await lifeboat(['resume', runId, '--yes', '--accept-changes', '--logs', logs], { cwd: dir });
    expect(accepted.code, accepted.all).toBe(0);
    expect(linesOf(out)).toEqual(['a1', 'a2', 'a4', 'a5']);
  });

  it('a change that leaves every step as it was (a comment) needs no --accept-changes', { timeout: 60_000 }, async () => {
    const dir = tempDir('changed-comment');
    const out = join(dir, 'out.txt');
    const logs = join(dir, 'logs');
    const flag = join(dir, 'flag');
    const phases = [[step('c1', out), { id: 'c2', run: `test -e ${sh(flag)} && echo c2 >> ${sh(out)}` }]];
    const { file, steps } = writeRunbook(dir, 'comment', phases);
    expect((await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir })).code).toBe(1);
    writeFileSync(file, `# a comment that changes the file's hash, not its steps\n${runbookYaml('comment', phases)}`);
    writeFileSync(flag, '');
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir });
    expect(resumed.code, resumed.all).toBe(0);
    expect(linesOf(out)).toEqual(['c1', 'c2']);
  });
});
