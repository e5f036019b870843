import type { PlanStep } from '../core/model/plan-types.js';
import type { RestoreContext } from '../core/restore-machine.js';
import type { RunStatus } from '../core/model/run-event.js';
import type { RunOutcome } from './run-types.js';

/** Counts the plan's current steps by how they ended: a record of a step no longer in the plan counts for nothing. */
export function countSteps(context: RestoreContext, steps: ReadonlyMap<string, PlanStep>): RunOutcome['counts'] {
  const counts = { done: 0, skipped: 0, failed: 0, pending: 0 };
  for (const id of steps.keys()) {
    const status = context.steps[id]?.status;
    if (status === 'done' || status === 'skipped' || status === 'failed') counts[status] += 1;
    else counts.pending += 1;
  }
  return counts;
}

/** How a run ended, from the machine's final (or last) context. */
export function runOutcome(context: RestoreContext, status: RunStatus, steps: ReadonlyMap<string, PlanStep>, message?: string): RunOutcome {
  const stoppedAt = status !== 'done' && context.current ? steps.get(context.current) : undefined;
  return { status, stoppedAt, message, counts: countSteps(context, steps) };
}

/** How a machine that reached its end ended: an abort is a failure when nobody was there to answer the failure menu. */
export function finalOutcome(context: RestoreContext, steps: ReadonlyMap<string, PlanStep>, by: 'operator' | 'unattended'): RunOutcome {
  if (context.outcome !== 'aborted') return runOutcome(context, 'done', steps);
  const from = context.abortedFrom;
  const unattended = by === 'unattended';
  const outcome = runOutcome(context, from === 'failure' && unattended ? 'failed' : 'aborted', steps, context.abortReason);
  return {
    ...outcome,
    // A manual step, or an interrupted step that is not proven done: only a person can answer.
    ...(unattended && (from === 'interrupted' || from === 'before') ? { needsPerson: true } : {}),
    ...(context.needsConfirm ? { needsConfirm: context.needsConfirm } : {}),
  };
}
