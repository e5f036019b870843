import { createActor, type Actor, type AnyStateMachine } from 'xstate';
import { compileMachine } from '../core/compile-machine.js';
import type { Plan, PlanStep } from '../core/model/plan-types.js';
import { displayText } from '../core/shell/rendered.js';
import type { RestoreContext, StepFinishedEvent, StepStartedEvent } from '../core/restore-machine.js';
import { askOperatorActor } from './ask-operator.js';
import { confirmStepActor } from './confirm-step.js';
import { promptContextFor } from './prompt-context.js';
import { recoverStepActor } from './recover-step.js';
import type { RunDeps } from './run-deps.js';
import { finalOutcome, runOutcome } from './run-outcome.js';
import { runChecksActor } from './run-checks.js';
import { runStepActor } from './run-step.js';
import type { RunOutcome, RunPorts, RunSettings } from './run-types.js';
import { sleepActor } from './sleep.js';
import { StepTimes } from './step-times.js';

export type { InFlight, RunOutcome, RunPorts, RunSettings } from './run-types.js';

type RunActor = Actor<AnyStateMachine>;

/** Executes a plan by running its compiled XState machine with actors built on the given ports. */
export async function executeRun(ports: RunPorts, settings: RunSettings): Promise<RunOutcome> {
  const steps = new Map(settings.plan.phases.flatMap((phase) => phase.steps.filter((s) => s.selected).map((s) => [s.id, s] as const)));
  const times = new StepTimes(() => ports.clock.now());
  let actor: RunActor | undefined;
  const deps: RunDeps = {
    ports,
    settings,
    times,
    emit: (event) => ports.sink.emit(event),
    stepOf: (id) => steps.get(id) ?? fail(`no selected step \`${id}\``),
    context: () => actor!.getSnapshot().context as RestoreContext,
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
  };
  const machine = compileMachine(remainingPlan(settings), settings.context, actors, { unattended: settings.unattended === true });
  actor = createActor(machine);
  journalSteps(actor, deps);
  return settle(actor, deps, steps);
}

function fail(message: string): never {
  throw new Error(message);
}

// Resuming, steps that had ended are left out of the machine: a long run stopped near its end
// resumes without building (and walking) states for everything already done.
function remainingPlan(settings: RunSettings): Plan {
  const { plan, context } = settings;
  if (!context) return plan;
  const ended = (step: PlanStep) => {
    const status = context.steps[step.id]?.status;
    return status === 'done' || status === 'skipped' || (status === 'failed' && step.onFailure === 'continue');
  };
  return { ...plan, phases: plan.phases.map((phase) => ({ ...phase, steps: phase.steps.map((step) => (step.selected && ended(step) ? { ...step, selected: false } : step)) })) };
}

/** Journals the machine's step starts and ends, with the working time the step took. */
function journalSteps(actor: RunActor, deps: RunDeps): void {
  actor.on('step.started', (event: StepStartedEvent) => {
    const step = deps.stepOf(event.step);
    deps.times.start(step.id);
    const instructions = step.action.kind === 'manual' ? { instructions: displayText(step.action.instructions) } : {};
    deps.emit({ kind: 'step.started', step: step.id, position: step.position, title: step.title, phase: step.phase, action: step.action.kind, host: step.host?.name, ...instructions });
  });
  actor.on('step.finished', (event: StepFinishedEvent) => {
    const { step: id, record } = event;
    const waited = deps.times.waited(id);
    deps.emit({
      kind: 'step.finished',
      step: id,
      position: deps.stepOf(id).position,
      status: record.status as 'done' | 'skipped' | 'failed',
      via: record.via,
      exitCode: event.exitCode,
      attempts: record.attempts,
      durationMs: deps.times.working(id),
      reason: record.reason,
      ...(waited ? { waitedMs: Math.round(waited) } : {}),
    });
  });
}

/** Starts the actor and resolves with how the run ended: the machine's output, a signal, or an error. */
function settle(actor: RunActor, deps: RunDeps, steps: ReadonlyMap<string, PlanStep>): Promise<RunOutcome> {
  const { signal } = deps.settings;
  return new Promise<RunOutcome>((resolve) => {
    const context = () => actor.getSnapshot().context as RestoreContext;
    const onAbort = () => {
      // The step in flight is not finished: it stays current, so a resume checks it first.
      actor.stop();
      resolve(runOutcome(context(), 'interrupted', steps, 'interrupted by a signal'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    actor.subscribe({
      next: (snapshot) => {
        deps.persist();
        if (snapshot.status !== 'done') return;
        signal?.removeEventListener('abort', onAbort);
        resolve(finalOutcome(snapshot.output as RestoreContext, steps, deps.ports.prompter.by));
      },
      error: (error) => {
        signal?.removeEventListener('abort', onAbort);
        const ctx = context();
        resolve(runOutcome(ctx, signal?.aborted ? 'interrupted' : 'aborted', steps, ctx.abortReason ?? (error as Error).message));
      },
    });
    actor.start();
  });
}
