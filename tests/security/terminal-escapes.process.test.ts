// A command's output cannot drive the operator's terminal: what Lifeboat shows has no escape
// sequence or control character from it, while the journal keeps the output as it was.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { eventsOf, readOnlyJournal, type Workspace, workspace } from '../helpers/run-fixtures.js';

let w: Workspace | undefined;
afterEach(() => {
  w?.cleanup();
  w = undefined;
});

describe('escape sequences in output', () => {
  it('are removed from the screen (clear, title, clipboard, cursor), a bell shown as ^G, a redrawn line as it ended; the journal keeps them', async () => {
    w = workspace('lifeboat-esc-');
    const output = String.raw`\033[2J\033[H\033]0;pwned\007\033]52;c;cm0gLXJmIC8=\007visible\r\nprogress 10%%\rprogress 100%%\nbell\007\n\033[1A\033[2Kerased?\n`;
    writeFileSync(w.path('esc.yaml'), `format: 1\nname: esc\nphases:\n  - id: p\n    steps:\n      - id: noisy\n        title: A noisy command\n        run: printf '${output}'\n`);
    const r = await lifeboat(['run', w.path('esc.yaml'), '--yes', '--logs', w.logs], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const shown = r.stdout
      .split('\n')
      .filter((line) => / out +/.test(line))
      .map((line) => line.replace(/^.* out +/, ''));
    expect(shown).toEqual(['visible', 'progress 100%', 'bell^G', 'erased?']);
    const journal = eventsOf(readOnlyJournal(w.logs).events, 'step.output', 'noisy')
      .map((e) => e.text)
      .join('');
    expect(journal).toContain('\u001b]52;c;cm0gLXJmIC8=\u0007');
    expect(journal).toContain('progress 10%\rprogress 100%');
    // Read back, it is shown the same way.
    const review = await lifeboat(['logs', 'show', 'last', '--logs', w.logs, '--output'], { cwd: w.dir });
    expect(review.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(review.stdout).toMatch(/│ bell\^G$/m);
  });

  it("a runbook's words holding control characters are shown with each one visible, in the plan and on the run's screen", async () => {
    w = workspace('lifeboat-esc-');
    // On a terminal, this title would erase its own line and show only "ls".
    writeFileSync(w.path('hide.yaml'), `format: 1\nname: hide\nphases:\n  - id: p\n    steps:\n      - id: wipe\n        title: "Clean the scratch dataset \\e[2K\\rls"\n        run: "true"\n`);
    const plan = await lifeboat(['plan', w.path('hide.yaml')], { cwd: w.dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Clean the scratch dataset ^[[2K^Mls');
    expect(plan.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const run = await lifeboat(['run', w.path('hide.yaml'), '--yes', '--logs', w.logs], { cwd: w.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Clean the scratch dataset ^[[2K^Mls');
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
