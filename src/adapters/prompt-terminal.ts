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
      found = new WriteStream(openSync('/dev/tty', 'w'));
    } catch {
      found = process.stderr.isTTY ? process.stderr : null;
    }
  }
  return found ?? undefined;
}
