// The escape sequences a terminal acts on: CSI (7- and 8-bit), OSC and the string commands (ended
// by BEL or ST), and the short ESC sequences. An OSC left unterminated loses only its ESC ]: the
// rest stays visible, as a terminal would not have hidden it either.
const SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[PX^_][^\u001b]*\u001b\\|\u001b[ -/]*[0-~]/g;
// Any control character but the newline and the tab (C0, DEL, and C1).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** A control character as it is shown: `^[` for ESC, `^M` for a carriage return, `^?` for DEL, `\x9B` for a C1 one. */
function shown(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 ? `^${String.fromCharCode(code + 64)}` : code === 0x7f ? '^?' : `\\x${code.toString(16).toUpperCase()}`;
}

/**
 * Text as a terminal may show it, so that nothing in it can change or hide what Lifeboat shows.
 * `text` (a runbook's words, a reason, a captured value): every control character made visible
 * (`^[[2K^Mls`), nothing removed. `output` (what a command printed): its escape sequences removed
 * (colours, but also clearing the screen, moving the cursor, setting the title or the clipboard),
 * a line redrawn with carriage returns shown as it ended (a progress bar), and any other control
 * character made visible.
 */
export function terminalSafe(value: string, kind: 'text' | 'output' = 'text'): string {
  if (!CONTROL.test(value)) return value;
  if (kind === 'text') return value.replace(CONTROLS, shown);
  return value
    .replace(SEQUENCES, '')
    .split('\n')
    .map((line) => {
      const ended = line.endsWith('\r') ? line.slice(0, -1) : line;
      // A progress line redrawn with \r: what the terminal would have shown last.
      const last = ended.includes('\r') ? ended.slice(ended.lastIndexOf('\r') + 1) : ended;
      return last.replace(CONTROLS, shown);
    })
    .join('\n');
}
