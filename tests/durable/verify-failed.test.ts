// A step whose command exited 0 but whose verify check failed, stopping an unattended run: the
// resume reads it as failed (as the snapshot says), not as a step interrupted mid-command.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { readOnlyJournal, type Workspace, workspace } from '../helpers/run-fixtures.js';

let w: Workspace | undefined;
afterEach(() => {
  w?.cleanup();
  w = undefined;
});

describe('a run stopped by a failed verify check', () => {
  it('resumes with no doubt about its record: the step is retried, not "checked before going on"', async () => {
    w = workspace('lifeboat-verify-');
    const marks = w.path('marks');
    writeFileSync(
      w.path('rb.yaml'),
      `format: 1\nname: verify-stop\nphases:\n  - id: p\n    steps:\n      - id: a\n        run: echo a >> ${marks}\n      - id: b\n        run: echo b >> ${marks}\n        verify:\n          - path: ${w.path('ok')}\n      - id: c\n        run: echo c >> ${marks}\n`,
    );
    const first = await lifeboat(['run', w.path('rb.yaml'), '--yes', '--logs', w.logs], { cwd: w.dir });
    expect(first.code, first.stderr).toBe(1);
    const { runId } = readOnlyJournal(w.logs);
    appendFileSync(w.path('ok'), '');
    const resumed = await lifeboat(['resume', runId, '--yes', '--logs', w.logs], { cwd: w.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).not.toContain('the journal does not');
    expect(resumed.stdout).not.toContain('was running when the run stopped');
    expect(resumed.stdout).toMatch(/try 2 +echo b/);
    expect(existsSync(marks) ? readFileSync(marks, 'utf8').trim().split('\n') : []).toEqual(['a', 'b', 'b', 'c']);
  });
});
