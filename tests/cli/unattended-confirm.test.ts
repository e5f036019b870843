// `--yes` never gives a typed confirmation by itself: only `--confirm STEP_ID` does.
import { describe, expect, it } from 'vitest';
import { BIN, lifeboat } from '../helpers/cli.js';
import { readOnlyJournal, runArgs, runDirs, workspacesPerTest } from '../helpers/run-fixtures.js';

const ws = workspacesPerTest();
const HINT = `node ${BIN}`;

describe('run --yes and typed confirmations', () => {
  it('stops before a typed step not named with --confirm (exit 1, resumable, flag named), past on_failure: continue', async () => {
    const w = ws();
    const r = await lifeboat(runArgs(w, 'unattended-confirm.yaml', '--yes'), { cwd: w.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(w.read('import.txt')).toBe('import\n');
    expect(w.read('scrub.txt')).toBe('scrub\n');
    expect(w.read('forced.txt')).toBeUndefined();
    expect(w.read('after.txt')).toBeUndefined();
    const [dir] = runDirs(w.logs);
    const runId = dir!.split('/').pop()!;
    expect(r.stdout).toContain(`Continue with: ${HINT} resume ${runId} --logs ${w.logs} --yes --confirm force-import-pool, or ${HINT} resume ${runId} --logs ${w.logs} to confirm it yourself`);
    // The plain confirmation accepted unattended is said on screen and recorded; so is the refusal.
    expect(r.stdout).toMatch(/1\.2 +choice +confirmed: accepted unattended \(--yes\): nobody was asked/);
    const choices = readOnlyJournal(w.logs).events.filter((e) => e.kind === 'operator.choice' && e.menu === 'confirm');
    expect(choices).toEqual([
      expect.objectContaining({ step: 'scrub', choice: 'confirmed', by: 'unattended', reason: 'accepted unattended (--yes): nobody was asked' }),
      expect.objectContaining({ step: 'force-import-pool', choice: 'declined', by: 'unattended' }),
    ]);

    // Resumed unattended with the flag, it goes on from there and finishes.
    const resumed = await lifeboat(['resume', runId, '--logs', w.logs, '--yes', '--confirm', 'force-import-pool'], { cwd: w.dir });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(w.read('forced.txt')).toBe('forced\n');
    expect(w.read('after.txt')).toBe('after\n');
    const given = readOnlyJournal(w.logs)
      .events.filter((e) => e.kind === 'operator.choice' && e.step === 'force-import-pool')
      .at(-1);
    expect(given).toMatchObject({ choice: 'confirmed', by: 'unattended', reason: 'typed confirmation given on the command line (--confirm force-import-pool)' });
  });

  it('runs the typed step when --confirm names it (comma-separated works)', async () => {
    const w = ws();
    const r = await lifeboat(runArgs(w, 'unattended-confirm.yaml', '--yes', '--confirm', 'scrub,force-import-pool'), { cwd: w.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(w.read('forced.txt')).toBe('forced\n');
    expect(w.read('after.txt')).toBe('after\n');
  });

  it('refuses a --confirm id that is no step, or a step that asks nothing (exit 2, nothing run)', async () => {
    const w = ws();
    const typo = await lifeboat(runArgs(w, 'unattended-confirm.yaml', '--yes', '--confirm', 'force-import-pol'), { cwd: w.dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--confirm force-import-pol: no step force-import-pol in unattended-confirm');
    expect(typo.stderr).toContain('did you mean `force-import-pool`?');
    const plain = await lifeboat(runArgs(w, 'unattended-confirm.yaml', '--yes', '--confirm', 'after'), { cwd: w.dir });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('step after asks for no confirmation');
    expect(w.read('import.txt')).toBeUndefined();
  });
});
