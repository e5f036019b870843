import { fromPromise } from 'xstate';
import type { RecoverOutput, StepInput } from '../core/machine/machine-setup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { formatDuration } from '../core/text/duration.js';
import type { ProcessTable } from '../ports/process-table.js';
import { runChecksOf } from './run-checks.js';
import type { RunDeps } from './run-deps.js';
import type { InFlight } from './run-types.js';

/** Waits for (or kills) a command an interrupted run left running; a reason when it ran past its timeout. */
export async function settleOrphan(deps: RunDeps, step: PlanStep, flight: InFlight & { pgid: number }, table: ProcessTable): Promise<string | undefined> {
  const { ports, emit } = deps;
  const signal = deps.settings.signal;
  // The step's own timeout counts from its spawn: a resume waits for the orphan no longer than that.
  const spawned = flight.spawnedAt ? Date.parse(flight.spawnedAt) : NaN;
  const deadline = step.timeoutMs !== undefined && Number.isFinite(spawned) ? spawned + step.timeoutMs : undefined;
  const overdue = () => deadline !== undefined && ports.clock.now() >= deadline;
  if (!overdue()) {
    const answer = await ports.prompter.stillRunning(step, flight.pgid);
    emit({ kind: 'operator.choice', step: step.id, menu: 'still-running', choice: answer, by: ports.prompter.by });
    if (answer === 'kill') table.kill(flight.pgid);
    else
      emit({
        kind: 'run.note',
        level: 'info',
        step: step.id,
        message: `waiting for process group ${flight.pgid}, started by the interrupted run, to end${deadline !== undefined ? ` (at most until its timeout of ${formatDuration(step.timeoutMs!)} is up)` : ''}`,
      });
  }
  while (table.alive(flight.pgid, flight.startTicks) && !signal?.aborted) {
    if (overdue()) {
      table.kill(flight.pgid);
      const reason = `timed out after ${formatDuration(step.timeoutMs!)}: its command, left running by the interrupted run, was still running; its process group was killed`;
      emit({ kind: 'run.note', level: 'warn', step: step.id, message: reason });
      return reason;
    }
    await ports.clock.sleep(deadline === undefined ? 200 : Math.max(1, Math.min(200, deadline - ports.clock.now())), signal);
  }
  return undefined;
}

/** The recoverStep actor: a step whose command may have been running when the run died is proven by its checks. */
export function recoverStepActor(deps: RunDeps) {
  return fromPromise<RecoverOutput, StepInput>(async ({ input }) => {
    const step = deps.stepOf(input.step);
    const flight = deps.settings.inFlight?.step === step.id ? deps.settings.inFlight : undefined;
    const table = deps.ports.processes;
    if (flight?.pgid !== undefined && table?.alive(flight.pgid, flight.startTicks)) {
      const reason = await settleOrphan(deps, step, { ...flight, pgid: flight.pgid }, table);
      if (reason) return { ok: false, reason, failure: { summary: reason, tail: [] } };
    }
    // Its output was captured after it exited 0: the journal shows it completed, and later steps have its values.
    const captured = step.capture.length > 0 && deps.captures()[step.id] !== undefined;
    if (step.verify.length === 0 && captured && deps.stepContext(step.id)?.record.status === 'verifying') return { ok: true };
    if (step.verify.length === 0) {
      const reason = 'it has no verify checks to show whether it completed';
      return { ok: false, reason, failure: { summary: reason, tail: [] } };
    }
    if (step.capture.length > 0 && deps.captures()[step.id] === undefined) {
      // Its checks may pass, but what it printed is gone: only running it again captures its values.
      const reason = 'its output was not captured before the run stopped: run it again to capture it';
      return { ok: false, reason, failure: { summary: reason, tail: [] } };
    }
    deps.emit({ kind: 'run.note', level: 'info', step: step.id, message: `${step.position} was running when the run stopped: checking it before going on` });
    const result = await runChecksOf(deps, deps.bind(step).step, step.verify, 'verify');
    return result.ok ? { ok: true } : { ok: false, reason: `interrupted, and check failed: ${result.failed}`, ...(result.failure ? { failure: result.failure } : {}) };
  });
}
