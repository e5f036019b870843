import { type AnyActorLogic, type AnyStateMachine, assign, enqueueActions, sendParent, setup } from 'xstate';
import type { Choice } from '../model/choice.js';
import type { StepRecord, StepStatus } from '../model/step-record.js';
import type { AbortOrigin, AskOutput, ChecksOutput, ConfirmOutput, DecideOutput, FanState, ItemOutput, ListOutput, StepEnd, StepFailure, StepOutput } from './machine-types.js';
import type { StepTable } from './step-table.js';

/** What a step's own machine knows: the step, its record, and what explains it. */
export interface StepContext {
  step: string;
  /** Its place in the run's order of steps. */
  position: number;
  record: StepRecord;
  /** Its last command: the exit code and last output lines. */
  exit?: { code?: number; tail: string[] };
  /** Why it failed, for the failure menu. */
  failure?: StepFailure;
  /** A `foreach` step's items. */
  fan?: FanState;
  /** The run is to stop here: from which menu, and why. */
  abort?: { from: AbortOrigin; reason?: string; needsConfirm?: boolean };
}

/** The input a step's machine starts from: which step, and what an interrupted run had recorded of it. */
export interface StepLifecycleInput {
  step: string;
  position: number;
}

type Transition = { target: string; guard?: unknown; actions?: unknown };
type StateConfig = Record<string, unknown>;

const status = (value: string, attempt?: boolean) => ({ type: 'setStatus', params: { status: value, ...(attempt ? { attempt } : {}) } });
const choice = (value: string) => ({ type: 'choiceIs', params: { choice: value } });
const via = (how: string) => ({ type: 'noteVia', params: { via: how } });
/** To the final state that stops the run, noting where the run was stopped from. */
const abortFrom = (from: string): Transition => ({ target: 'aborted', actions: { type: 'noteAbort', params: { from } } });
/** A final state of a step: its status set; the run counts and announces it. */
const ended = (value: string): StateConfig => ({ type: 'final', entry: status(value) });
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
        onError: abortFrom('confirm'),
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

/** The states that decide, from the step's traits, where it goes next. */
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
 * The lifecycle one step goes through, as plain data: its conditions, prechecks, card,
 * confirmation, command (or items), checks, retries and menus, ending done, skipped, not
 * applicable, failed (and going on), or stopping the run. The same for every step and plan.
 */
export function stepLifecycleConfig(): StateConfig {
  return {
    id: 'step',
    initial: '_entry',
    states: {
      ...choiceStates(),
      ...workStates(),
      ...askStates(),
      done: ended('done'),
      skipped: ended('skipped'),
      notApplicable: ended('not-applicable'),
      failedOn: ended('failed'),
      aborted: { type: 'final', description: 'the run stops here: nothing more starts, and the run ends once the steps running beside this one have ended' },
    },
  };
}

type StepEvent = { type: string; output?: unknown; error?: unknown };
type Output<T> = { output?: T } & Record<string, unknown>;
const output = <T>(event: unknown): T | undefined => (event as Output<T>).output;
const errorMessage = (event: unknown): string | undefined => (event as { error?: { message?: string } }).error?.message;

/** The guards that choose a step's way through the lifecycle, from its traits and the answer the last actor gave. */
function stepGuards(table: StepTable, unattended: boolean) {
  type Args = { context: StepContext; event: StepEvent };
  const here = (context: StepContext) => table.at(context.position);
  return {
    passed: ({ event }: Args) => output<ChecksOutput>(event)?.ok === true,
    succeeded: ({ event }: Args) => output<StepOutput>(event)?.ok === true,
    applies: ({ event }: Args) => output<DecideOutput>(event)?.applies === true,
    hasWhen: ({ context }: Args) => here(context).when,
    fanOut: ({ context }: Args) => here(context).fanOut !== undefined,
    noItems: ({ event }: Args) => (output<ListOutput>(event)?.keys.length ?? 0) === 0,
    /** The item that just ended was the last one running, and none is left to start. */
    lastItem: ({ context }: Args) => context.fan !== undefined && context.fan.running === 1 && context.fan.next >= context.fan.keys.length,
    /** More items failed than the step tolerates. */
    tooManyFailed: ({ context }: Args) => (context.fan?.failed.length ?? 0) > (here(context).fanOut?.tolerateFailures ?? 0),
    confirmed: ({ event }: Args) => output<ConfirmOutput>(event)?.confirmed === true,
    /** Declined with nobody there: the run stops. */
    stopped: ({ event }: Args) => output<ConfirmOutput>(event)?.stop !== undefined,
    choiceIs: ({ event }: Args, params: { choice: Choice }) => output<AskOutput>(event)?.choice === params.choice,
    /** Resuming a step whose command may have been running (or had run) when the run died. */
    // An ask step is asked again: nothing of it can have run.
    // A foreach step's items are recovered one by one, as they run again.
    recovers: ({ context }: Args) => !here(context).manual && !here(context).ask && !here(context).fanOut && (context.record.status === 'running' || context.record.status === 'verifying'),
    hasPrecheck: ({ context }: Args) => here(context).precheck,
    /** Unattended, nobody reads the card of a step that is not manual: it goes straight on. An ask step's question is its card. */
    asks: ({ context }: Args) => (!unattended && !here(context).ask) || here(context).manual,
    confirms: ({ context }: Args) => here(context).confirm,
    manual: ({ context }: Args) => here(context).manual,
    hasVerify: ({ context }: Args) => here(context).verify,
    continues: ({ context }: Args) => here(context).onFailure === 'continue',
    /** Manual steps are never retried on their own: a person is asked again instead. */
    canRetry: ({ context }: Args) => !here(context).manual && context.record.attempts <= here(context).retries,
  };
}

