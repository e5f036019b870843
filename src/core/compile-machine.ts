import type { AnyStateMachine } from 'xstate';
import type { Plan, PlanStep } from './model/plan-types.js';
import { endedAs, machineFromConfig, type RestoreContext, type StepStatus } from './restore-machine.js';

// Reserved state names start with `_`, which runbook ids cannot, so they never collide.
export const FINISHED = '_finished';
export const ABORTED = '_aborted';
const PHASE_COMPLETE = '_complete';
const ABORTED_ID = '_aborted';

type Transition = { target: string; guard?: unknown; actions?: unknown };
type StateConfig = Record<string, unknown>;

const status = (step: string, value: StepStatus) => ({ type: 'setStatus', params: { step, status: value } });
const choice = (value: string) => ({ type: 'choiceIs', params: { choice: value } });
const reason = (step: string) => ({ type: 'noteReason', params: { step } });
const finished = (step: string) => ({ type: 'stepFinished', params: { step } });
const startStep = (step: string) => ({ type: 'startStep', params: { step } });
const exited = (step: string) => ({ type: 'noteExit', params: { step } });
/** To the aborted state, noting where the run was stopped from. */
const abortFrom = (step: string, from: string): Transition => ({ target: `#${ABORTED_ID}`, actions: { type: 'noteAbort', params: { step, from } } });

/**
 * Compiles a plan into a plain, JSON-serialisable XState config: phases in order, each step a
 * lifecycle. A run resumes by starting the machine from the context it had recorded; that
 * machine has, per step, the states that recover one interrupted mid-command.
 */
export function compileConfig(plan: Plan, context: RestoreContext = { steps: {} }, compile: CompileOptions = {}): StateConfig {
  const resuming = compile.resuming ?? Object.keys(context.steps).length > 0;
  const options: StepOptions = { ...compile, resuming, recorded: resuming ? context : undefined };
  const phases = plan.phases
    .map((phase) => ({ phase, steps: phase.steps.filter((s) => s.selected) }))
    .filter((p) => p.steps.length > 0);
  const states: Record<string, StateConfig> = {};
  phases.forEach(({ phase, steps }, i) => {
    const stepStates: Record<string, StateConfig> = {};
    steps.forEach((step, j) => {
      stepStates[step.id] = { ...stepConfig(step, options), onDone: { target: steps[j + 1]?.id ?? PHASE_COMPLETE } };
    });
    stepStates[PHASE_COMPLETE] = { type: 'final' };
    states[phase.id] = {
      description: phase.title,
      initial: steps[0]!.id,
      states: stepStates,
      onDone: { target: phases[i + 1]?.phase.id ?? FINISHED },
    };
  });
  states[FINISHED] = { type: 'final', entry: { type: 'finish', params: { outcome: 'done' } } };
  states[ABORTED] = { id: ABORTED_ID, type: 'final', entry: { type: 'finish', params: { outcome: 'aborted' } } };
  return {
    id: 'restore',
    description: plan.description ?? plan.name,
    context,
    initial: phases[0]?.phase.id ?? FINISHED,
    states,
  };
}

/** How a plan is compiled. */
export interface CompileOptions {
  /**
   * Nobody answers the step card: a step that is not manual goes straight on (its confirmation,
   * if any, is still asked of the unattended policy). Manual steps still ask.
   */
  unattended?: boolean;
  /**
   * The run continues from a recorded context: each step first checks how it had ended, and a
   * step whose command may have been running is recovered. (Set by default when the context has
   * any step; a fresh run's machine has no need of these states.)
   */
  resuming?: boolean;
}

/** Compiles a plan into the machine the engine executes, with the executor's actors (or defaults that refuse to run). */
export function compileMachine(plan: Plan, context?: RestoreContext, actors?: Parameters<typeof machineFromConfig>[1], options: CompileOptions = {}): AnyStateMachine {
  return machineFromConfig(compileConfig(plan, context, options), actors);
}

