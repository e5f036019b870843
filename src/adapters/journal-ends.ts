import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RunStatus } from '../core/model/run-event.js';
import type { TimedEvent } from '../core/review/run-summary.js';
import { parseJournalLine } from './journal-record.js';

// Apart from the journal reader, so that finding how a run stands (run, resume) loads nothing else.
const END_CHUNK = 16 * 1024;

function readAt(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.toString('utf8', 0, read);
}

const parse = parseJournalLine;

/**
 * The first and the last readable events of a journal, reading only its head and its tail: enough
 * to tell when a run started and how it stands, however large its journal has grown.
 */
export function readJournalEnds(file: string): { first?: TimedEvent; last?: TimedEvent; tornLine: boolean } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let first: TimedEvent | undefined;
    for (let length = 4096; ; length *= 2) {
      const head = readAt(fd, 0, Math.min(length, size));
      const nl = head.indexOf('\n');
      if (nl !== -1 || length >= size) {
        first = parse(nl === -1 ? head : head.slice(0, nl));
        break;
      }
    }
    let last: TimedEvent | undefined;
    let tornLine = false;
    for (let length = END_CHUNK; ; length *= 2) {
      const start = Math.max(0, size - length);
      const lines = readAt(fd, start, size - start).split('\n');
      // A tail that starts mid-file starts mid-line: its first piece is not a whole line.
      if (start > 0) lines.shift();
      tornLine = false;
      let seenLine = false;
      for (let i = lines.length - 1; i >= 0 && !last; i--) {
        if (lines[i]!.trim() === '') continue;
        last = parse(lines[i]!);
        if (!last && !seenLine) tornLine = true;
        seenLine = true;
      }
      if (last || start === 0) break;
    }
    return { first, last, tornLine };
  } finally {
    closeSync(fd);
  }
}

/** How a run stands by the last event of its journal, read from its tail alone. */
export function journalStatus(file: string): RunStatus | 'running' {
  const { last } = readJournalEnds(file);
  return last?.kind === 'run.finished' ? last.status : 'running';
}
