import { stylesFor } from '../adapters/terminal-styles.js';
import type { EventSink } from '../ports/event-sink.js';

/** Where warnings that can come at any moment (a lock taken over, or lost mid-run) are said. */
export interface NoteChannel {
  /** Says a warning now: as a run.note to the session's sink when one is connected, else to the fallback. */
  say(message: string): void;
  /** From now on warnings go to this sink (journal and screen); any said before the run began go first. */
  connect(sink: EventSink): void;
  /** The sink is closing: any later warning goes to the fallback, never to a closed journal. */
  disconnect(): void;
}

/**
 * A channel for warnings, said as they happen: not collected and read once. Before the run's
 * first record (a lock taken over while the run opens) they wait, so the journal starts with
 * the run; once the journal is closed they go to `fallback` (the terminal's stderr).
 */
export function createNoteChannel(fallback: (message: string) => void): NoteChannel {
  let sink: EventSink | undefined;
  let before: string[] | undefined = [];
  const toFallback = (message: string) => {
    try {
      fallback(message);
    } catch {
      // A warning never ends a run, even when the terminal is gone.
    }
  };
  return {
    say(message) {
      if (sink) sink.emit({ kind: 'run.note', level: 'warn', message });
      else if (before) before.push(message);
      else toFallback(message);
    },
    connect(next) {
      sink = next;
      const waiting = before ?? [];
      before = undefined;
      for (const message of waiting) next.emit({ kind: 'run.note', level: 'warn', message });
    },
    disconnect() {
      sink = undefined;
      const waiting = before ?? [];
      before = undefined;
      for (const message of waiting) toFallback(message);
    },
  };
}

/** The session's channel: warnings said where nothing records them any more (the journal closed) go to stderr, at once. */
export function screenNotes(): NoteChannel {
  return createNoteChannel((message) => process.stderr.write(`${stylesFor(process.stderr).yellow('!')} ${message}\n`));
}
