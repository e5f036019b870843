import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { eventsOf, eventually, processRuns, readOnlyJournal, runArgs, type Workspace, workspace } from '../helpers/run-fixtures.js';
import { requireTmux, sh, TmuxSession } from '../helpers/tmux.js';

/**
 * `lifeboat run` in a real terminal: tmux runs it, the test reads the screen and presses keys
 * as a person would. The exit code is written to a file by the shell around lifeboat.
 */

let session: TmuxSession | undefined;
let space: Workspace | undefined;

afterEach(() => {
  session?.kill();
  session = undefined;
  space?.cleanup();
  space = undefined;
});

/** Starts `lifeboat run FIXTURE` interactively in a fresh workspace; `exit` waits for its exit code. */
function start(fixture: string): { w: Workspace; tmux: TmuxSession; exit: () => Promise<number> } {
  // Without tmux each test fails, saying how to get it: never a silent skip.
  requireTmux();
  const w = workspace('lifeboat-interactive-');
  space = w;
  const exitFile = w.path('exit-code');
  const command = `cd ${sh(w.dir)} && ${['node', BIN, ...runArgs(w, fixture)].map(sh).join(' ')}; echo $? > ${sh(exitFile)}`;
  const tmux = TmuxSession.start(command, { width: 120, height: 40 });
  session = tmux;
  return { w, tmux, exit: async () => Number(await tmux.waitForFile(exitFile)) };
}

