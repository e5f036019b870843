import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsOf, readOnlyJournal } from '../helpers/run-fixtures.js';
import { terminalRuns } from '../helpers/terminal-run.js';

// Steps side by side in a real terminal (tmux): the step beside a waiting question goes on, and
// only one question is on screen at a time.

const start = terminalRuns('lifeboat-side-');

describe('an interactive run with steps side by side', () => {
  it('one card at a time; the step beside an open card runs, its lines held until the answer, each named by its step', async () => {
    const { w, tmux, exitFile } = start('interactive-side-by-side.yaml');

    // Two cards are due at once: the first is on screen, the second waits its turn.
    let screen = await tmux.waitForText(/^❯ /m, 20_000);
    const questions = screen.match(/^\? [\d.]+ .* — what now\?/gm) ?? [];
    expect(questions).toHaveLength(1);
    // The copy's card comes first (restore order); the shelf's card waits its turn.
    expect(questions[0]).toMatch(/^\? 1\.1 Copy the configs/);
    await tmux.choose('Run');
    // The copy runs while the shelf's card is on screen, and prints nothing under it.
    screen = await tmux.waitForText(/^\? 2\.1 Plug in the disk shelf — what now\?/m, 20_000);
    await waitFor(() => existsSync(w.path('copied.txt')));
    const underCard = tmux.capture().split('— what now?')[1] ?? '';
    expect(underCard).not.toContain('copied part');
    await tmux.choose('Done: check it');
    await tmux.waitForText(/done after|Run done/, 30_000);
    expect(Number(await tmux.waitForFile(exitFile))).toBe(0);
    // What the copy printed while the card was open is shown once it is answered, each line named by its step.
    expect(tmux.capture()).toMatch(/1\.1 +out +copied part 3/);
    const { events } = readOnlyJournal(w.logs);
    expect(
      eventsOf(events, 'step.finished')
        .map((e) => [e.step, e.status])
        .sort(),
    ).toEqual([
      ['plug-shelf', 'done'],
      ['slow-copy', 'done'],
    ]);
  });
});

async function waitFor(test: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