/** Marking a step done by hand still has to pass its checks; if they fail, back to `otherwise`. */
function markingDone(id: string, otherwise: string): StateConfig {
  return {
    entry: status(id, 'verifying'),
    invoke: {
      src: 'runChecks',
      input: { step: id, set: 'verify' },
      onDone: [{ guard: 'passed', target: 'done', actions: { type: 'noteVia', params: { step: id, via: 'operator' } } }, { target: otherwise, actions: reason(id) }],
      onError: { target: otherwise, actions: reason(id) },
    },
  };
}

/** How each step is compiled: the plan's options and, when resuming, the recorded context. */
interface StepOptions extends CompileOptions {
  /** The context a resumed machine starts from. */
  recorded?: RestoreContext;
}

/** The statuses in which a step counts as ended: one that may fail and go on has ended when it failed. */
function endedStatuses(step: PlanStep): StepStatus[] {
  return step.onFailure === 'continue' ? ['done', 'skipped', 'failed'] : ['done', 'skipped'];
}

function stepConfig(step: PlanStep, options: StepOptions): StateConfig {
  const id = step.id;
  // The machine starts from this very context, so a step recorded as ended can only be passed:
  // it needs none of its lifecycle (which keeps a resume near the end of a long run cheap).
  if (options.recorded && endedAs(options.recorded, id, endedStatuses(step))) {
    return { description: `${step.position} ${step.title}`, initial: '_resumed', states: { _resumed: { type: 'final' } } };
  }
  const manual = step.action.kind === 'manual';
  const hasVerify = step.verify.length > 0;
  const act = manual ? (hasVerify ? 'verifying' : 'done') : 'running';
  const afterAct = hasVerify ? 'verifying' : 'done';
  const failure: Transition[] =
    step.retries > 0 && !manual
      ? [{ guard: { type: 'canRetry', params: { step: id, retries: step.retries } }, target: 'backoff', actions: reason(id) }, { target: 'failed', actions: reason(id) }]
      : [{ target: 'failed', actions: reason(id) }];

  const next = step.confirm ? 'confirming' : act;
  // Unattended, nobody reads the step card: a step that is not manual goes straight to `next`,
  // without a state of its own for the question (fewer states: a long runbook compiles faster).
  const asks = !(options.unattended && !manual);
  const awaiting = asks ? 'awaiting' : next;

  const states: Record<string, StateConfig> = {};
  if (step.precheck.length > 0) {
    states.precheck = {
      entry: status(id, 'precheck'),
      invoke: {
        src: 'runChecks',
        input: { step: id, set: 'precheck' },
        onDone: [{ guard: 'passed', target: 'done', actions: { type: 'noteVia', params: { step: id, via: 'precheck' } } }, { target: awaiting }],
        onError: { target: awaiting },
      },
    };
  }
  if (asks) {
    states.awaiting = {
      entry: status(id, 'awaiting'),
      invoke: {
        src: 'askOperator',
        input: { step: id, menu: 'before' },
        onDone: [{ guard: choice('run'), target: next }, { guard: choice('skip'), target: 'skipped', actions: reason(id) }, abortFrom(id, 'before')],
        // A prompt that breaks (no terminal left) stops the run where it is, resumable.
        onError: abortFrom(id, 'before'),
      },
    };
  }
  if (step.confirm) {
    states.confirming = {
      invoke: {
        src: 'confirmStep',
        input: { step: id },
        onDone: [{ guard: 'stopped', ...abortFrom(id, 'confirm') }, { guard: 'confirmed', target: act }, { target: awaiting }],
        onError: { target: `#${ABORTED_ID}` },
      },
    };
  }
  if (!manual) {
    states.running = {
      entry: { type: 'setStatus', params: { step: id, status: 'running', attempt: true } },
      invoke: {
        src: 'runStep',
        input: { step: id },
        onDone: [{ guard: 'succeeded', target: afterAct, actions: exited(id) }, ...failure.map((t) => ({ ...t, actions: [exited(id), t.actions] }))],
        onError: failure,
      },
    };
  }
  if (hasVerify) {
    states.verifying = {
      entry: status(id, 'verifying'),
      invoke: { src: 'runChecks', input: { step: id, set: 'verify' }, onDone: [{ guard: 'passed', target: 'done' }, ...failure], onError: failure },
    };
  }
  if (step.retries > 0 && !manual) {
    states.backoff = {
      entry: status(id, 'backoff'),
      invoke: { src: 'sleep', input: { step: id, ms: step.retryDelayMs }, onDone: { target: 'running' }, onError: { target: 'running' } },
    };
  }
  if (step.onFailure === 'continue') {
    states.failed = { type: 'final', entry: [status(id, 'failed'), finished(id)] };
  } else {
    const markDone: Transition = hasVerify
      ? { guard: choice('mark-done'), target: 'markingDone' }
      : { guard: choice('mark-done'), target: 'done', actions: { type: 'noteVia', params: { step: id, via: 'operator' } } };
    states.failed = {
      entry: status(id, 'failed'),
      invoke: {
        src: 'askOperator',
        input: { step: id, menu: 'failure' },
        onDone: [
          { guard: choice('retry'), target: manual ? 'awaiting' : 'running' },
          markDone,
          { guard: choice('skip'), target: 'skipped', actions: reason(id) },
          abortFrom(id, 'failure'),
        ],
        onError: abortFrom(id, 'failure'),
      },
    };
    if (hasVerify) states.markingDone = markingDone(id, 'failed');
  }
  states.done = { type: 'final', entry: [status(id, 'done'), finished(id)] };
  states.skipped = { type: 'final', entry: [status(id, 'skipped'), finished(id)] };

  const start = step.precheck.length > 0 ? 'precheck' : awaiting;
  if (!options.resuming) {
    // Work on the step is announced on entering it: a parent's entry runs before its first child
    // spawns an actor, so `step.started` comes before anything that child journals.
    return { description: `${step.position} ${step.title}`, initial: start, entry: [status(id, 'pending'), startStep(id)], states };
  }
  // Resuming: a step that had ended is passed silently; one whose command may have been
  // running is checked before anything else; any other starts afresh.
  const ended = endedStatuses(step);
  states._entry = {
    always: [
      { guard: { type: 'endedAs', params: { step: id, statuses: ended } }, target: '_resumed' },
      // Transition actions run before the target's actors start: the start is announced first.
      ...(manual ? [] : [{ guard: { type: 'endedAs', params: { step: id, statuses: ['running', 'verifying'] } }, target: 'recovering', actions: startStep(id) }]),
      { target: start, actions: [status(id, 'pending'), startStep(id)] },
    ],
  };
  states._resumed = { type: 'final' };
  if (!manual) {
    states.recovering = {
      invoke: {
        src: 'recoverStep',
        input: { step: id },
        onDone: [
          { guard: 'passed', target: 'done', actions: { type: 'noteVia', params: { step: id, via: 'recovered' } } },
          { target: 'interrupted', actions: reason(id) },
        ],
        onError: { target: 'interrupted', actions: reason(id) },
      },
    };
    states.interrupted = {
      invoke: {
        src: 'askOperator',
        input: { step: id, menu: 'interrupted' },
        onDone: [
          { guard: choice('retry'), target: 'running' },
          hasVerify ? { guard: choice('mark-done'), target: 'markingDone' } : { guard: choice('mark-done'), target: 'done', actions: { type: 'noteVia', params: { step: id, via: 'operator' } } },
          { guard: choice('skip'), target: 'skipped', actions: reason(id) },
          abortFrom(id, 'interrupted'),
        ],
        onError: abortFrom(id, 'interrupted'),
      },
    };
    if (hasVerify && !states.markingDone) states.markingDone = markingDone(id, 'interrupted');
  }
  return {
    description: `${step.position} ${step.title}`,
    initial: '_entry',
    states,
  };
}
