import { type AnyActorLogic, type AnyStateMachine, assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { CapturedValue, Captures } from '../capture/captured-values.js';
import type { StepRecord } from '../model/step-record.js';
import type { AbortOrigin, StepEnd, StepFinishedEvent, StepStartedEvent, Tally } from './machine-types.js';
import { stepLifecycle } from './step-lifecycle.js';
import type { StepTable } from './step-table.js';

export type { Choice } from '../model/choice.js';
export type { StepRecord, StepStatus } from '../model/step-record.js';
export type * from './machine-types.js';

/**
 * What the run knows: which steps run now (each a machine of its own, spawned by the run, whose
 * context holds its record), how far through the order of steps it is, how many steps it
 * finished, and the values steps captured. A finished step leaves nothing behind here: it is
 * announced (`step.finished`) and journaled, so the context, and each snapshot of it, stays the
 * same size however long the runbook.
 */
export interface RestoreContext {
  /** The places (in the machine's order) of the steps running now. */
  running: number[];
  /** The first place in the order not yet started or passed over. */
  next: number;
  /** Places before `next` passed over while a step they wait for runs: they start once it ends. */
  waiting: number[];
  /** Steps this machine finished, by how they ended. */
  tally: Tally;
  outcome?: 'done' | 'failed' | 'aborted';
  /** The step the run was stopped at, and its record. */
  current?: string;
  record?: StepRecord;
  /** Steps stopped at their failure menu: they count as failed. */
  stoppedFailed: number;
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
}

/** The context a machine starts from: at the first step of its order, nothing finished. */
export function startContext(captures: Captures = {}): RestoreContext {
  return { running: [], next: 0, waiting: [], stoppedFailed: 0, tally: { done: 0, skipped: 0, 'not-applicable': 0, failed: 0 }, captures };
}

/** Whether a recorded step has ended: one that may fail and go on has ended when it failed. */
export function hasEnded(step: { onFailure: 'stop' | 'continue' }, record: StepRecord | undefined): boolean {
  const status = record?.status;
  return status === 'done' || status === 'skipped' || status === 'not-applicable' || (status === 'failed' && step.onFailure === 'continue');
}

/** Names of every actor a step's machine invokes; an executor provides each. */
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
    throw new Error(`the ${name} actor has no implementation: give one in the machine's options`);
  });
}

type RestoreEvent = { type: string; output?: unknown; error?: unknown; step?: string; captures?: Record<string, CapturedValue> };

/** The id of the actor that carries a step. */
export const stepActorId = (step: string) => `step:${step}`;

/** How far ahead of the first step not started the run looks for steps that may start. */
const LOOKAHEAD = 256;

/**
 * The places of the steps that may start now, in order, and the places passed over: the waiting
 * ones first, then the next places in the order, while there is room under the concurrency.
 */
export function stepsToStart(context: RestoreContext, table: StepTable): { start: number[]; next: number; waiting: number[] } {
  let room = table.concurrency - context.running.length;
  if (room <= 0 || context.abortedFrom !== undefined) return { start: [], next: context.next, waiting: context.waiting };
  const waitingNow = new Set(context.waiting);
  const runningNow = new Set(context.running);
  const ended = (place: number) => place < context.next && !waitingNow.has(place) && !runningNow.has(place);
  const ready = (place: number) => table.waits(place).every(ended);
  const start: number[] = [];
  const waiting: number[] = [];
  for (const place of context.waiting) {
    if (room > 0 && ready(place)) {
      start.push(place);
      room -= 1;
    } else waiting.push(place);
  }
  let next = context.next;
  while (room > 0 && next < table.count && waiting.length < LOOKAHEAD) {
    if (ready(next)) {
      start.push(next);
      room -= 1;
    } else waiting.push(next);
    next += 1;
  }
  return { start, next, waiting };
}

/**
 * The run's named implementations over a table of steps: it starts each step as a machine of
 * its own, as many at once as the concurrency allows and their waits let, counts and announces
 * each as it ends, and keeps what they capture. Every action returns a new context.
 */
