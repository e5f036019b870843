import { hasEnded, type RestoreContext, type StepRecord, type Tally } from '../core/machine/machine-setup.js';
import type { StepContext } from '../core/machine/step-lifecycle.js';
import type { PlanStep } from '../core/model/plan-types.js';
import type { RunStatus } from '../core/model/run-event.js';
import type { RunOutcome } from './run-types.js';

/** What a run's counts are made of: the plan's current steps, and those an interrupted run had ended before. */
export interface RunSteps {
  steps: ReadonlyMap<string, PlanStep>;
  endedBefore: Tally;
}

/** Counts the plan's current steps that an interrupted run had ended: a record of a step no longer in the plan counts for nothing. */
export function endedBefore(steps: ReadonlyMap<string, PlanStep>, recorded: Readonly<Record<string, StepRecord>> = {}): Tally {
  const tally: Tally = { done: 0, skipped: 0, 'not-applicable': 0, failed: 0 };
  for (const [id, record] of Object.entries(recorded)) {
    const step = steps.get(id);
    if (step && hasEnded(step, record)) tally[record.status as keyof Tally] += 1;
  }
  return tally;
}

/**
 * Counts the plan's current steps by how they ended: those ended before this run, those this
 * machine finished, and those stopped (or, interrupted, waiting) at their failure menu; the rest are pending.
 */
export function countSteps(context: RestoreContext, run: RunSteps, live: readonly StepContext[] = []): RunOutcome['counts'] {
  const { tally } = context;
  const before = run.endedBefore;
  const failedNow = context.stoppedFailed + live.filter((step) => step.record.status === 'failed').length;
  const counts = {
    done: before.done + tally.done,
    skipped: before.skipped + tally.skipped,
    'not-applicable': before['not-applicable'] + tally['not-applicable'],
    failed: before.failed + tally.failed + failedNow,
  };
  return { ...counts, pending: run.steps.size - counts.done - counts.skipped - counts['not-applicable'] - counts.failed };
}

/** How a run ended, from the machine's final (or last) context. */
export function runOutcome(context: RestoreContext, status: RunStatus, run: RunSteps, message?: string, live: readonly StepContext[] = []): RunOutcome {
  const at = context.current ?? live[0]?.step;
  const stoppedAt = status !== 'done' && at ? run.steps.get(at) : undefined;
  return { status, stoppedAt, message, counts: countSteps(context, run, live) };
}

/** How a machine that reached its end ended: an abort is a failure when nobody was there to answer the failure menu. */
export function finalOutcome(context: RestoreContext, run: RunSteps, by: 'operator' | 'unattended'): RunOutcome {
  if (context.outcome !== 'aborted') return runOutcome(context, 'done', run);
  const from = context.abortedFrom;
  const unattended = by === 'unattended';
  const outcome = runOutcome(context, from === 'failure' && unattended ? 'failed' : 'aborted', run, context.abortReason);
  return {
    ...outcome,
    // A manual step, or an interrupted step that is not proven done: only a person can answer.
    ...(unattended && (from === 'interrupted' || from === 'before') ? { needsPerson: true } : {}),
    ...(context.needsConfirm ? { needsConfirm: context.needsConfirm } : {}),
  };
}