/** Why the step failed or was skipped, from the answer or error that says so. */
function reasonFrom(context: StepContext, event: StepEvent): Partial<StepContext> {
  const out = output<{ reason?: string; failed?: string; failure?: StepFailure }>(event);
  const reason = out?.reason ?? (out?.failed ? `check failed: ${out.failed}` : undefined) ?? errorMessage(event);
  const record = { ...context.record, reason };
  // An actor that threw (a list that cannot be read, a bug) is explained by its error.
  const thrown = errorMessage(event);
  if (!out && thrown !== undefined) return { record, failure: { summary: thrown, tail: context.exit?.tail ?? [] } };
  if (!out?.failure) return { record };
  // A check that printed nothing is explained best by what the step's own command printed.
  const tail = out.failure.tail.length > 0 ? out.failure.tail : (context.exit?.tail ?? []);
  return { record, failure: { summary: out.failure.summary, tail } };
}

/** Where the run was stopped from and why, from the answer (or the broken question) that stopped it. */
function abortOf(event: StepEvent, from: AbortOrigin): StepContext['abort'] {
  const answer = output<AskOutput & ConfirmOutput>(event);
  const error = errorMessage(event);
  const reason = answer?.stop ?? answer?.reason ?? (error !== undefined && from !== 'confirm' ? `the question could not be asked: ${error}` : error);
  return { from, reason, ...(answer?.stop !== undefined ? { needsConfirm: true } : {}) };
}

/** The item actors' ids: one per item and attempt, so a retry's items never collide with the last pass's. */
const itemId = (attempt: number, key: string) => `item:${attempt}:${key}`;

