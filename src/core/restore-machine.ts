import { assign, createMachine, emit, fromPromise, setup, type AnyActorLogic, type AnyStateMachine } from 'xstate';

/** Where a step stands; the machine's state value says the same for the current step. */
export type StepStatus = 'pending' | 'precheck' | 'awaiting' | 'running' | 'verifying' | 'backoff' | 'done' | 'skipped' | 'failed';

/** What the run remembers of a step once it has been reached. */
export interface StepRecord {
  status: StepStatus;
  /** How many times its action started. */
  attempts: number;
  /** `precheck` when it was already done, `operator` when marked done by hand, `recovered` when its checks passed after an interruption. */
  via?: 'precheck' | 'operator' | 'recovered';
  /** The operator's reason for a skip, or why the step failed. */
  reason?: string;
}

export interface RestoreContext {
  steps: Record<string, StepRecord>;
  outcome?: 'done' | 'failed' | 'aborted';
}

/** The operator's answer to a menu. */
export type Choice = 'run' | 'skip' | 'retry' | 'mark-done' | 'abort';

/** Whether the context records the step as having ended in one of these statuses. */
export function endedAs(context: RestoreContext, step: string, statuses: readonly StepStatus[]): boolean {
  return statuses.includes(context.steps[step]?.status ?? 'pending');
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
}
export interface StepOutput {
  ok: boolean;
  reason?: string;
}
export interface AskOutput {
  choice: Choice;
  reason?: string;
}
export interface ConfirmOutput {
  confirmed: boolean;
}

/** Emitted by the machine when a step is finished. */
export interface StepFinishedEvent {
  type: 'step.finished';
  step: string;
  record: StepRecord;
}

/** Names of every actor the machine invokes; an executor provides each with `machine.provide`. */
export const ACTOR_NAMES = ['runChecks', 'askOperator', 'confirmStep', 'runStep', 'sleep', 'recoverStep'] as const;

function notProvided(name: string) {
  return fromPromise<never, unknown>(async () => {
    throw new Error(`the ${name} actor has no implementation: provide one with machine.provide()`);
  });
}

/** Replaces one step's record in the table and returns the table. */
function put(steps: Record<string, StepRecord>, step: string, record: StepRecord): Record<string, StepRecord> {
  steps[step] = record;
  return steps;
}

type Output<T> = { output?: T } & Record<string, unknown>;
const output = <T>(event: unknown): T | undefined => (event as Output<T>).output;

/**
 * The restore machine's named implementations. Compiled configs reference only these names
 * (with JSON params), so a config is plain data and a run's snapshot can be persisted.
 */
export const restoreSetup = setup({
  types: {
    context: {} as RestoreContext,
    events: {} as { type: string; output?: unknown; error?: unknown },
    emitted: {} as StepFinishedEvent,
  },
  actors: {
    runChecks: notProvided('runChecks'),
    askOperator: notProvided('askOperator'),
    confirmStep: notProvided('confirmStep'),
    runStep: notProvided('runStep'),
    sleep: notProvided('sleep'),
    recoverStep: notProvided('recoverStep'),
  },
  guards: {
    passed: ({ event }) => output<ChecksOutput>(event)?.ok === true,
    succeeded: ({ event }) => output<StepOutput>(event)?.ok === true,
    confirmed: ({ event }) => output<ConfirmOutput>(event)?.confirmed === true,
    choiceIs: ({ event }, params: { choice: Choice }) => output<AskOutput>(event)?.choice === params.choice,
    canRetry: ({ context }, params: { step: string; retries: number }) => (context.steps[params.step]?.attempts ?? 0) <= params.retries,
    /** On resume: the step already ended in one of these statuses. */
    endedAs: ({ context }, params: { step: string; statuses: StepStatus[] }) => endedAs(context, params.step, params.statuses),
  },
  // The step records grow with the runbook; copying them on every transition made long runs
  // quadratic. Each record is replaced whole (never edited), and the record table itself is
  // updated in place: no earlier snapshot is kept to be looked back at.
  actions: {
    setStatus: assign(({ context }, params: { step: string; status: StepStatus; attempt?: boolean }) => {
      const previous = context.steps[params.step] ?? { attempts: 0 };
      // `attempt`: entering `running` starts one more attempt of the step's action.
      const record: StepRecord = { ...previous, status: params.status, attempts: previous.attempts + (params.attempt ? 1 : 0) };
      // A step that ends done succeeded in the end: an earlier attempt's failure is no longer its reason.
      if (params.status === 'done') delete record.reason;
      return { steps: put(context.steps, params.step, record) };
    }),
    /** Announces a step that reached done, skipped or failed, in order, before the next step starts. */
    stepFinished: emit(({ context }, params: { step: string }) => ({ type: 'step.finished', step: params.step, record: context.steps[params.step]! })),
    noteVia: assign(({ context }, params: { step: string; via: 'precheck' | 'operator' | 'recovered' }) => ({
      steps: put(context.steps, params.step, { ...context.steps[params.step]!, via: params.via }),
    })),
    noteReason: assign(({ context, event }, params: { step: string }) => {
      const out = output<{ reason?: string; failed?: string }>(event);
      const error = (event as { error?: { message?: string } }).error;
      const reason = out?.reason ?? (out?.failed ? `check failed: ${out.failed}` : undefined) ?? error?.message;
      return { steps: put(context.steps, params.step, { ...context.steps[params.step]!, reason }) };
    }),
    finish: assign((_, params: { outcome: 'done' | 'failed' | 'aborted' }) => ({ outcome: params.outcome })),
  },
});

/** Output of recoverStep: whether the interrupted step's checks now pass. */
export interface RecoverOutput {
  ok: boolean;
  reason?: string;
}

// An empty machine, only to reach the named implementations that setup() holds.
const named = restoreSetup.createMachine({ context: { steps: {} } }).implementations;

/**
 * Builds the executable machine from a compiled config, with the given actors in place of the
 * defaults. (`machine.provide()` would parse a large config a second time.)
 */
export function machineFromConfig(config: object, actors: Partial<Record<(typeof ACTOR_NAMES)[number], AnyActorLogic>> = {}): AnyStateMachine {
  return createMachine(config as Parameters<typeof createMachine>[0], { ...named, actors: { ...named.actors, ...actors } } as never);
}
