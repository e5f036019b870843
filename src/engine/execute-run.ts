import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import { BEGIN, compileMachine } from '../core/machine/compile-machine.js';
import { type RestoreContext, stepActorId } from '../core/machine/machine-setup.js';
import type { StepContext } from '../core/machine/step-lifecycle.js';
import { askOperatorActor } from './ask-operator.js';
import { stepBinder, valueBinder } from './bound-steps.js';
import { confirmStepActor } from './confirm-step.js';
import { decideStepActor } from './decide-step.js';
import { journalSteps } from './journal-steps.js';
import { listItemsActor } from './list-items.js';
import { oneQuestionAtATime } from './one-question.js';
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
export async function executeRun(given: RunPorts, settings: RunSettings): Promise<RunOutcome> {
  const ports: RunPorts = { ...given, prompter: oneQuestionAtATime(given.prompter) };
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
    stepContext: (id) => actor!.getSnapshot().children[stepActorId(id)]?.getSnapshot()?.context as StepContext | undefined,
    captures,
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
  const machine = compileMachine(settings.plan, { actors, unattended: settings.unattended === true, recorded: settings.recorded, captures: settings.captures, concurrency: settings.concurrency });
  // A step's own machine changes without the run's: its snapshot is saved on every change of either.
  actor = createActor(machine, { inspect: (event) => void (event.type === '@xstate.snapshot' && event.actorRef !== actor && actor && deps.persist()) });
  journalSteps(actor, deps);
  return settle(actor, deps, run);
}

/** The steps running now, in the order they started, with their records. */
function liveSteps(actor: RunActor): StepContext[] {
  const snapshot = actor.getSnapshot();
  const context = snapshot.context as RestoreContext;
  const children = Object.values(snapshot.children as Record<string, { getSnapshot(): { context?: unknown } } | undefined>);
  const steps = children.map((ref) => ref?.getSnapshot()?.context as StepContext | undefined).filter((step): step is StepContext => step?.position !== undefined);
  return context.running.flatMap((place) => steps.filter((step) => step.position === place));
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
      // The steps in flight are not finished: a resume checks them first.
      const live = liveSteps(actor);
      actor.stop();
      resolve(runOutcome(context(), 'interrupted', run, 'interrupted by a signal', live));
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
