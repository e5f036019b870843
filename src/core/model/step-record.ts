/** Where a step stands; the machine's state value says the same for the current step. */
export type StepStatus = 'pending' | 'deciding' | 'precheck' | 'awaiting' | 'running' | 'verifying' | 'backoff' | 'done' | 'skipped' | 'not-applicable' | 'failed';

/** What the run remembers of a step once it has been reached. */
export interface StepRecord {
  status: StepStatus;
  /** How many times its action started. */
  attempts: number;
  /** `precheck` when it was already done, `operator` when marked done by hand, `recovered` when its checks passed after an interruption. */
  via?: 'precheck' | 'operator' | 'recovered';
  /** The operator's reason for a skip, why the step failed, or which condition made it not applicable. */
  reason?: string;
}
