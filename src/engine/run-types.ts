import type { Captures } from '../core/capture/captured-values.js';
import type { StepRecord } from '../core/machine/machine-setup.js';
import type { Plan, PlanStep } from '../core/model/plan-types.js';
import type { RunStatus, StepCounts } from '../core/model/run-event.js';
import type { CheckRunner } from '../ports/check-runner.js';
import type { Clock } from '../ports/clock.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { EventSink } from '../ports/event-sink.js';
import type { ProcessTable } from '../ports/process-table.js';
import type { Prompter } from '../ports/prompter.js';

/** The effects a run uses; tests and --dry-run swap them. */
export interface RunPorts {
  runner: CommandRunner;
  checks: CheckRunner;
  prompter: Prompter;
  sink: EventSink;
  clock: Clock;
  /** A probe rehearsal's live runner: a step marked `readonly` runs on it for real, for its captures. */
  probeRunner?: CommandRunner;
  /** Processes left by an interrupted run; needed only when resuming. */
  processes?: ProcessTable;
}

/** The step whose command may have been running when an earlier run died. */
export interface InFlight {
  step: string;
  /** Its process group, when the journal recorded the spawn. */
  pgid?: number;
  startTicks?: number;
  /** When the journal saw it spawned (ISO time): its timeout counts from then. */
  spawnedAt?: string;
}

export interface RunSettings {
  runId: string;
  plan: Plan;
  /** Secret values by name, read at the start of the run. */
  secrets: ReadonlyMap<string, string>;
  /** Absolute path of the steps folder, where script steps live. */
  stepsDir: string;
  /** The node binary that runs zx script steps. */
  nodePath: string;
  /** What runs a script step, before its path and arguments (node with zx); `nodePath` alone when unset. */
  scriptRunner?: readonly string[];
  /** Aborted on Ctrl-C or SIGTERM: the running command's process group is killed. */
  signal?: AbortSignal;
  /** Nobody reads the step cards (--yes): steps that are not manual go straight on, unasked. */
  unattended?: boolean;
  /** How many steps may run at once (`--concurrency`); the runbook's `concurrency`, else 1, when unset. */
  concurrency?: number;
  /** A rehearsal: confirmations are walked through, not given. */
  dryRun?: boolean;
  /** Resuming: what the interrupted run had recorded of each step it reached (read, never copied per step). */
  recorded?: Readonly<Record<string, StepRecord>>;
  /** Resuming: the values the interrupted run had captured (secret ones are never kept, so never here). */
  captures?: Captures;
  /** The answers given on the command line (`--answer STEP=VALUE`), by step id. */
  answers?: ReadonlyMap<string, string>;
  /** Told each captured secret value, so that checks can reveal it and every screen and record masks it. */
  learnSecret?: (name: string, value: string) => void;
  /** Resuming: the items of each foreach step that ended done before, by step id. */
  itemsDone?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Resuming: the items whose command may still be running, by `STEP\nKEY`. */
  inFlightItems?: ReadonlyMap<string, Omit<InFlight, 'step'>>;
  /** Resuming: the command that may still be running. */
  inFlight?: InFlight;
  /** Resuming: when the run first started (ms since the epoch), so that its elapsed time goes on from there. */
  runStartedAt?: number;
  /**
   * Saves the machine's persisted snapshot after every transition (given as a function, so a
   * store that coalesces writes only builds the ones it writes). The journal, written before
   * each thing happens, stays the record a resume trusts first.
   */
  persist?: (snapshot: () => unknown) => void;
}

export interface RunOutcome {
  status: RunStatus;
  /** The step the run stopped at, when it did not finish. */
  stoppedAt?: PlanStep;
  message?: string;
  counts: StepCounts;
  /** The run stopped at a question only a person can answer (a manual step, an interrupted step that is not idempotent). */
  needsPerson?: boolean;
  /** The run stopped before a step whose confirmation nobody gave: its id, for `--confirm ID`. */
  needsConfirm?: string;
}
