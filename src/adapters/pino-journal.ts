import { join } from 'node:path';
import pino from 'pino';
import type { RunEvent } from '../core/model/run-event.js';
import type { EventSink } from '../ports/event-sink.js';
import { toJournalRecord } from './journal-record.js';

const OUTPUT_CAP_BYTES = 256 * 1024;

/**
 * The run journal: one JSON object per line in events.jsonl (0600), written synchronously so
 * that what happened is on disk before the next thing happens. Output is capped per step. Lines
 * carry pino's own fields (`level` once, labelled; `time`; `msg`), so pino-pretty reads them as they are.
 */
export function createPinoJournal(runDir: string, runId: string, onError?: (error: NodeJS.ErrnoException) => void): EventSink {
  const file = join(runDir, 'events.jsonl');
  const destination = pino.destination({ dest: file, sync: true, mode: 0o600, append: true, mkdir: false });
  // A write that fails (a full disk) is reported once, not thrown from wherever the event came from;
  // nothing more is written after it, so the journal ends on whole lines.
  let broken = false;
  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (broken) return;
    broken = true;
    onError?.(error);
  });
  const logger = pino(
    {
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const outputBytes = new Map<string, number>();
  // runId first on every line; the event's own runId (run.started) is the same value, so the key appears once.
  const write = (event: RunEvent) => {
    const record = toJournalRecord(event);
    logger[record.level]({ runId, ...record.fields }, record.msg);
  };
  let closed = false;
  return {
    emit(event: RunEvent) {
      // Nothing is written once the journal is closed or broken: a late report cannot throw from here.
      if (broken || closed) return;
      if (event.kind === 'step.output') {
        const used = outputBytes.get(event.step) ?? 0;
        if (used >= OUTPUT_CAP_BYTES) return;
        const size = Buffer.byteLength(event.text);
        outputBytes.set(event.step, used + size);
        if (used + size > OUTPUT_CAP_BYTES) {
          write({ ...event, text: event.text.slice(0, OUTPUT_CAP_BYTES - used), truncated: true } as RunEvent);
          write({ kind: 'run.note', level: 'info', step: event.step, message: `output of ${event.step} truncated at ${OUTPUT_CAP_BYTES / 1024} KiB in the journal` });
          return;
        }
      }
      write(event);
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        if (!broken) destination.flushSync();
        destination.end();
      } catch (error) {
        if (!broken) onError?.(error as NodeJS.ErrnoException);
        broken = true;
      }
    },
  };
}
