import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsOf, readOnlyJournal } from '../helpers/run-fixtures.js';
import { terminalRuns } from '../helpers/terminal-run.js';

// An interactive fan-out in a real terminal (tmux): a question, the board of running items, one
// failing item whose menu names it, and a retry that runs that item only.

const start = terminalRuns('lifeboat-fanout-');

describe('an interactive fan-out', () => {
  it('asks, shows the board, names the failed item in one menu, and a retry runs that item only', async () => {
    const { w, tmux, exitFile } = start('interactive-fanout.yaml');

    // The question is the step's card: its choices, then the answer.
    let screen = await tmux.waitForText('Which node survived?');
    await tmux.waitForText(/❯ pve1/m);
    await tmux.choose('pve2');
    // The fan-out step's own card, then its board: running items, each on a line.
    await tmux.waitForText(/^❯ Run/m, 20_000, screen.length);
    await tmux.choose('Run');
    screen = await tmux.waitForText(/Start the guests · \d+:\d\d · 0\/4 done · 2 running/, 20_000);
    expect(screen).toMatch(/^ +\[101\] \d+:\d\d/m);
    expect(screen).toMatch(/^ +\[102\] \d+:\d\d/m);
    expect(screen).toContain('on {{ steps.pick-node.answer }}'.replace('{{ steps.pick-node.answer }}', 'pve2'));

    // One item fails: once the others end, one menu names it.
    screen = await tmux.waitForText(/^❯ Retry the failed items/m, 30_000);
    expect(screen).toMatch(/1 of 4 items failed: 103 \(exited 1/);
    expect(screen.match(/— what now\?/g)?.length).toBeGreaterThanOrEqual(1);
    writeFileSync(w.path('fixed'), '');
    await tmux.choose('Retry the failed items');
    await tmux.waitForText('Run done', 30_000);
    expect(Number(await tmux.waitForFile(exitFile))).toBe(0);
    expect((w.read('started.txt') ?? '').trim().split('\n').sort()).toEqual(['101', '102', '103', '104']);

    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.captured')[0]).toMatchObject({ step: 'pick-node', values: { answer: 'pve2' }, by: 'operator' });
    const attempts = eventsOf(events, 'step.attempt')
      .filter((e) => e.step === 'start-guests')
      .map((e) => e.item);
    expect(attempts.sort()).toEqual(['101', '102', '103', '103', '104']);
    expect(eventsOf(events, 'step.items').map((e) => e.pending)).toEqual([4, 1]);
    expect(eventsOf(events, 'operator.choice').map((e) => [e.step, e.menu, e.choice])).toEqual([
      ['start-guests', 'before', 'run'],
      ['start-guests', 'failure', 'retry'],
    ]);
  });
});
