import type { CapturedValue } from '../capture/captured-values.js';
import type { Choice } from '../model/choice.js';
import type { StepRecord } from '../model/step-record.js';

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

/** Where a `foreach` step's items stand: the keys to run this pass, and how they went. */
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

/** How a step's machine ended: its final record, its last exit code, and whether the run is to stop there. */
export interface StepEnd {
  step: string;
  record: StepRecord;
  exitCode?: number;
  abort?: { from: AbortOrigin; reason?: string; needsConfirm?: boolean };
}
