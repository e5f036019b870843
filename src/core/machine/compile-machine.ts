import type { AnyStateMachine } from 'xstate';
import type { Captures } from '../capture/captured-values.js';
import type { Plan, PlanStep } from '../model/plan-types.js';
import { hasEnded, type MachineOptions, machineFromConfig, type StepRecord, startContext } from './machine-setup.js';
import { stepTable } from './step-table.js';

// Reserved state names start with `_`, which runbook ids cannot, so they never collide.
export const FINISHED = '_finished';
export const ABORTED = '_aborted';
const READY = '_ready';
/** The event that begins a run: the machine waits for it before its first step. */
export const BEGIN = { type: 'run.begin' } as const;
const ABORTED_ID = '_aborted';

type Transition = { target: string; guard?: unknown; actions?: unknown };
type StateConfig = Record<string, unknown>;

const status = (value: string, attempt?: boolean) => ({ type: 'setStatus', params: { status: value, ...(attempt ? { attempt } : {}) } });
const choice = (value: string) => ({ type: 'choiceIs', params: { choice: value } });
const via = (how: string) => ({ type: 'noteVia', params: { via: how } });
/** To the aborted state, noting where the run was stopped from. */
const abortFrom = (from: string): Transition => ({ target: `#${ABORTED_ID}`, actions: { type: 'noteAbort', params: { from } } });
/** A final state of a step: its status set, it is counted and announced. */
const ended = (value: string): StateConfig => ({ type: 'final', entry: [status(value), 'countStep', 'stepFinished'] });
/** A state that only decides, on entry, where the step goes next (it is never at rest). */
const choose = (description: string, ...always: Transition[]): StateConfig => ({ description, always });

/** A failed attempt: once more after the backoff while retries are left, else failed. */
const FAILURE: Transition[] = [
  { guard: 'canRetry', target: 'backoff', actions: 'noteReason' },
  { target: 'failing', actions: 'noteReason' },
];

/** The states of a step that run checks, an action, or a pause. */
function workStates(): Record<string, StateConfig> {
  return {
    // Its `when:` conditions: all must hold, or the step does not apply (no failure, no skip).
    deciding: {
      entry: status('deciding'),
      invoke: {
        src: 'decideStep',
        input: {},
        onDone: [
          { guard: 'applies', target: 'applies' },
          { target: 'notApplicable', actions: 'noteReason' },
        ],
        onError: FAILURE,
      },
    },
    precheck: {
      entry: status('precheck'),
      invoke: {
        src: 'runChecks',
        input: { set: 'precheck' },
        onDone: [{ guard: 'passed', target: 'done', actions: via('precheck') }, { target: 'card' }],
        onError: { target: 'card' },
      },
    },
    running: {
      entry: status('running', true),
      invoke: {
        src: 'runStep',
        input: {},
        onDone: [{ guard: 'succeeded', target: 'checking', actions: ['noteExit', 'keepCaptures'] }, ...FAILURE.map((t) => ({ ...t, actions: ['noteExit', t.actions] }))],
        onError: FAILURE,
      },
    },
    verifying: {
      entry: status('verifying'),
      invoke: { src: 'runChecks', input: { set: 'verify' }, onDone: [{ guard: 'passed', target: 'done' }, ...FAILURE], onError: FAILURE },
    },
    backoff: {
      entry: status('backoff'),
      invoke: { src: 'sleep', input: {}, onDone: { target: 'again' }, onError: { target: 'again' } },
    },
    // A foreach step: its items still to run this pass (the list may be a captured value), then the items themselves.
    listing: {
      entry: status('running', true),
      invoke: {
        src: 'listItems',
        input: {},
        onDone: [
          { guard: 'noItems', target: 'done' },
          { target: 'fanning', actions: 'startFan' },
        ],
        onError: FAILURE,
      },
    },
    fanning: {
      entry: 'spawnItems',
      on: {
        'xstate.done.actor.*': [{ guard: 'lastItem', target: 'fanned', actions: 'noteItem' }, { actions: ['noteItem', 'spawnItems'] }],
        'xstate.error.actor.*': [{ guard: 'lastItem', target: 'fanned', actions: 'noteItem' }, { actions: ['noteItem', 'spawnItems'] }],
      },
    },
    // Marking a step done by hand still has to pass its checks; if they fail, back to the menu it came from.
    markingDone: {
      entry: status('verifying'),
      invoke: {
        src: 'runChecks',
        input: { set: 'verify' },
        onDone: [
          { guard: 'passed', target: 'done', actions: via('operator') },
          { target: 'unmarked', actions: 'noteReason' },
        ],
        onError: { target: 'unmarked', actions: 'noteReason' },
      },
    },
    // Resuming a step whose command may have been running: its checks say whether it completed.
    recovering: {
      invoke: {
        src: 'recoverStep',
        input: {},
        onDone: [
          { guard: 'passed', target: 'done', actions: via('recovered') },
          { target: 'interrupted', actions: 'noteReason' },
        ],
        onError: { target: 'interrupted', actions: 'noteReason' },
      },
    },
  };
}

