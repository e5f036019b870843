import type { EventSink } from '../ports/event-sink.js';
import type { Prompter } from '../ports/prompter.js';

/**
 * Holds what the screens would print while a question is on the terminal, and prints it, in
 * order, once the question is answered: with steps side by side, a line printed under a menu
 * would tear it. The journal is never held.
 */
export function createScreenHold() {
  let asking = 0;
  const held: Array<() => void> = [];
  const release = () => {
    while (held.length > 0) held.shift()!();
  };
  return {
    /** A screen whose lines wait while a question is open. */
    screen(inner: EventSink): EventSink {
      return {
        emit: (event) => (asking > 0 ? void held.push(() => inner.emit(event)) : inner.emit(event)),
        close: () => {
          release();
          return inner.close?.();
        },
      };
    },
    /** The prompter, holding the screens while each of its questions is open. */
    prompter(inner: Prompter): Prompter {
      const during = async <T>(ask: () => Promise<T>): Promise<T> => {
        asking += 1;
        try {
          return await ask();
        } finally {
          asking -= 1;
          if (asking === 0) release();
        }
      };
      return {
        by: inner.by,
        beforeStep: (step, context) => during(() => inner.beforeStep(step, context)),
        afterFailure: (step, failure, context) => during(() => inner.afterFailure(step, failure, context)),
        afterInterruption: (step, info, context) => during(() => inner.afterInterruption(step, info, context)),
        stillRunning: (step, pid) => during(() => inner.stillRunning(step, pid)),
        ask: (step, question, text) => during(() => inner.ask(step, question, text)),
        confirm: (step, word) => during(() => inner.confirm(step, word)),
      };
    },
  };
}
