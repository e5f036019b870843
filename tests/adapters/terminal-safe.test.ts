import { describe, expect, it } from 'vitest';
import { terminalSafeScreen } from '../../src/adapters/terminal-safe.js';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { terminalSafe } from '../../src/core/text/terminal-safe.js';

describe("terminalSafe: what a command printed, as the screen shows it ('output')", () => {
  const output = (text: string) => terminalSafe(text, 'output');

  it('leaves plain text (tabs and newlines too) as it is', () => {
    expect(output('restoring 101\n\tdone\n')).toBe('restoring 101\n\tdone\n');
  });

  it('removes escape sequences: colours, clearing the screen, moving the cursor, the title, the clipboard', () => {
    expect(output('\u001b[32mok\u001b[0m')).toBe('ok');
    expect(output('\u001b[2J\u001b[Hfake prompt')).toBe('fake prompt');
    expect(output('\u001b]0;pwned\u0007title')).toBe('title');
    expect(output('\u001b]52;c;cm0gLXJmIC8=\u0007copy')).toBe('copy');
    expect(output('\u001b]0;title ended by ST\u001b\\text')).toBe('text');
    // Text after a sequence is never taken for part of it.
    expect(output('\u001b[0mIMPORTANT\u0007')).toBe('IMPORTANT^G');
    // An OSC never ended hides nothing.
    expect(output('\u001b]0;no end')).toBe('0;no end');
  });

  it('shows a line redrawn with carriage returns as it ended; a CRLF ending is a plain end', () => {
    expect(output('10%\r50%\r100%\n')).toBe('100%\n');
    expect(output('line one\r\nline two\r\n')).toBe('line one\nline two\n');
  });

  it('makes any other control character visible', () => {
    expect(output('bell\u0007 nul\u0000 back\b del\u007f')).toBe('bell^G nul^@ back^H del^?');
    // An 8-bit CSI is a sequence too; another C1 character is shown.
    expect(output('8-bit csi \u009b2J')).toBe('8-bit csi ');
    expect(output('next line\u0085')).toBe('next line\\x85');
  });
});

describe("terminalSafe: a runbook's words, a reason, a value ('text')", () => {
  it('shows every control character and removes nothing: a title cannot erase itself', () => {
    expect(terminalSafe('Clean the scratch dataset \u001b[2K\rls')).toBe('Clean the scratch dataset ^[[2K^Mls');
    expect(terminalSafe('plain\ttext\n')).toBe('plain\ttext\n');
  });
});

describe('a terminal-safe screen', () => {
  it('gets output as output and every other text as text; nested values too', () => {
    const seen: RunEvent[] = [];
    const screen = terminalSafeScreen({ emit: (event: RunEvent) => void seen.push(event) });
    screen.emit({ kind: 'step.output', step: 's', stream: 'stdout', text: '\u001b[2Jhi\u0007\n' });
    screen.emit({ kind: 'step.captured', step: 's', attempt: 1, values: { list: ['\u001b[31mred'] } });
    screen.emit({ kind: 'check.failed', step: 's', set: 'verify', check: 'c', durationMs: 1, reason: 'bad\rworse', output: '\u001b[1mbold\u001b[0m' });
    expect(seen).toEqual([
      { kind: 'step.output', step: 's', stream: 'stdout', text: 'hi^G\n' },
      { kind: 'step.captured', step: 's', attempt: 1, values: { list: ['^[[31mred'] } },
      { kind: 'check.failed', step: 's', set: 'verify', check: 'c', durationMs: 1, reason: 'bad^Mworse', output: 'bold' },
    ]);
  });
});
