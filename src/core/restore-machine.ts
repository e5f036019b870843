import { assign, createMachine, emit, enqueueActions, fromPromise, setup, type AnyActorLogic, type AnyStateMachine } from 'xstate';

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

/** Why a step failed, for the failure menu: a summary and the last lines it (or its check) printed. */
export interface StepFailure {
  summary: string;
  tail: string[];
}

/** The menu (or the confirmation) the run was stopped from. */
export type AbortOrigin = 'before' | 'failure' | 'interrupted' | 'confirm';

/**
 * What the run knows. Besides the step records, only the step being worked on is described
 * (its exit code, output tail, failure): a finished step leaves nothing behind but its record.
 */
export interface RestoreContext {
  steps: Record<string, StepRecord>;
  outcome?: 'done' | 'failed' | 'aborted';
  /** The step the machine is at: the last one entered or started. */
  current?: string;
  /** The step whose start was announced (`step.started`), so that it is announced once. */
  started?: string;
  /** The current step's last command: its exit code and last output lines. */
  exit?: { step: string; code?: number; tail: string[] };
  /** Why the current step failed, for the failure menu. */
  failure?: { step: string } & StepFailure;
  /** Where the run was stopped from, and why. */
  abortedFrom?: AbortOrigin;
  abortReason?: string;
  /** Stopped before a step whose confirmation nobody gave: its id. */
  needsConfirm?: string;
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
  /** Why a verify check failed, for the failure menu. */
  failure?: StepFailure;
}
export interface StepOutput {
  ok: boolean;
  reason?: string;
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

/** Names of every actor the machine invokes; an executor provides each with `machine.provide`. */
export const ACTOR_NAMES = ['runChecks', 'askOperator', 'confirmStep', 'runStep', 'sleep', 'recoverStep'] as const;

function notProvided(name: string) {
  return fromPromise<never, unknown>(async () => {
    throw new Error(`the ${name} actor has no implementation: provide one with machine.provide()`);
  });
}

/** A new record table with one step's record replaced: the previous table is left as it was. */
function put(steps: Record<string, StepRecord>, step: string, record: StepRecord): Record<string, StepRecord> {
  return { ...steps, [step]: record };
}

type Output<T> = { output?: T } & Record<string, unknown>;
const output = <T>(event: unknown): T | undefined => (event as Output<T>).output;

const errorMessage = (event: unknown): string | undefined => (event as { error?: { message?: string } }).error?.message;

/**
 * The restore machine's named implementations. Compiled configs reference only these names
 * (with JSON params), so a config is plain data and a run's snapshot can be persisted. Every
 * action returns a new context (nothing is edited in place), so two actors of one machine
 * share nothing and a transition is a pure function of snapshot and event.
 */
export const restoreSetup = setup({
  types: {
    context: {} as RestoreContext,
    events: {} as { type: string; output?: unknown; error?: unknown },
    emitted: {} as StepFinishedEvent | StepStartedEvent,
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
    /** Declined with nobody there: the run stops. */
    stopped: ({ event }) => output<ConfirmOutput>(event)?.stop !== undefined,
    choiceIs: ({ event }, params: { choice: Choice }) => output<AskOutput>(event)?.choice === params.choice,
    canRetry: ({ context }, params: { step: string; retries: number }) => (context.steps[params.step]?.attempts ?? 0) <= params.retries,
    /** On resume: the step already ended in one of these statuses. */
    endedAs: ({ context }, params: { step: string; statuses: StepStatus[] }) => endedAs(context, params.step, params.statuses),
  },
  actions: {
    setStatus: assign(({ context }, params: { step: string; status: StepStatus; attempt?: boolean }) => {
      const previous = context.steps[params.step] ?? { attempts: 0 };
      // `attempt`: entering `running` starts one more attempt of the step's action.
      const record: StepRecord = { ...previous, status: params.status, attempts: previous.attempts + (params.attempt ? 1 : 0) };
      // A step that ends done succeeded in the end: an earlier attempt's failure is no longer its reason.
      if (params.status === 'done') delete record.reason;
      return { steps: put(context.steps, params.step, record), current: params.step };
    }),
    /** Work on a step starts: announced once, whichever state of the step gets there first. */
    startStep: enqueueActions(({ context, enqueue }, params: { step: string }) => {
      if (context.started === params.step) return;
      enqueue.assign({ started: params.step, current: params.step });
      enqueue.emit({ type: 'step.started', step: params.step });
    }),
    /** Announces a step that reached done, skipped or failed, in order, before the next step starts. */
    stepFinished: emit(({ context }, params: { step: string }) => ({
      type: 'step.finished' as const,
      step: params.step,
      record: context.steps[params.step]!,
      ...(context.exit?.step === params.step && context.exit.code !== undefined ? { exitCode: context.exit.code } : {}),
    })),
    noteVia: assign(({ context }, params: { step: string; via: 'precheck' | 'operator' | 'recovered' }) => ({
      steps: put(context.steps, params.step, { ...context.steps[params.step]!, via: params.via }),
    })),
    /** A command ran: its exit code and last lines, which explain a check that fails after it. */
    noteExit: assign(({ context, event }, params: { step: string }) => {
      const exited = output<StepOutput>(event)?.exited;
      return exited ? { exit: { step: params.step, code: exited.code, tail: exited.tail } } : { exit: context.exit };
    }),
    noteReason: assign(({ context, event }, params: { step: string }) => {
      const out = output<{ reason?: string; failed?: string; failure?: StepFailure }>(event);
      const reason = out?.reason ?? (out?.failed ? `check failed: ${out.failed}` : undefined) ?? errorMessage(event);
      const steps = put(context.steps, params.step, { ...context.steps[params.step]!, reason });
      if (!out?.failure) return { steps };
      // A check that printed nothing is explained best by what the step's own command printed.
      const own = context.exit?.step === params.step ? context.exit.tail : [];
      const tail = out.failure.tail.length > 0 ? out.failure.tail : own;
      return { steps, failure: { step: params.step, summary: out.failure.summary, tail } };
    }),
    /** The run stops at a menu (or a confirmation): where from and why, for the run's end. */
    noteAbort: assign(({ event }, params: { step: string; from: AbortOrigin }) => {
      const answer = output<AskOutput & ConfirmOutput>(event);
      const error = errorMessage(event);
      const reason = answer?.stop ?? answer?.reason ?? (error !== undefined && params.from !== 'confirm' ? `the question could not be asked: ${error}` : error);
      return { abortedFrom: params.from, abortReason: reason, ...(answer?.stop !== undefined ? { needsConfirm: params.step } : {}) };
    }),
    finish: assign((_, params: { outcome: 'done' | 'failed' | 'aborted' }) => ({ outcome: params.outcome })),
  },
});

/** Output of recoverStep: whether the interrupted step's checks now pass. */
export interface RecoverOutput {
  ok: boolean;
  reason?: string;
  failure?: StepFailure;
}

// An empty machine, only to reach the named implementations that setup() holds.
const named = restoreSetup.createMachine({ context: { steps: {} } }).implementations;

/**
 * Builds the executable machine from a compiled config, with the given actors in place of the
 * defaults. (`machine.provide()` would parse a large config a second time.)
 */
export function machineFromConfig(config: object, actors: Partial<Record<(typeof ACTOR_NAMES)[number], AnyActorLogic>> = {}): AnyStateMachine {
  // The machine's output is its final context: how the run ended is all in there.
  const withOutput = { ...config, output: ({ context }: { context: RestoreContext }) => context };
  return createMachine(withOutput as Parameters<typeof createMachine>[0], { ...named, actors: { ...named.actors, ...actors } } as never);
}
