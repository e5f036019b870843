import type { RunEvent } from '../core/model/run-event.js';

/** Receives every run event: the journal writes them down, the screen shows them. */
export interface EventSink {
  emit(event: RunEvent): void;
  /** Flushes and closes; called once when the run ends. */
  close?(): Promise<void> | void;
}
