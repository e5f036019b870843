import type { AgeMeasure } from './age-measure.js';
import type { Choice } from './choice.js';

/** Which set of checks ran. */
export type CheckSet = 'precheck' | 'verify' | 'wait' | 'when';

/** How many of a run's steps ended each way (`not-applicable` is absent from runs recorded before conditions existed). */
export type StepCounts = Record<'done' | 'skipped' | 'failed' | 'pending', number> & { 'not-applicable'?: number };

/** How a whole run ended. */
export type RunStatus = 'done' | 'failed' | 'aborted' | 'interrupted';

/** Everything that happens in a run, as recorded in the journal and shown on screen: a union on `kind`. */
export type RunEvent =
  | {
      kind: 'run.started';
      runId: string;
      runbook: { name: string; path: string; hash: string };
      selection: { only?: string[]; from?: string; skip?: string[] };
      vars: Record<string, string>;
      operator: string;
      hostname: string;
      version: string;
      mode: 'interactive' | 'unattended';
      dryRun: boolean;
      /** A rehearsal (`run --drill`): its purpose. */
      drill?: string;
      steps: number;
      phases: number;
    }
  /** `instructions`: what a manual step asks of the person (secrets by name only). */
  | { kind: 'step.started'; step: string; position: string; title: string; phase: string; action: string; host?: string; instructions?: string }
  /** `until` and `timeoutMs`: a wait step's checks and how long it waits for them. */
  | { kind: 'step.attempt'; step: string; item?: string; attempt: number; command?: string; host?: string; until?: string[]; timeoutMs?: number }
  /** A wait step's first check still failing, recorded when it changes (not on every poll). */
  | { kind: 'wait.pending'; step: string; check: string }
  | { kind: 'step.spawned'; step: string; item?: string; attempt: number; pid: number; pgid: number; startTicks?: number }
  | { kind: 'step.output'; step: string; item?: string; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'step.exited'; step: string; item?: string; attempt: number; exitCode?: number; signal?: string; timedOut: boolean; durationMs: number; error?: string; interrupted?: boolean }
  | { kind: 'check.passed'; step: string; item?: string; set: CheckSet; check: string; durationMs: number; assumed?: boolean; measured?: AgeMeasure }
  /** `interrupted`: it failed because the run was being stopped (Ctrl-C), not on its own. */
  | {
      kind: 'check.failed';
      step: string;
      item?: string;
      set: CheckSet;
      check: string;
      durationMs: number;
      reason: string;
      output?: string;
      assumed?: boolean;
      measured?: AgeMeasure;
      interrupted?: boolean;
    }
  /** `waitedMs`: how long the question waited for its answer (time in a shell opened from it not included). */
  | {
      kind: 'operator.choice';
      step: string;
      menu: 'before' | 'failure' | 'interrupted' | 'confirm' | 'still-running';
      choice: Choice | 'confirmed' | 'declined' | 'wait' | 'kill';
      reason?: string;
      by: 'operator' | 'unattended';
      waitedMs?: number;
    }
  /** A shell opened from a menu: where, then (on `shell.closed`) how it ended and how long it was open. */
  | { kind: 'shell.opened'; step: string; where: string }
  | { kind: 'shell.closed'; step: string; where: string; durationMs: number; exitCode?: number; signal?: string; error?: string }
  /** `durationMs`: working time, start to finish less the time spent at menus (`waitedMs`) and in shells. */
  | {
      kind: 'step.finished';
      step: string;
      position: string;
      status: 'done' | 'skipped' | 'not-applicable' | 'failed';
      via?: string;
      exitCode?: number;
      attempts: number;
      durationMs: number;
      reason?: string;
      waitedMs?: number;
    }
  /** A foreach step's items for this pass: every key, and how many are still to run (the others finished before). */
  | { kind: 'step.items'; step: string; attempt: number; keys: string[]; pending: number }
  /** One item of a foreach step ended. */
  | { kind: 'item.finished'; step: string; item: string; status: 'done' | 'failed'; via?: 'precheck' | 'recovered'; attempt: number; durationMs: number; reason?: string }
  /** A step's `when:` decided: each condition, whether it held, and what it saw. */
  | { kind: 'step.decided'; step: string; applies: boolean; conditions: Array<{ condition: string; held: boolean; detail?: string }> }
  /** What a step captured (secret values masked), or the answer an ask step got and from whom. */
  | { kind: 'step.captured'; step: string; attempt: number; values: Record<string, unknown>; by?: 'operator' | 'flag' | 'default' }
  | { kind: 'run.note'; level: 'info' | 'warn'; message: string; step?: string }
  | {
      kind: 'run.resumed';
      runId: string;
      operator: string;
      hostname: string;
      version: string;
      mode: 'interactive' | 'unattended';
      at?: string;
      acceptedChanges?: { added: string[]; removed: string[]; edited: string[] };
    }
  | { kind: 'run.finished'; status: RunStatus; durationMs: number; counts: StepCounts; stoppedAt?: string; message?: string };

export type RunEventKind = RunEvent['kind'];
