import type { StepOutput } from '../core/machine/machine-setup.js';
import type { PlanStep, StepAction } from '../core/model/plan-types.js';
import { formatDuration } from '../core/text/duration.js';
import { checkFailed, checkPassed, runChecksOf } from './run-checks.js';
import type { RunDeps } from './run-deps.js';

const WAIT_BACKOFF = 1.5;
const WAIT_MAX_INTERVAL_MS = 30_000;

/** A wait step: polls until every check passes, the last poll falling on the deadline; only the outcome is reported. */
export async function waitUntil(deps: RunDeps, step: PlanStep, action: Extract<StepAction, { kind: 'wait' }>, attempt: number): Promise<StepOutput> {
  const { ports, emit } = deps;
  const signal = deps.settings.signal;
  emit({ kind: 'step.attempt', step: step.id, attempt, command: `wait up to ${Math.round(action.timeoutMs / 1000)}s`, until: action.until.map((c) => c.label), timeoutMs: action.timeoutMs });
  let pending: string | undefined;
  const deadline = ports.clock.now() + action.timeoutMs;
  let interval = action.intervalMs;
  for (;;) {
    const result = await runChecksOf(deps, step, action.until, 'wait', true);
    if (result.ok) {
      action.until.forEach((check, i) => {
        checkPassed(deps, step, 'wait', check, result.results[i]!);
      });
      return { ok: true };
    }
    if (signal?.aborted) return { ok: false, reason: 'interrupted' };
    if (result.failed !== pending) {
      pending = result.failed!;
      emit({ kind: 'wait.pending', step: step.id, check: pending });
    }
    const left = deadline - ports.clock.now();
    if (left <= 0) {
      const failing = action.until.find((c) => c.label === result.failed)!;
      const { tail } = checkFailed(deps, step, 'wait', failing, result.results[result.results.length - 1]!);
      const reason = `still failing after ${formatDuration(action.timeoutMs)}: ${result.failed}`;
      return { ok: false, reason, failure: { summary: reason, tail } };
    }
    await ports.clock.sleep(Math.min(interval, left), signal);
    interval = Math.min(interval * WAIT_BACKOFF, WAIT_MAX_INTERVAL_MS);
  }
}
