import { createPinoJournal } from '../adapters/pino-journal.js';
import type { RunLock } from '../adapters/run-lock.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import type { EventSink } from '../ports/event-sink.js';
import type { RunMeta, RunStore } from '../ports/run-store.js';
import type { NoteChannel } from './note-channel.js';
import { takeRunLock } from './take-run-lock.js';
import { unwritableLogs } from './unwritable-logs.js';

/** A run's record, open: its lock held, its folder proven writable, its journal ready. */
export interface RunRecord {
  lock: RunLock;
  journal: EventSink;
  /** Why the journal stopped taking records mid-run (a full disk), if it did. */
  lost(): string | undefined;
}

/** What opening a run's record needs. */
export interface RecordRequest {
  store: RunStore;
  runbook: string;
  runId: string;
  /** A new run's metadata, made and written once the lock is held (and not kept). */
  meta?: () => RunMeta;
  /** A lock already taken (a resume takes it before reading the run's state). */
  held?: RunLock;
  notes: NoteChannel;
  /** Stops the run when nothing more can be recorded. */
  stop: () => void;
}

/**
 * Opens a run's record before anything runs: the lock (unless held), the run's folder and
 * metadata, a proof that snapshots can be written, and the journal. Fails, lock released, when
 * the logs folder cannot take them.
 */
export function openRunRecord(request: RecordRequest): RunRecord {
  const { store, runId } = request;
  const lock = request.held ?? takeRunLock(store.dir, request.runbook, runId, request.notes);
  let lost: string | undefined;
  try {
    if (request.meta) store.create(request.meta());
    store.checkWritable(runId);
    const journal = createPinoJournal(store.runDir(runId), runId, (error) => {
      // The logs disk filled up (or failed) mid-run: the step in flight stops as if interrupted,
      // since nothing more could be recorded; the run stays resumable once there is room again.
      lost = `${error.code === 'ENOSPC' ? 'the disk of the logs folder is full' : 'the journal cannot be written'} (${error.code ?? error.message}): the run stops here, as if interrupted`;
      process.stderr.write(`\n${stylesFor(process.stderr).red('✖')} ${lost}. Free space in ${store.dir}, then resume.\n`);
      request.stop();
    });
    return { lock, journal, lost: () => lost };
  } catch (error) {
    lock.release();
    throw unwritableLogs(store.dir, error);
  }
}