/** The states of a step that ask a person (or the unattended policy). */
function askStates(): Record<string, StateConfig> {
  const menu = (name: string, from: string, onChoices: Transition[]): StateConfig => ({
    invoke: { src: 'askOperator', input: { menu: name }, onDone: [...onChoices, { guard: choice('skip'), target: 'skipped', actions: 'noteReason' }, abortFrom(from)], onError: abortFrom(from) },
  });
  return {
    awaiting: { entry: status('awaiting'), ...menu('before', 'before', [{ guard: choice('run'), target: 'go' }]) },
    confirming: {
      invoke: {
        src: 'confirmStep',
        input: {},
        onDone: [{ guard: 'stopped', ...abortFrom('confirm') }, { guard: 'confirmed', target: 'act' }, { target: 'card' }],
        onError: { target: `#${ABORTED_ID}` },
      },
    },
    failed: {
      entry: status('failed'),
      ...menu('failure', 'failure', [
        { guard: choice('retry'), target: 'retry' },
        { guard: choice('mark-done'), target: 'markDone' },
      ]),
    },
    // A prompt that breaks (no terminal left) stops the run where it is, resumable.
    interrupted: menu('interrupted', 'interrupted', [
      { guard: choice('retry'), target: 'running' },
      { guard: choice('mark-done'), target: 'markDone' },
    ]),
  };
}

/** The states that decide, from the current step's traits, where it goes next. */
function choiceStates(): Record<string, StateConfig> {
  return {
    // The first state: the step's status set afresh, unless its command may have run before the run died.
    _entry: choose(
      'resumed mid-command: recover; else its conditions, its prechecks, or its card',
      { guard: 'recovers', target: 'recovering' },
      { guard: 'hasWhen', target: 'deciding', actions: status('pending') },
      { guard: 'hasPrecheck', target: 'precheck', actions: status('pending') },
      { target: 'card', actions: status('pending') },
    ),
    applies: choose('it applies: its prechecks, or its card', { guard: 'hasPrecheck', target: 'precheck' }, { target: 'card' }),
    card: choose('the step card, unless nobody reads it (unattended, not manual)', { guard: 'asks', target: 'awaiting' }, { target: 'go' }),
    go: choose('its confirmation, if it asks for one', { guard: 'confirms', target: 'confirming' }, { target: 'act' }),
    act: choose('its command (or its items), unless a person does it', { guard: 'manual', target: 'checking' }, { guard: 'fanOut', target: 'listing' }, { target: 'running' }),
    again: choose('its command again, or the items not done yet', { guard: 'fanOut', target: 'listing' }, { target: 'running' }),
    fanned: choose('every item ended: the step fails when more failed than it tolerates', { guard: 'tooManyFailed', target: 'backoffOrFail', actions: 'noteFanFailure' }, { target: 'done' }),
    backoffOrFail: choose('another pass over the failed items while retries are left, else failed', { guard: 'canRetry', target: 'backoff' }, { target: 'failing' }),
    checking: choose('its verify checks, if it has any', { guard: 'hasVerify', target: 'verifying' }, { target: 'done' }),
    failing: choose('on_failure: continue goes on; else the failure menu', { guard: 'continues', target: 'failedOn' }, { target: 'failed' }),
    retry: choose('a manual step is asked again; a command (or the items not done) runs again', { guard: 'manual', target: 'awaiting' }, { guard: 'fanOut', target: 'listing' }, { target: 'running' }),
    markDone: choose('checked, when it has checks; else the operator’s word', { guard: 'hasVerify', target: 'markingDone' }, { target: 'done', actions: via('operator') }),
    unmarked: choose('back to the menu it came from', { guard: 'continues', target: 'interrupted' }, { target: 'failed' }),
  };
}

