import { describe, expect, it } from 'vitest';
import { terminalSafeScreen } from '../../src/adapters/terminal-safe.js';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { terminalSafe } from '../../src/core/text/terminal-safe.js';

describe('terminalSafe: text from outside as the screen shows it', () => {
  it('leaves plain text (tabs and newlines too) as it is', () => {
    expect(terminalSafe('restoring 101\n\tdone\n')).toBe('restoring 101\n\tdone\n');
  });

  it('removes escape sequences: colours, clearing the screen, moving the cursor, the title, the clipboard', () => {
    expect(terminalSafe('\u001b[32mok\u001b[0m')).toBe('ok');
    expect(terminalSafe('\u001b[2J\u001b[Hfake prompt')).toBe('fake prompt');
    expect(terminalSafe('\u001b]0;pwned\u0007title')).toBe('title');
    expect(terminalSafe('\u001b]52;c;cm0gLXJmIC8=\u0007copy')).toBe('copy');
    expect(terminalSafe('\u001b]0;title ended by ST\u001b\\text')).toBe('text');
    // Text after a sequence is never taken for part of it.
    expect(terminalSafe('\u001b[0mIMPORTANT\u0007')).toBe('IMPORTANT^G');
    // An OSC never ended hides nothing.
    expect(terminalSafe('\u001b]0;no end')).toBe('0;no end');
  });

  it('shows a line redrawn with carriage returns as it ended; a CRLF ending is a plain end', () => {
    expect(terminalSafe('10%\r50%\r100%\n')).toBe('100%\n');
    expect(terminalSafe('line one\r\nline two\r\n')).toBe('line one\nline two\n');
    // What a carriage return would hide is never shown over Lifeboat's own text: only the last state.
    expect(terminalSafe('rm -rf / done\rall good   ')).toBe('all good   ');
  });

  it('makes any other control character visible', () => {
    expect(terminalSafe('bell\u0007 nul\u0000 back\b del\u007f')).toBe('bell^G nul^@ back^H del^?');
    // An 8-bit CSI is a sequence too; another C1 character is shown.
    expect(terminalSafe('8-bit csi \u009b2J')).toBe('8-bit csi ');
    expect(terminalSafe('next line\u0085')).toBe('next line\\x85');
  });

  it('a screen gets every text of an event terminal-safe, nested ones too', () => {
    const seen: RunEvent[] = [];
    const screen = terminalSafeScreen({ emit: (event: RunEvent) => void seen.push(event) });
    screen.emit({ kind: 'step.output', step: 's', stream: 'stdout', text: '\u001b[2Jhi\u0007\n' });
    screen.emit({ kind: 'step.captured', step: 's', attempt: 1, values: { list: ['\u001b[31mred'] } });
    expect(seen).toEqual([
      { kind: 'step.output', step: 's', stream: 'stdout', text: 'hi^G\n' },
      { kind: 'step.captured', step: 's', attempt: 1, values: { list: ['red'] } },
    ]);
  });
});
