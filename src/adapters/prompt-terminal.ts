import { openSync } from 'node:fs';
import { WriteStream } from 'node:tty';

let found: NodeJS.WriteStream | null | undefined;

/**
 * Where questions are drawn: the output terminal, or, when output goes to a pipe or a file
 * (`lifeboat run X | tee run.txt`), the controlling terminal itself. Undefined when there is none.
 */
export function promptOutput(): NodeJS.WriteStream | undefined {
  if (found !== undefined) return found ?? undefined;
  if (process.stdout.isTTY) found = process.stdout;
  else {
    try {
      const tty = new WriteStream(openSync('/dev/tty', 'w'));
      // Each question pipes into this stream and ends its pipe when answered, which would end the
      // terminal with it (stdout is spared that by Node): every later question would then be
      // drawn nowhere. The terminal lives as long as the process.
      tty.end = ((...args: unknown[]) => {
        const done = args.find((a) => typeof a === 'function') as (() => void) | undefined;
        done?.();
        return tty;
      }) as typeof tty.end;
      found = tty;
    } catch {
      found = process.stderr.isTTY ? process.stderr : null;
    }
  }
  return found ?? undefined;
}