/**
 * The restore machine's config: one lifecycle that every step goes through in turn, the current
 * step a position in an order of steps kept outside the config and the context. Plain data, the
 * same for every plan: its states do not grow with the runbook.
 */
export function compileConfig(description = 'restore'): StateConfig {
  return {
    id: 'restore',
    description,
    context: startContext(),
    initial: READY,
    states: {
      // An actor starts the invoked actors of its first state before it delivers what that state
      // emitted: entered at once, the first step's command would be journaled before its start.
      // The run waits here until the engine, listening, sends BEGIN.
      [READY]: { description: 'before the first step, until the run begins', on: { [BEGIN.type]: '_next' } },
      _next: choose('the next step in the order, or the end', { guard: 'stepsLeft', target: 'step' }, { target: FINISHED }),
      step: {
        description: 'the current step',
        // Work on the step is announced on entering it: a parent's entry runs before its first
        // child spawns an actor, so `step.started` comes before anything that child journals.
        entry: ['beginStep', 'announceStep'],
        initial: '_entry',
        states: { ...choiceStates(), ...workStates(), ...askStates(), done: ended('done'), skipped: ended('skipped'), notApplicable: ended('not-applicable'), failedOn: ended('failed') },
        onDone: { target: '_next', actions: 'advance' },
      },
      [FINISHED]: { type: 'final', entry: { type: 'finish', params: { outcome: 'done' } } },
      [ABORTED]: { id: ABORTED_ID, type: 'final', entry: { type: 'finish', params: { outcome: 'aborted' } } },
    },
  };
}

/** How a plan's machine is made: its actors, who reads the cards, and what an interrupted run had recorded. */
export interface CompileOptions extends MachineOptions {
  /** Resuming: the interrupted run's record of each step it reached. Steps that had ended are not walked again. */
  recorded?: Readonly<Record<string, StepRecord>>;
  /** Resuming: the values the interrupted run had captured, which later steps are bound to. */
  captures?: Captures;
}

/** The steps a machine walks: the selected ones in restore order, less those an interrupted run had ended. */
export function machineSteps(plan: Plan, recorded: Readonly<Record<string, StepRecord>> = {}): PlanStep[] {
  return plan.phases.flatMap((phase) => phase.steps.filter((step) => step.selected && !hasEnded(step, Object.hasOwn(recorded, step.id) ? recorded[step.id] : undefined)));
}

/** Compiles a plan into the machine the engine executes, with the executor's actors (or defaults that refuse to run). */
export function compileMachine(plan: Plan, options: CompileOptions = {}): AnyStateMachine {
  const table = stepTable(machineSteps(plan, options.recorded), options.recorded);
  const config = { ...compileConfig(plan.description ?? plan.name), context: startContext(options.captures) };
  return machineFromConfig(config, table, options);
}