describe('lifeboat run in a terminal', () => {
  it('shows the step card, runs on Enter, shows the failing check; Retry after fixing it passes and the run is done (exit 0)', async () => {
    const { w, tmux, exit } = start('interactive-retry.yaml');

    // The step card: where the run is, the title, the command, the verify check, the menu on Run.
    // The question names the step it asks about.
    let screen = await tmux.waitForText('? 1.1 Import the pool — what now?');
    expect(screen).toContain('Phase 1/1 Storage ▸ step 1.1 of 2');
    expect(screen).toContain('Import the pool');
    expect(screen).toContain('The verify check fails until the marker exists.');
    expect(screen).toContain('$ echo "importing tank"; echo import >> order.txt');
    expect(screen).toMatch(/verify +ls marker/);
    expect(tmux.highlighted()).toBe('Run');
    // The run's header is on the step card only, not printed a second time when the run starts.
    expect(screen.match(/Lifeboat · interactive-retry · run \d{8}T\d{6}\.\d{3}Z-/g)).toHaveLength(1);
    expect(screen).toMatch(/^Lifeboat · interactive-retry · run \S+\nPhase 1\/1 Storage ▸ step 1\.1 of 2/m);
    // The highlighted entry's description: a step with checks runs them after its command.
    expect(screen).toMatch(/^run the command, then its checks$/m);
    tmux.press('Enter');

    // It runs, its check fails: the failure card names the check and shows its output, the menu offers Retry first.
    screen = await tmux.waitForText('failed: check failed: ls marker');
    screen = await tmux.waitForText(/^❯ Retry/m);
    expect(screen).toContain('│ importing tank');
    expect(screen).toContain('✖ 1.1 Import the pool failed: check failed: ls marker: exited 2');
    expect(screen).toContain('last output:');
    expect(screen).toMatch(/ls: cannot access '?marker'?: No such file or directory/);
    const menu = screen.slice(screen.lastIndexOf('? 1.1 Import the pool — what now?'));
    expect(
      menu
        .split('\n')
        .slice(1, 7)
        .map((l) => l.replace(/^[❯ ] /, '').trim()),
    ).toEqual(['Retry', 'Open a shell', 'Mark done', 'Skip…', 'Show details', 'Abort']);

    // The operator fixes it by hand, then retries.
    writeFileSync(w.path('marker'), '');
    await tmux.choose('Retry');
    screen = await tmux.waitForText('Serve the shares', 20_000, screen.length - 200);
    expect(screen).toContain('try 2: $ echo "importing tank"');
    expect(screen).toContain('✔ ls marker');
    expect(screen).toMatch(/✔ 1\.1 Import the pool/);
    await tmux.waitForText(/^❯ Run/m, 20_000, screen.lastIndexOf('Serve the shares'));
    await tmux.choose('Run');

    screen = await tmux.waitForText('Run done');
    expect(screen).toMatch(/Run done after .*: 2 done, 0 skipped, 0 failed, 0 not reached/);
    expect(await exit()).toBe(0);
    expect(w.read('order.txt')).toBe('import\nimport\nshare\n');

    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'run.started')[0]).toMatchObject({ mode: 'interactive' });
    expect(eventsOf(events, 'operator.choice').map((e) => [e.step, e.menu, e.choice, e.by])).toEqual([
      ['import-pool', 'before', 'run', 'operator'],
      ['import-pool', 'failure', 'retry', 'operator'],
      ['share', 'before', 'run', 'operator'],
    ]);
    expect(eventsOf(events, 'step.finished', 'import-pool')[0]).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('Skip… asks why (a reason is required) and records the typed reason; the run goes on (exit 0)', async () => {
    const { w, tmux, exit } = start('interactive-fail.yaml');
    let screen = await tmux.waitForText(/^❯ Run/m);
    expect(screen).toContain('Resilver the new disk');
    // A step without checks says its exit code decides.
    expect(screen).toMatch(/^run the command \(it has no checks: its exit code decides\)$/m);
    expect(tmux.menuEntries()).toEqual(['Run', 'Skip…', 'Show details', 'Open a shell', 'Abort']);
    await tmux.choose('Run');

    // The command fails: its exit and last output are on the failure card. The command has 3
    // lines (a YAML block), so the summary counts them instead of quoting the first.
    screen = await tmux.waitForText(/^❯ Retry/m);
    expect(screen).toMatch(/^✖ 1\.1 Resilver the new disk failed: its 3-line command exited 4 after (\d+ms|\d+\.\ds)$/m);
    expect(screen).toContain('last output:');
    expect(screen).toMatch(/^ {4}looking for the new disk\n {4}disk \/dev\/sdz is missing$/m);
    const failureMenu = ['Retry', 'Open a shell', 'Mark done', 'Skip…', 'Show details', 'Abort'];
    expect(tmux.menuEntries()).toEqual(failureMenu);

    // Show details prints the step, then the same menu comes back, in the same order, the cursor still on Show details.
    await tmux.choose('Show details');
    screen = await tmux.waitForText(/^ {2}id {10}replace-disk$[\s\S]*^\? 1\.1 Resilver the new disk — what now\?[\s\S]*^❯ /m);
    expect(screen).toMatch(/^ {2}kind {8}run$/m);
    expect(tmux.menuEntries()).toEqual(failureMenu);
    expect(tmux.highlighted()).toBe('Show details');

    await tmux.choose('Skip…');
    screen = await tmux.waitForText('Why skip this step? (recorded in the run log)');
    // An empty reason is refused.
    tmux.press('Enter');
    await tmux.waitForText('a short reason, please');
    tmux.type('resilvered by hand from the console');
    tmux.press('Enter');

    screen = await tmux.waitForText('Serve the shares');
    // The reason is said once, under the step's skipped line.
    expect(screen).toMatch(/^↷ 1\.1 Resilver the new disk +skipped\n {4}why: resilvered by hand from the console$/m);
    expect(screen.match(/resilvered by hand from the console/g)).toHaveLength(1);
    await tmux.waitForText(/^❯ Run/m, 20_000, screen.lastIndexOf('Serve the shares'));
    await tmux.choose('Run');
    screen = await tmux.waitForText('Run done');
    expect(screen).toMatch(/Run done after .*: 1 done, 1 skipped, 0 failed, 0 not reached/);
    expect(await exit()).toBe(0);
    expect(w.read('order.txt')).toBe('share\n');

    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'operator.choice', 'replace-disk').at(-1)).toMatchObject({ menu: 'failure', choice: 'skip', reason: 'resilvered by hand from the console', by: 'operator' });
    expect(eventsOf(events, 'step.finished', 'replace-disk')[0]).toMatchObject({ status: 'skipped', reason: 'resilvered by hand from the console' });
  });

  // Guards against an earlier fault: the card split a multi-line command (a YAML `|` block, which
  // ends in a newline) without trimming it, leaving a line of four spaces under its last line.
  // Input: interactive-fail.yaml, step replace-disk (3 lines and a final newline).
  it('the step card shows a multi-line command without a trailing blank line', async () => {
    const { tmux } = start('interactive-fail.yaml');
    const screen = await tmux.waitForText(/^❯ Run/m);
    expect(screen).toMatch(/^ {4}exit 4\n {2}no verify checks: success is the exit code alone$/m);
  });

  it('Abort stops the run: exit 1, later steps not run, the resume command is printed', async () => {
    const { w, tmux, exit } = start('interactive-fail.yaml');
    await tmux.waitForText('Resilver the new disk');
    await tmux.choose('Run');
    await tmux.waitForText(/^❯ Retry/m);
    await tmux.choose('Abort');
    // The reason is optional: Enter gives none.
    await tmux.waitForText('Why abort? (optional, recorded in the run log; Enter for none)');
    tmux.press('Enter');

    const screen = await tmux.waitForText(`Continue with: node ${BIN} resume`);
    expect(await exit()).toBe(1);
    const { runId, events } = readOnlyJournal(w.logs);
    expect(screen).toMatch(/Run aborted after .*: 0 done, 0 skipped, 1 failed, 1 not reached/);
    expect(screen).toContain(`Stopped at 1.1 Resilver the new disk: stopped by the operator. Continue with: node ${BIN} resume ${runId}`);
    expect(w.read('order.txt')).toBeUndefined();
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'aborted', stoppedAt: 'replace-disk' });
    expect(eventsOf(events, 'operator.choice').at(-1)).toMatchObject({ menu: 'failure', choice: 'abort', by: 'operator' });
  });

  it('Ctrl-C at a menu interrupts the run (exit 3) and says how to resume', async () => {
    const { w, tmux, exit } = start('interactive-fail.yaml');
    await tmux.waitForText('Resilver the new disk');
    await tmux.waitForText(/^❯ Run/m);
    tmux.press('C-c');
    const screen = await tmux.waitForText(`Continue with: node ${BIN} resume`);
    expect(await exit()).toBe(3);
    const { runId, events } = readOnlyJournal(w.logs);
    expect(screen).toContain(`Interrupted at 1.1 Resilver the new disk. Continue with: node ${BIN} resume ${runId}`);
    // The menu cut short is cleared, not left half-answered on screen; the step card stays.
    expect(screen).not.toMatch(/^❯ /m);
    expect(screen).not.toContain('Open a shell');
    expect(screen).toContain('Resilver the new disk');
    expect(eventsOf(events, 'step.attempt')).toEqual([]);
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'interrupted', stoppedAt: 'replace-disk' });
  });

  it('Ctrl-C while a command runs stops its whole process tree (exit 3)', async () => {
    const { w, tmux, exit } = start('interrupt.yaml');
    await tmux.waitForText('A long copy');
    await tmux.choose('Run');
    await eventually(() => w.read('started.flag') !== undefined, 'the command to start');
    tmux.press('C-c');
    await tmux.waitForText(`Continue with: node ${BIN} resume`);
    expect(await exit()).toBe(3);
    const pids = w.read('pids')!.trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    await eventually(() => pids.every((pid) => !processRuns(pid)), `pids ${pids.join(', ')} to be gone`, 10_000);
    expect(w.read('after.txt')).toBeUndefined();
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'interrupted', stoppedAt: 'long' });
  });

  it('a typed confirmation refuses a wrong word and runs only once the word is typed exactly', async () => {
    const { w, tmux, exit } = start('interactive-confirm.yaml');
    let screen = await tmux.waitForText('— what now?');
    expect(screen).toContain('! dangerous: asks you to confirm (type "scratch") before it runs');
    await tmux.choose('Run');
    await tmux.waitForText('This erases everything on the scratch disk.');
    await tmux.waitForText('Type scratch to run it (empty to go back):');
    tmux.type('scrach');
    tmux.press('Enter');
    await tmux.waitForText('type exactly scratch, or leave it empty to go back');
    expect(w.read('order.txt')).toBeUndefined();
    tmux.press(...Array.from({ length: 6 }, () => 'BSpace'));
    tmux.type('scratch');
    tmux.press('Enter');
    screen = await tmux.waitForText('Run done');
    expect(await exit()).toBe(0);
    expect(w.read('order.txt')).toBe('wiped\n');
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'operator.choice').map((e) => [e.menu, e.choice])).toEqual([
      ['before', 'run'],
      ['confirm', 'confirmed'],
    ]);
  });
});
