import { type AnyActorLogic, type AnyStateMachine, assign, emit, enqueueActions, fromPromise, setup } from 'xstate';
import type { CapturedValue, Captures } from '../capture/captured-values.js';
import type { Choice } from '../model/choice.js';
import type { StepRecord, StepStatus } from '../model/step-record.js';
import type { StepTable } from './step-table.js';

export type { Choice } from '../model/choice.js';
export type { StepRecord, StepStatus } from '../model/step-record.js';

/** Why a step failed, for the failure menu: a summary and the last lines it (or its check) printed. */
export interface StepFailure {
  summary: string;
  tail: string[];
}

/** The menu (or the confirmation) the run was stopped from. */
export type AbortOrigin = 'before' | 'failure' | 'interrupted' | 'confirm';

/** How many steps ended each way. */
export interface Tally {
  done: number;
  skipped: number;
  'not-applicable': number;
  failed: number;
}

/**
 * What the run knows: where it is in the order of steps, the current step's record and what
 * explains it (its exit code, output tail, failure), and how many steps this machine finished.
 * A finished step leaves nothing behind here: it is announced (`step.finished`) and journaled,
 * so the context, and each snapshot of it, stays the same size however long the runbook.
 */
/** Where the current `foreach` step's items stand: the keys to run this pass, and how they went. */
export interface FanState {
  /** Keys of the items this pass runs, in order (items finished before are not among them). */
  keys: string[];
  /** How many of `keys` were started. */
  next: number;
  running: number;
  /** How many items of this pass ended done. */
  done: number;
  /** The items that failed this pass, with why. */
  failed: Array<{ key: string; reason: string }>;
  /** How many items the step has in all. */
  total: number;
}

export interface RestoreContext {
  /** The current step's place in the machine's order (the order itself is not part of the context). */
  position: number;
  /** The step the machine is at, and its record. */
  current?: string;
  record?: StepRecord;
  /** Steps this machine finished, by how they ended. */
  tally: Tally;
  outcome?: 'done' | 'failed' | 'aborted';
  /** The current step's last command: its exit code and last output lines. */
  exit?: { code?: number; tail: string[] };
  /** Why the current step failed, for the failure menu. */
  failure?: StepFailure;
  /** Where the run was stopped from, and why. */
  abortedFrom?: AbortOrigin;
  abortReason?: string;
  /** Stopped before a step whose confirmation nobody gave: its id. */
  needsConfirm?: string;
  /**
   * The values steps captured, by step id: later steps' commands and checks are bound to them.
   * Only steps that capture leave anything here.
   */
  captures: Captures;
  /** The current `foreach` step's items. */
  fan?: FanState;
}

/** The context a machine starts from: at the first step of its order, nothing finished. */
export function startContext(captures: Captures = {}): RestoreContext {
  return { position: 0, tally: { done: 0, skipped: 0, 'not-applicable': 0, failed: 0 }, captures };
}

/** Whether a recorded step has ended: one that may fail and go on has ended when it failed. */
export function hasEnded(step: { onFailure: 'stop' | 'continue' }, record: StepRecord | undefined): boolean {
  const status = record?.status;
  return status === 'done' || status === 'skipped' || status === 'not-applicable' || (status === 'failed' && step.onFailure === 'continue');
}

export interface StepInput {
  step: string;
}
export interface ChecksInput extends StepInput {
  set: 'precheck' | 'verify';
}
export interface AskInput extends StepInput {
  /** before: the step card; failure: after it failed; interrupted: its command may or may not have run before the run died. */
  menu: 'before' | 'failure' | 'interrupted';
}
export interface SleepInput extends StepInput {
  ms: number;
}

export interface ChecksOutput {
  ok: boolean;
  /** Label of the first failing check. */
  failed?: string;
  /** Why a verify check failed, for the failure menu. */
  failure?: StepFailure;
}
export interface StepOutput {
  ok: boolean;
  reason?: string;
  /** What the step captured of its output (or the operator's answer), by name. */
  captures?: Record<string, CapturedValue>;
  /** Set when a command ran: how it exited and its last output lines. */
  exited?: { code?: number; tail: string[] };
  failure?: StepFailure;
}
export interface AskOutput {
  choice: Choice;
  reason?: string;
}
export interface ConfirmOutput {
  confirmed: boolean;
  /** Declined with nobody there to ask again: the run stops here, and this says why. */
  stop?: string;
}

