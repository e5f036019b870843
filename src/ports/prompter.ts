import type { AskOutput } from '../core/machine/machine-setup.js';
import type { PlanStep, Question } from '../core/model/plan-types.js';

/** What went wrong with a step, for the failure menu. */
export interface FailureInfo {
  summary: string;
  /** The last lines of output or of the failing check. */
  tail: string[];
}

/** Asks the operator what to do; the inquirer adapter asks a person, the scripted one answers by policy. */
export interface Prompter {
  /** Before a step: run (or "done" for a manual step), skip with a reason, or abort. */
  beforeStep(step: PlanStep, context: PromptContext): Promise<AskOutput>;
  /** After a failure: retry, mark done, skip with a reason, or abort. */
  afterFailure(step: PlanStep, failure: FailureInfo, context: PromptContext): Promise<AskOutput>;
  /**
   * A step whose command may or may not have run when the run died, and whose checks do not
   * prove it done: run it again, mark it done, skip it, or abort.
   */
  afterInterruption(step: PlanStep, info: FailureInfo, context: PromptContext): Promise<AskOutput>;
  /** The command a dead run started is still running: wait for it, or kill its process group. */
  stillRunning(step: PlanStep, pid: number): Promise<'wait' | 'kill'>;
  /** An ask step's question, shown as `text`: the answer (one of its choices, or matching its pattern). */
  ask(step: PlanStep, question: Question, text: string): Promise<string>;
  /** A dangerous step: true only when the operator confirms (types the word, for typed confirmation). */
  confirm(step: PlanStep, word: string | undefined): Promise<boolean>;
  /** Who answered: recorded in the journal. */
  readonly by: 'operator' | 'unattended';
}

/** How a shell opened from a menu ended. */
export interface ShellEnd {
  durationMs: number;
  exitCode?: number;
  signal?: string;
  /** The shell could not be started. */
  error?: string;
}

/** Told when the operator opens a shell from a menu and when it ends: the run records both. */
export interface ShellRecorder {
  opened(where: string): void;
  closed(where: string, end: ShellEnd): void;
}

/** Where the run is, for the prompt's header. */
export interface PromptContext {
  runId: string;
  runbook: string;
  phaseNumber: number;
  phaseCount: number;
  phaseTitle: string;
  stepNumber: number;
  stepCount: number;
  elapsedMs: number;
  /** Records a shell opened from the menu; absent where nothing is recorded. */
  shell?: ShellRecorder;
}
