import { fromPromise } from 'xstate';
import type { ChecksInput, ChecksOutput } from '../core/machine/machine-setup.js';
import type { Check, PlanStep } from '../core/model/plan-types.js';
import type { CheckSet } from '../core/model/run-event.js';
import type { CheckResult } from '../ports/check-runner.js';
import type { RunDeps } from './run-deps.js';

/** Journals a passed check. */
export function checkPassed(deps: RunDeps, step: PlanStep, set: CheckSet, check: Check, result: CheckResult, item?: string): void {
  deps.emit({
    kind: 'check.passed',
    step: step.id,
    ...(item !== undefined ? { item } : {}),
    set,
    check: check.label,
    durationMs: Math.round(result.durationMs),
    ...(result.assumed ? { assumed: true } : {}),
    ...(result.measured ? { measured: result.measured } : {}),
  });
}

/** Journals a failed check and returns why it failed, for the failure menu. */
export function checkFailed(deps: RunDeps, step: PlanStep, set: CheckSet, check: Check, result: CheckResult, item?: string): NonNullable<ChecksOutput['failure']> {
  deps.emit({
    kind: 'check.failed',
    step: step.id,
    ...(item !== undefined ? { item } : {}),
    set,
    check: check.label,
    durationMs: Math.round(result.durationMs),
    reason: result.reason ?? 'failed',
    output: result.output,
    ...(result.assumed ? { assumed: true } : {}),
    ...(result.measured ? { measured: result.measured } : {}),
    ...(deps.settings.signal?.aborted ? { interrupted: true } : {}),
  });
  return { summary: `check failed: ${check.label}: ${result.reason ?? 'failed'}`, tail: (result.output ?? '').split('\n').filter(Boolean).slice(-10) };
}

/** Runs checks in order until one fails; `quiet` leaves reporting to the caller (a wait polls many times). */
export async function runChecksOf(deps: RunDeps, step: PlanStep, checks: Check[], set: CheckSet, quiet = false, item?: string): Promise<ChecksOutput & { results: CheckResult[] }> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const result = await deps.ports.checks.run(check, set, deps.settings.signal, item);
    results.push(result);
    if (result.ok) {
      if (!quiet) checkPassed(deps, step, set, check, result, item);
      continue;
    }
    const failure = quiet ? undefined : checkFailed(deps, step, set, check, result, item);
    // A failed precheck is no failure of the step: it only means the step has work to do.
    return { ok: false, failed: check.label, results, ...(failure && set !== 'precheck' ? { failure } : {}) };
  }
  return { ok: true, results };
}

/** The runChecks actor: a step's prechecks or verify checks. */
export function runChecksActor(deps: RunDeps) {
  return fromPromise<ChecksOutput, ChecksInput>(async ({ input }) => {
    // Checks may use captured values: a value that cannot be put in fails them (the error says which).
    const { step } = deps.bind(deps.stepOf(input.step));
    const { results: _results, ...out } = await runChecksOf(deps, step, input.set === 'precheck' ? step.precheck : step.verify, input.set);
    return out;
  });
}
