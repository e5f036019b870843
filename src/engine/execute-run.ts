import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import { BEGIN, compileMachine } from '../core/machine/compile-machine.js';
import type { RestoreContext } from '../core/machine/machine-setup.js';
import { askOperatorActor } from './ask-operator.js';
import { stepBinder, valueBinder } from './bound-steps.js';
import { confirmStepActor } from './confirm-step.js';
import { decideStepActor } from './decide-step.js';
import { journalSteps } from './journal-steps.js';
import { listItemsActor } from './list-items.js';
import { promptContextFor } from './prompt-context.js';
import { recoverStepActor } from './recover-step.js';
import { runChecksActor } from './run-checks.js';
import type { RunDeps } from './run-deps.js';
import { runItemActor } from './run-item.js';
import { endedBefore, finalOutcome, type RunSteps, runOutcome } from './run-outcome.js';
import { runStepActor } from './run-step.js';
import type { RunOutcome, RunPorts, RunSettings } from './run-types.js';
import { sleepActor } from './sleep.js';
import { StepTimes } from './step-times.js';

export type { InFlight, RunOutcome, RunPorts, RunSettings } from './run-types.js';

type RunActor = Actor<AnyStateMachine>;

/** Executes a plan by running its XState machine, one step after another, with actors built on the given ports. */
export async function executeRun(ports: RunPorts, settings: RunSettings): Promise<RunOutcome> {
  const steps = new Map(settings.plan.phases.flatMap((phase) => phase.steps.filter((s) => s.selected).map((s) => [s.id, s] as const)));
  const run: RunSteps = { steps, endedBefore: endedBefore(steps, settings.recorded) };
  const times = new StepTimes(() => ports.clock.now());
  const binder = stepBinder(settings.plan, settings.secrets, settings.dryRun === true);
  const valueBind = valueBinder(settings.plan, settings.secrets, settings.dryRun === true);
  const previewBind = valueBinder(settings.plan, settings.secrets, true);
  const captures = () => (actor!.getSnapshot().context as RestoreContext).captures;
  let actor: RunActor | undefined;
  const deps: RunDeps = {
    ports,
    settings,
    times,
    emit: (event) => ports.sink.emit(event),
    stepOf: (id) => steps.get(id) ?? fail(`no selected step \`${id}\``),
    context: () => actor!.getSnapshot().context as RestoreContext,
    bind: (step) => binder(step, captures()),
    bindValue: (value) => valueBind(value, captures()),
    bindItem: (value, item) => valueBind(value, captures(), { value: item }),
    preview: (step) => previewBind(step, captures()).bound,
    items: new Map(),
    recoveredItems: new Set(),
    persist: () => settings.persist?.(() => actor!.getPersistedSnapshot()),
    promptContext: promptContextFor(ports, settings, times, settings.runStartedAt ?? ports.clock.now()),
  };
  const actors = {
    runChecks: runChecksActor(deps),
    askOperator: askOperatorActor(deps),
    confirmStep: confirmStepActor(deps),
    runStep: runStepActor(deps),
    sleep: sleepActor(deps),
    recoverStep: recoverStepActor(deps),
    decideStep: decideStepActor(deps),
    listItems: listItemsActor(deps),
    runItem: runItemActor(deps),
  };
  // Resuming, the steps that had ended are not walked again: the machine starts at the first that had not.
  actor = createActor(compileMachine(settings.plan, { actors, unattended: settings.unattended === true, recorded: settings.recorded, captures: settings.captures }));
  journalSteps(actor, deps);
  return settle(actor, deps, run);
}

function fail(message: string): never {
  throw new Error(message);
}

/** Starts the actor and resolves with how the run ended: the machine's output, a signal, or an error. */
function settle(actor: RunActor, deps: RunDeps, run: RunSteps): Promise<RunOutcome> {
  const { signal } = deps.settings;
  return new Promise<RunOutcome>((resolve) => {
    const context = () => actor.getSnapshot().context as RestoreContext;
    const onAbort = () => {
      // The step in flight is not finished: it stays current, so a resume checks it first.
      actor.stop();
      resolve(runOutcome(context(), 'interrupted', run, 'interrupted by a signal'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    actor.subscribe({
      next: (snapshot) => {
        deps.persist();
        if (snapshot.status !== 'done') return;
        signal?.removeEventListener('abort', onAbort);
        resolve(finalOutcome(snapshot.output as RestoreContext, run, deps.ports.prompter.by));
      },
      error: (error) => {
        signal?.removeEventListener('abort', onAbort);
        const ctx = context();
        resolve(runOutcome(ctx, signal?.aborted ? 'interrupted' : 'aborted', run, ctx.abortReason ?? (error as Error).message));
      },
    });
    actor.start();
    actor.send(BEGIN);
  });
}
