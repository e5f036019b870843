import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { terminalRuns } from '../helpers/terminal-run.js';

// Steps side by side in a real terminal (tmux, 80x24): each event on a line of its own, named by
// its step, above a live board of what runs now.

const start = terminalRuns('lifeboat-board-');

describe('an unattended run with steps side by side, on a terminal', () => {
  it('shows a board of the running steps and items (position, item, elapsed, last line), gone once the run ends', async () => {
    const { w, tmux, exitFile } = start('side-by-side-board.yaml', { args: ['--yes'], width: 80, height: 24, prefix: 'env -u NO_COLOR TERM=xterm-256color' });

    const screen = await tmux.waitForText(/^ +2\.1 \[102\] .*restoring 102$/m, 20_000);
    const rows = tmux.captureRows();
    const head = rows.findIndex((row) => /side by side · 3 running · 0 done$/.test(row));
    expect(head, screen).toBeGreaterThan(0);
    // The board is last on the screen: one line per running step or item, the oldest first.
    const board = rows.slice(head + 1).filter((row) => row.trim());
    expect(board).toHaveLength(3);
    expect(board[0]).toMatch(/^ {2}1\.1 Copy the VM configs back · \d\d:\d\d · copied part 1$/);
    expect(board.slice(1).sort()).toEqual([
      expect.stringMatching(/^ {2}2\.1 \[101\] Restore the guests · \d\d:\d\d · restoring 101$/),
      expect.stringMatching(/^ {2}2\.1 \[102\] Restore the guests · \d\d:\d\d · restoring 102$/),
    ]);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    // Above it, each event on its own line, named by its step (and item).
    expect(screen).toMatch(/1\.1 +out +copied part 1/);
    expect(screen).toMatch(/2\.1 +out +\[101\] restoring 101/);

    writeFileSync(w.path('gate'), '');
    expect(Number(await tmux.waitForFile(exitFile))).toBe(0);
    const end = tmux.capture();
    expect(end).toMatch(/run +done after/);
    // Nothing runs any more: the board was taken off the screen, not left behind.
    expect(end).not.toMatch(/side by side · \d+ running/);
  });
});