/** Emitted by the machine when a step is finished. */
export interface StepFinishedEvent {
  type: 'step.finished';
  step: string;
  record: StepRecord;
  /** The exit code of its last command, when it ran one. */
  exitCode?: number;
}

/** Emitted by the machine when work on a step starts (once per step and run). */
export interface StepStartedEvent {
  type: 'step.started';
  step: string;
}

/** Output of listItems: the keys of the items still to run, and how many the step has in all. */
export interface ListOutput {
  keys: string[];
  total: number;
}

/** Input of a runItem actor: which item of the current step, and which attempt of the step. */
export interface ItemInput extends StepInput {
  key: string;
  attempt: number;
}

/** Output of runItem: how the item ended. */
export interface ItemOutput {
  key: string;
  ok: boolean;
  reason?: string;
}

/** Output of decideStep: whether the step applies, and if not, the condition that did not hold. */
export interface DecideOutput {
  applies: boolean;
  reason?: string;
}

/** Output of recoverStep: whether the interrupted step's checks now pass. */
export interface RecoverOutput {
  ok: boolean;
  reason?: string;
  failure?: StepFailure;
}

/** Names of every actor the machine invokes; an executor provides each with `machine.provide`. */
export const ACTOR_NAMES = ['decideStep', 'runChecks', 'askOperator', 'confirmStep', 'runStep', 'sleep', 'recoverStep', 'listItems', 'runItem'] as const;

/** Actors by name, in place of the defaults (which refuse to run). */
export type RestoreActors = Partial<Record<(typeof ACTOR_NAMES)[number], AnyActorLogic>>;

/** How a machine is made: its actors, and whether anybody reads the step cards. */
export interface MachineOptions {
  actors?: RestoreActors;
  /**
   * Nobody answers the step card: a step that is not manual goes straight on (its confirmation,
   * if any, is still asked of the unattended policy). Manual steps still ask.
   */
  unattended?: boolean;
}

function notProvided(name: string) {
  return fromPromise<never, unknown>(async () => {
    throw new Error(`the ${name} actor has no implementation: provide one with machine.provide()`);
  });
}

type RestoreEvent = { type: string; output?: unknown; error?: unknown };
type Output<T> = { output?: T } & Record<string, unknown>;
const output = <T>(event: unknown): T | undefined => (event as Output<T>).output;

const errorMessage = (event: unknown): string | undefined => (event as { error?: { message?: string } }).error?.message;

/** The current step's record (every state of a step has one: `beginStep` sets it). */
const recordOf = (context: RestoreContext): StepRecord => context.record ?? { status: 'pending', attempts: 0 };

/**
 * The guards that choose the current step's way through the lifecycle, from its traits in the
 * table (the plan is not in the context) and the answer the last actor gave.
 */
function stepGuards(table: StepTable, unattended: boolean) {
  type Args = { context: RestoreContext; event: RestoreEvent };
  const here = (context: RestoreContext) => table.at(context.position);
  return {
    stepsLeft: ({ context }: Args) => context.position < table.count,
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
    recovers: ({ context }: Args) => !here(context).manual && !here(context).ask && !here(context).fanOut && (context.record?.status === 'running' || context.record?.status === 'verifying'),
    hasPrecheck: ({ context }: Args) => here(context).precheck,
    /** Unattended, nobody reads the card of a step that is not manual: it goes straight on. An ask step's question is its card. */
    asks: ({ context }: Args) => (!unattended && !here(context).ask) || here(context).manual,
    confirms: ({ context }: Args) => here(context).confirm,
    manual: ({ context }: Args) => here(context).manual,
    hasVerify: ({ context }: Args) => here(context).verify,
    continues: ({ context }: Args) => here(context).onFailure === 'continue',
    /** Manual steps are never retried on their own: a person is asked again instead. */
    canRetry: ({ context }: Args) => !here(context).manual && recordOf(context).attempts <= here(context).retries,
  };
}

