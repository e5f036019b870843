import { fromPromise } from 'xstate';
import type { AskInput, AskOutput } from '../core/machine/machine-setup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { waitedSince } from './prompt-context.js';
import type { RunDeps } from './run-deps.js';

/** The askOperator actor: the step card, the failure menu, or the menu after an interruption. */
export function askOperatorActor(deps: RunDeps) {
  return fromPromise<AskOutput, AskInput>(async ({ input }) => {
    const { ports } = deps;
    const step = shownStep(deps, deps.stepOf(input.step));
    const failure = deps.stepContext(step.id)?.failure ?? { summary: 'the step failed', tail: [] };
    const asked = ports.clock.now();
    const shellBefore = deps.times.shell(step.id);
    const context = deps.promptContext(step);
    // A prompt that throws aborts the machine, which records why (noteAbort).
    const answer =
      input.menu === 'before'
        ? await ports.prompter.beforeStep(step, context)
        : input.menu === 'failure'
          ? await ports.prompter.afterFailure(step, failure, context)
          : await ports.prompter.afterInterruption(step, failure, context);
    // A manual step is done while its card is shown: that time is its work, not waiting.
    const waitedMs = input.menu === 'before' && step.action.kind === 'manual' ? undefined : waitedSince(deps, step.id, asked, shellBefore);
    deps.emit({ kind: 'operator.choice', step: step.id, menu: input.menu, choice: answer.choice, reason: answer.reason, by: ports.prompter.by, ...(waitedMs ? { waitedMs } : {}) });
    return answer;
  });
}

/** The step as the card shows it: the values known put in, the others as their references (running it says why one cannot be used). */
function shownStep(deps: RunDeps, step: PlanStep): PlanStep {
  try {
    return deps.preview(step);
  } catch {
    return step;
  }
}
