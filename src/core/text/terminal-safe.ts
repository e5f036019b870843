// The escape sequences a terminal acts on: CSI (7- and 8-bit), OSC and the string commands (ended
// by BEL or ST), and the short ESC sequences. An OSC left unterminated loses only its ESC ]: the
// rest stays visible, as a terminal would not have hidden it either.
const SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[PX^_][^\u001b]*\u001b\\|\u001b[ -/]*[0-~]/g;
// Any control character but the newline and the tab (C0, DEL, and C1).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from outside (a command's output, a host's error, a runbook's title) as a terminal may
 * show it: its escape sequences removed (colours, but also ones that clear the screen, move the
 * cursor, set the title or write the clipboard), a line redrawn with carriage returns shown as it
 * ended, and any other control character made visible (`^G`), so that nothing it prints can
 * change or hide what Lifeboat shows.
 */
export function terminalSafe(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text
    .replace(SEQUENCES, '')
    .split('\n')
    .map((line) => {
      const ended = line.endsWith('\r') ? line.slice(0, -1) : line;
      // A progress line redrawn with \r: what the terminal would have shown last.
      const shown = ended.includes('\r') ? ended.slice(ended.lastIndexOf('\r') + 1) : ended;
      return shown.replace(CONTROLS, (c) => {
        const code = c.charCodeAt(0);
        return code < 0x20 ? `^${String.fromCharCode(code + 64)}` : code === 0x7f ? '^?' : `\\x${code.toString(16).toUpperCase()}`;
      });
    })
    .join('\n');
}
