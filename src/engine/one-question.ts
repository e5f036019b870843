import type { Prompter } from '../ports/prompter.js';

/**
 * The prompter, asking one question at a time: with steps (or items) side by side, a second
 * question waits until the first is answered, while the work beside it goes on.
 */
export function oneQuestionAtATime(prompter: Prompter): Prompter {
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(ask: () => Promise<T>): Promise<T> => {
    const turn = queue.then(ask, ask);
    // The next question waits for this one to end, however it ends.
    queue = turn.catch(() => undefined);
    return turn;
  };
  return {
    by: prompter.by,
    beforeStep: (step, context) => inTurn(() => prompter.beforeStep(step, context)),
    afterFailure: (step, failure, context) => inTurn(() => prompter.afterFailure(step, failure, context)),
    afterInterruption: (step, info, context) => inTurn(() => prompter.afterInterruption(step, info, context)),
    stillRunning: (step, pid) => inTurn(() => prompter.stillRunning(step, pid)),
    ask: (step, question, text) => inTurn(() => prompter.ask(step, question, text)),
    confirm: (step, word) => inTurn(() => prompter.confirm(step, word)),
  };
}
