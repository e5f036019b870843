import pc from 'picocolors';
import { afterEach, describe, expect, it } from 'vitest';
import { createTtyScreen } from '../../src/adapters/tty-screen.js';
import type { RunEvent } from '../../src/core/model/run-event.js';

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** A terminal of `columns` that keeps what is written to it. */
function terminal(columns = 80) {
  const written: string[] = [];
  const stream = {
    columns,
    write: (text: string) => {
      written.push(text);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => written.join('') };
}

const info = {
  positions: new Map([['boot', '2.3']]),
  titles: new Map([['boot', 'Wait for the router to boot']]),
  hosts: new Map<string, string | undefined>([['boot', undefined]]),
};
const waitAttempt: RunEvent = { kind: 'step.attempt', step: 'boot', attempt: 1, command: 'wait up to 60s', until: ['the router has booted', 'ssh answers'], timeoutMs: 60_000 };

const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('the live line of a wait step', () => {
  it('says which check it waits for and how long is left; a spinner where colour is allowed', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm-256color';
    const t = terminal(120);
    const screen = createTtyScreen(t.stream, pc.createColors(false), info);
    screen.emit(waitAttempt);
    expect(t.text()).toMatch(SPINNER);
    expect(t.text()).toMatch(/2\.3 Wait for the router to boot · waiting for: the router has booted · 1m left · 00:00/);
    // The first check passed: the line names the one still pending, at once.
    screen.emit({ kind: 'wait.pending', step: 'boot', check: 'ssh answers' });
    expect(t.text().split('\r').at(-1)).toMatch(/waiting for: ssh answers · (1m|\d+s) left/);
    screen.close?.();
    // On a small console the title gives way; the pending check and the time left stay.
    const small = terminal(80);
    const narrow = createTtyScreen(small.stream, pc.createColors(false), info);
    narrow.emit(waitAttempt);
    const line = small.text().split('\r\x1b[2K').at(-1)!;
    expect(line.length).toBeLessThan(80);
    expect(line).toMatch(/^. 2\.3 Wait for the rout… · waiting for: the router has booted · 1m left · 00:00$/);
    narrow.close?.();
  });

  it('NO_COLOR draws no spinner: one still line says what it waits for, and each later check its own line', () => {
    process.env.NO_COLOR = '1';
    const t = terminal(120);
    const screen = createTtyScreen(t.stream, pc.createColors(false), info);
    screen.emit(waitAttempt);
    screen.emit({ kind: 'wait.pending', step: 'boot', check: 'the router has booted' });
    screen.emit({ kind: 'wait.pending', step: 'boot', check: 'ssh answers' });
    screen.emit({ kind: 'check.passed', step: 'boot', set: 'wait', check: 'ssh answers', durationMs: 3 });
    screen.emit({ kind: 'step.finished', step: 'boot', position: '2.3', status: 'done', attempts: 1, durationMs: 2400 });
    const text = t.text();
    expect(text).not.toMatch(SPINNER);
    expect(text).not.toContain('\r');
    expect(text).toContain('▸ 2.3 Wait for the router to boot · waiting for: the router has booted · 1m left\n');
    expect(text.match(/waiting for: the router has booted/g)).toHaveLength(1);
    expect(text).toContain('  · waiting for: ssh answers\n');
    expect(text).toMatch(/✔ 2\.3 Wait for the router to boot +2\.4s\n/);
  });
});

describe('the board of a foreach step', () => {
  const fanInfo = { positions: new Map([['fan', '2.1']]), titles: new Map([['fan', 'Restore the guests']]), hosts: new Map<string, string | undefined>([['fan', undefined]]) };
  const items: RunEvent[] = [
    { kind: 'step.items', step: 'fan', attempt: 1, keys: ['101', '102', '103', '104'], pending: 3 },
    { kind: 'step.attempt', step: 'fan', item: '101', attempt: 1, command: 'qmrestore 101' },
    { kind: 'step.attempt', step: 'fan', item: '102', attempt: 1, command: 'qmrestore 102' },
    { kind: 'step.output', step: 'fan', item: '102', stream: 'stdout', text: 'progress 40%\nprogress 55%\n' },
  ];

  it('shows one line per running item with its last output, and folds the finished into counts', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm-256color';
    const t = terminal(80);
    const screen = createTtyScreen(t.stream, pc.createColors(false) as never, fanInfo);
    for (const e of items) screen.emit(e);
    const board = t.text().split('\x1b[J').at(-1)!;
    expect(board).toMatch(/2\.1 Restore the guests · \d+:\d\d · 1\/4 done · 2 running/);
    expect(board).toMatch(/\[101\] \d+:\d\d\n/);
    expect(board).toMatch(/\[102\] \d+:\d\d · progress 55%/);
    expect(t.text()).not.toContain('progress 40%\n  ');
    screen.emit({ kind: 'item.finished', step: 'fan', item: '101', status: 'done', attempt: 1, durationMs: 1200 });
    screen.emit({ kind: 'item.finished', step: 'fan', item: '102', status: 'failed', attempt: 1, durationMs: 900, reason: 'exited 1 after 0.9s' });
    const after = t.text();
    expect(after).toContain('[101] 1.2s');
    expect(after).toMatch(/✖ \[102\] 900ms exited 1 after 0\.9s/);
    expect(after.split('\x1b[J').at(-1)).toMatch(/2\/4 done · 1 failed · 0 running/);
    screen.emit({ kind: 'step.finished', step: 'fan', position: '2.1', status: 'failed', attempts: 1, durationMs: 2000 });
    expect(t.text().split('\n').at(-2)).toMatch(/2\.1 +Restore the guests/);
  });
});