/** Why the current step failed or was skipped, from the answer or error that says so. */
function reasonFrom(context: RestoreContext, event: RestoreEvent): Partial<RestoreContext> {
  const out = output<{ reason?: string; failed?: string; failure?: StepFailure }>(event);
  const reason = out?.reason ?? (out?.failed ? `check failed: ${out.failed}` : undefined) ?? errorMessage(event);
  const record = { ...recordOf(context), reason };
  // An actor that threw (a list that cannot be read, a bug) is explained by its error.
  const thrown = errorMessage(event);
  if (!out && thrown !== undefined) return { record, failure: { summary: thrown, tail: context.exit?.tail ?? [] } };
  if (!out?.failure) return { record };
  // A check that printed nothing is explained best by what the step's own command printed.
  const tail = out.failure.tail.length > 0 ? out.failure.tail : (context.exit?.tail ?? []);
  return { record, failure: { summary: out.failure.summary, tail } };
}

/** Where the run was stopped from and why, from the answer (or the broken question) that stopped it. */
function abortFrom(context: RestoreContext, event: RestoreEvent, from: AbortOrigin): Partial<RestoreContext> {
  const answer = output<AskOutput & ConfirmOutput>(event);
  const error = errorMessage(event);
  const reason = answer?.stop ?? answer?.reason ?? (error !== undefined && from !== 'confirm' ? `the question could not be asked: ${error}` : error);
  return { abortedFrom: from, abortReason: reason, ...(answer?.stop !== undefined ? { needsConfirm: context.current } : {}) };
}