/** The actions that change a step's context, each returning a new one (nothing is edited in place). */
function stepActions(table: StepTable) {
  return {
    setStatus: assign(({ context }: { context: StepContext }, params: { status: StepStatus; attempt?: boolean }) => {
      // `attempt`: entering `running` starts one more attempt of the step's action.
      const record: StepRecord = { ...context.record, status: params.status, attempts: context.record.attempts + (params.attempt ? 1 : 0) };
      // A step that ends done succeeded in the end: an earlier attempt's failure is no longer its reason.
      if (params.status === 'done') delete record.reason;
      return { record };
    }),
    noteVia: assign(({ context }: { context: StepContext }, params: { via: 'precheck' | 'operator' | 'recovered' }) => ({ record: { ...context.record, via: params.via } })),
    /** The step captured values (or was answered): the run keeps them, and later steps are bound to them. */
    keepCaptures: sendParent(({ context, event }: { context: StepContext; event: StepEvent }) => ({
      type: 'step.captured',
      step: context.step,
      captures: output<StepOutput>(event)?.captures ?? {},
    })),
    /** The items of a foreach step to run this pass. */
    startFan: assign(({ event }: { event: StepEvent }) => {
      const listed = output<ListOutput>(event)!;
      return { fan: { keys: listed.keys, next: 0, running: 0, done: 0, failed: [], total: listed.total } };
    }),
    /** Starts items until `concurrency` run at once, each an actor of its own (spawned by name, so a snapshot can hold it). */
    spawnItems: enqueueActions(({ context, enqueue }) => {
      const ctx = context as StepContext;
      const fan = ctx.fan!;
      const room = Math.max(0, (table.at(ctx.position).fanOut?.concurrency ?? 1) - fan.running);
      const starting = fan.keys.slice(fan.next, fan.next + room);
      if (starting.length === 0) return;
      const attempt = ctx.record.attempts;
      enqueue.assign({ fan: { ...fan, next: fan.next + starting.length, running: fan.running + starting.length } });
      for (const key of starting) enqueue.spawnChild('runItem', { id: itemId(attempt, key), input: { step: ctx.step, key, attempt } });
    }),
    /**
     * An item ended: counted, its failure kept for the step's reason, and its actor let go (a spawned
     * actor stays a child until stopped: kept, every snapshot would carry every finished item).
     */
    noteItem: enqueueActions(({ context, event, enqueue }) => {
      const ctx = context as StepContext;
      const fan = ctx.fan!;
      const out = output<ItemOutput>(event);
      const child = String((event as { type: string }).type).replace(/^xstate\.(done|error)\.actor\./, '');
      const key = out?.key ?? child.split(':').slice(2).join(':');
      const ok = out?.ok === true;
      enqueue.stopChild(child);
      enqueue.assign({
        fan: {
          ...fan,
          running: fan.running - 1,
          done: fan.done + (ok ? 1 : 0),
          failed: ok ? fan.failed : [...fan.failed, { key, reason: out?.reason ?? errorMessage(event) ?? 'failed' }],
        },
      });
    }),
    /** Why a foreach step failed: its failed items, named. */
    noteFanFailure: assign(({ context }: { context: StepContext }) => {
      const failed = context.fan?.failed ?? [];
      const shown = failed
        .slice(0, 5)
        .map((f) => `${f.key} (${f.reason})`)
        .join('; ');
      const summary = `${failed.length} of ${context.fan?.total ?? failed.length} items failed: ${shown}${failed.length > 5 ? `; and ${failed.length - 5} more` : ''}`;
      return { record: { ...context.record, reason: summary }, failure: { summary, tail: failed.map((f) => `${f.key}: ${f.reason}`).slice(-10) } };
    }),
    /** A command ran: its exit code and last lines, which explain a check that fails after it. */
    noteExit: assign(({ context, event }: { context: StepContext; event: StepEvent }) => {
      const exited = output<StepOutput>(event)?.exited;
      return { exit: exited ? { code: exited.code, tail: exited.tail } : context.exit };
    }),
    noteReason: assign(({ context, event }: { context: StepContext; event: StepEvent }) => reasonFrom(context, event)),
    /** The run stops at a menu (or a confirmation): where from and why. */
    noteAbort: assign(({ event }: { event: StepEvent }, params: { from: AbortOrigin }) => ({ abort: abortOf(event, params.from) })),
  };
}

/** How a step's machine is made: its actors, and whether anybody reads the step cards. */
export interface LifecycleOptions {
  actors: Record<string, AnyActorLogic>;
  unattended?: boolean;
}

type Invoke = { src: string; input?: Record<string, unknown> };

/** Every actor works on the step: its id (and, for the backoff's sleep, its retry delay) joins the input an invoke names. */
function withStepInputs(node: unknown, table: StepTable): unknown {
  if (Array.isArray(node)) return node.map((n) => withStepInputs(n, table));
  if (typeof node !== 'object' || node === null) return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withStepInputs(v, table)]));
  const invoke = node as Invoke;
  if (typeof invoke.src !== 'string') return copy;
  const given = invoke.input ?? {};
  copy.input = ({ context }: { context: StepContext }) => ({
    ...given,
    step: context.step,
    ...(invoke.src === 'sleep' ? { ms: table.at(context.position).retryDelayMs } : {}),
  });
  return copy;
}

/** The machine of one step over a table of steps: started by the run for each step it reaches, its output how the step ended. */
export function stepLifecycle(table: StepTable, options: LifecycleOptions, config: object = stepLifecycleConfig()): AnyStateMachine {
  const machine = setup({
    types: { context: {} as StepContext, events: {} as StepEvent, input: {} as StepLifecycleInput },
    actors: options.actors,
    guards: stepGuards(table, options.unattended === true),
    actions: stepActions(table) as never,
  });
  const withInputs = {
    ...(withStepInputs(config, table) as object),
    context: ({ input }: { input: StepLifecycleInput }): StepContext => ({
      step: input.step,
      position: input.position,
      record: table.recorded(input.step) ?? { status: 'pending', attempts: 0 },
    }),
    output: ({ context }: { context: StepContext }): StepEnd => ({
      step: context.step,
      record: context.record,
      ...(context.exit?.code !== undefined ? { exitCode: context.exit.code } : {}),
      ...(context.abort ? { abort: context.abort } : {}),
    }),
  };
  return machine.createMachine(withInputs as never) as unknown as AnyStateMachine;
}