export function restoreSetup(table: StepTable, options: MachineOptions = {}) {
  const defaults = Object.fromEntries(ACTOR_NAMES.map((name) => [name, notProvided(name)])) as Record<string, AnyActorLogic>;
  const lifecycle = stepLifecycle(table, { actors: { ...defaults, ...options.actors } as Record<string, AnyActorLogic>, unattended: options.unattended });
  type Args = { context: RestoreContext; event: RestoreEvent };
  return setup({
    types: {
      context: {} as RestoreContext,
      events: {} as RestoreEvent,
      emitted: {} as StepFinishedEvent | StepStartedEvent,
    },
    actors: { stepLifecycle: lifecycle },
    guards: {
      /** Every step ended, none waits. */
      allEnded: ({ context }: Args) => context.running.length === 0 && context.waiting.length === 0 && context.next >= table.count,
      /** The run is to stop, and no step runs any more. */
      halted: ({ context }: Args) => context.abortedFrom !== undefined && context.running.length === 0,
    },
    actions: {
      /** Starts the steps that may start now, each announced before its machine starts (so before anything it journals). */
      startSteps: enqueueActions(({ context, enqueue }) => {
        const plan = stepsToStart(context, table);
        if (plan.start.length === 0 && plan.next === context.next) return;
        enqueue.assign({ running: [...context.running, ...plan.start], next: plan.next, waiting: plan.waiting });
        for (const place of plan.start) {
          const id = table.at(place).id;
          enqueue.emit({ type: 'step.started', step: id });
          enqueue.spawnChild('stepLifecycle', { id: stepActorId(id), input: { step: id, position: place } });
        }
      }),
      /** A step's machine ended: it is counted and announced, or, stopping the run, remembered as where it stopped. */
      endStep: enqueueActions(({ context, event, enqueue }) => {
        const end = (event as { output?: StepEnd }).output;
        const child = String(event.type).replace(/^xstate\.(done|error)\.actor\./, '');
        const place = context.running.find((p) => stepActorId(table.at(p).id) === child);
        enqueue.stopChild(child);
        const running = context.running.filter((p) => p !== place);
        if (!end) {
          // A step's machine that broke (a fault of Lifeboat's own) stops the run where it is, resumable.
          const step = place !== undefined ? table.at(place).id : undefined;
          enqueue.assign({ running, ...firstStop(context, { step, from: 'interrupted', reason: errorMessage(event) ?? 'the step stopped unexpectedly' }) });
          return;
        }
        if (end.abort) {
          const failed = end.record.status === 'failed' ? 1 : 0;
          enqueue.assign({
            running,
            stoppedFailed: context.stoppedFailed + failed,
            ...firstStop(context, { step: end.step, record: end.record, from: end.abort.from, reason: end.abort.reason, needsConfirm: end.abort.needsConfirm }),
          });
          return;
        }
        const status = end.record.status as keyof Tally;
        enqueue.assign({ running, tally: { ...context.tally, [status]: context.tally[status] + 1 } });
        enqueue.emit({ type: 'step.finished', step: end.step, record: end.record, ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}) });
      }),
      /** A step captured values (or was answered): later steps are bound to them. */
      keepCaptures: assign(({ context, event }: Args) => {
        const captured = event.captures;
        return captured && event.step && Object.keys(captured).length > 0 ? { captures: { ...context.captures, [event.step]: captured } } : {};
      }),
      finish: assign((_, params: { outcome: 'done' | 'failed' | 'aborted' }) => ({ outcome: params.outcome })),
    },
  });
}

/** The first step to stop the run says where it stopped and why; a later one (beside it) does not change that. */
function firstStop(context: RestoreContext, stop: { step?: string; record?: StepRecord; from: AbortOrigin; reason?: string; needsConfirm?: boolean }): Partial<RestoreContext> {
  if (context.abortedFrom !== undefined) return {};
  return {
    current: stop.step,
    record: stop.record,
    abortedFrom: stop.from,
    abortReason: stop.reason,
    ...(stop.needsConfirm && stop.step ? { needsConfirm: stop.step } : {}),
  };
}

const errorMessage = (event: unknown): string | undefined => (event as { error?: { message?: string } }).error?.message;

/** Builds the executable machine from a config (plain data) over a table of steps, with the given actors. */
export function machineFromConfig(config: object, table: StepTable, options: MachineOptions = {}): AnyStateMachine {
  // The machine's output is its final context: how the run ended is all in there.
  const withOutput = { ...config, output: ({ context }: { context: RestoreContext }) => context };
  return restoreSetup(table, options).createMachine(withOutput as never) as unknown as AnyStateMachine;
}

/** A compiled machine with some of its steps' actors swapped: XState's `provide`, reaching into the machine each step runs on. */
export function provideActors(machine: AnyStateMachine, actors: RestoreActors): AnyStateMachine {
  const lifecycle = machine.implementations.actors.stepLifecycle as AnyStateMachine;
  return machine.provide({ actors: { stepLifecycle: lifecycle.provide({ actors: actors as never }) } });
}