/**
 * The restore machine's named implementations over a table of steps. Configs reference only these
 * names (with JSON params), so a config is plain data and a run's snapshot can be persisted. Every
 * action returns a new context (nothing is edited in place), so two actors of one machine share
 * nothing and a transition is a pure function of snapshot and event. Each copies only the
 * current step's record: the cost of a transition does not grow with the plan.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the declarative table of the machine's named actions, guards and actors, one entry per name.
export function restoreSetup(table: StepTable, options: MachineOptions = {}) {
  const defaults = Object.fromEntries(ACTOR_NAMES.map((name) => [name, notProvided(name)])) as Record<(typeof ACTOR_NAMES)[number], AnyActorLogic>;
  return setup({
    types: {
      context: {} as RestoreContext,
      events: {} as RestoreEvent,
      emitted: {} as StepFinishedEvent | StepStartedEvent,
    },
    actors: { ...defaults, ...options.actors } as Record<(typeof ACTOR_NAMES)[number], AnyActorLogic>,
    guards: stepGuards(table, options.unattended === true),
    actions: {
      /** A step is reached: its record (what an interrupted run had of it, if anything), and nothing of the last one's. */
      beginStep: assign(({ context }) => {
        const id = table.at(context.position).id;
        return { current: id, record: table.recorded(id) ?? { status: 'pending' as const, attempts: 0 }, exit: undefined, failure: undefined };
      }),
      announceStep: emit(({ context }) => ({ type: 'step.started' as const, step: context.current! })),
      setStatus: assign(({ context }, params: { status: StepStatus; attempt?: boolean }) => {
        const previous = recordOf(context);
        // `attempt`: entering `running` starts one more attempt of the step's action.
        const record: StepRecord = { ...previous, status: params.status, attempts: previous.attempts + (params.attempt ? 1 : 0) };
        // A step that ends done succeeded in the end: an earlier attempt's failure is no longer its reason.
        if (params.status === 'done') delete record.reason;
        return { record };
      }),
      noteVia: assign(({ context }, params: { via: 'precheck' | 'operator' | 'recovered' }) => ({ record: { ...recordOf(context), via: params.via } })),
      /** The step captured values (or was answered): later steps are bound to them. */
      keepCaptures: assign(({ context, event }) => {
        const captured = output<StepOutput>(event)?.captures;
        return captured ? { captures: { ...context.captures, [context.current!]: captured } } : {};
      }),
      /** The items of a foreach step to run this pass. */
      startFan: assign(({ event }) => {
        const listed = output<ListOutput>(event)!;
        return { fan: { keys: listed.keys, next: 0, running: 0, done: 0, failed: [], total: listed.total } };
      }),
      /** Starts items until `concurrency` run at once, each an actor of its own (spawned by name, so a snapshot can hold it). */
      spawnItems: enqueueActions(({ context, enqueue }) => {
        const fan = context.fan!;
        const room = Math.max(0, (table.at(context.position).fanOut?.concurrency ?? 1) - fan.running);
        const starting = fan.keys.slice(fan.next, fan.next + room);
        if (starting.length === 0) return;
        const attempt = recordOf(context).attempts;
        enqueue.assign({ fan: { ...fan, next: fan.next + starting.length, running: fan.running + starting.length } });
        for (const key of starting) enqueue.spawnChild('runItem', { id: `item:${attempt}:${key}`, input: { step: context.current!, key, attempt } });
      }),
      /**
       * An item ended: counted, its failure kept for the step's reason, and its actor let go (a spawned
       * actor stays a child until stopped: kept, every snapshot would carry every finished item).
       */
      noteItem: enqueueActions(({ context, event, enqueue }) => {
        const fan = context.fan!;
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
      noteFanFailure: assign(({ context }) => {
        const failed = context.fan?.failed ?? [];
        const shown = failed
          .slice(0, 5)
          .map((f) => `${f.key} (${f.reason})`)
          .join('; ');
        const summary = `${failed.length} of ${context.fan?.total ?? failed.length} items failed: ${shown}${failed.length > 5 ? `; and ${failed.length - 5} more` : ''}`;
        return { record: { ...recordOf(context), reason: summary }, failure: { summary, tail: failed.map((f) => `${f.key}: ${f.reason}`).slice(-10) } };
      }),
      /** A command ran: its exit code and last lines, which explain a check that fails after it. */
      noteExit: assign(({ context, event }) => {
        const exited = output<StepOutput>(event)?.exited;
        return { exit: exited ? { code: exited.code, tail: exited.tail } : context.exit };
      }),
      noteReason: assign(({ context, event }) => reasonFrom(context, event)),
      /** The run stops at a menu (or a confirmation): where from and why, for the run's end. */
      noteAbort: assign(({ context, event }, params: { from: AbortOrigin }) => abortFrom(context, event, params.from)),
      /** The current step ended: counted by how. */
      countStep: assign(({ context }) => {
        const status = recordOf(context).status as keyof Tally;
        return { tally: { ...context.tally, [status]: context.tally[status] + 1 } };
      }),
      /** Announces a step that reached done, skipped or failed, in order, before the next step starts. */
      stepFinished: emit(({ context }) => ({
        type: 'step.finished' as const,
        step: context.current!,
        record: recordOf(context),
        ...(context.exit?.code !== undefined ? { exitCode: context.exit.code } : {}),
      })),
      /** On to the next step in the order: nothing of the finished one stays in the context. */
      advance: assign(({ context }) => ({ position: context.position + 1, current: undefined, record: undefined, exit: undefined, failure: undefined, fan: undefined })),
      finish: assign((_, params: { outcome: 'done' | 'failed' | 'aborted' }) => ({ outcome: params.outcome })),
    },
  });
}

type Invoke = { src: string; input?: Record<string, unknown> };

/**
 * Every actor works on the current step: its id (and, for the backoff's sleep, the step's retry
 * delay) joins the plain input an invoke names in the config.
 */
function withStepInputs(node: unknown, table: StepTable): unknown {
  if (Array.isArray(node)) return node.map((n) => withStepInputs(n, table));
  if (typeof node !== 'object' || node === null) return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withStepInputs(v, table)]));
  const invoke = node as Invoke;
  if (typeof invoke.src !== 'string') return copy;
  const given = invoke.input ?? {};
  copy.input = ({ context }: { context: RestoreContext }) => ({
    ...given,
    step: context.current,
    ...(invoke.src === 'sleep' ? { ms: table.at(context.position).retryDelayMs } : {}),
  });
  return copy;
}

/** Builds the executable machine from a config (plain data) over a table of steps, with the given actors. */
export function machineFromConfig(config: object, table: StepTable, options: MachineOptions = {}): AnyStateMachine {
  // The machine's output is its final context: how the run ended is all in there.
  const withOutput = { ...(withStepInputs(config, table) as object), output: ({ context }: { context: RestoreContext }) => context };
  return restoreSetup(table, options).createMachine(withOutput as never) as unknown as AnyStateMachine;
}
