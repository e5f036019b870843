import type { Check } from '../core/plan-types.js';
import type { CheckResult, CheckRunner } from '../ports/check-runner.js';

/**
 * Rehearsal checks: nothing runs, prechecks count as "not done yet" and verifications as
 * passed. With `probe`, read-only prechecks and waits really run (once each) through `live`:
 * they tell what is already done or what a step waits for, while a verification can only
 * pass after its step has really run.
 */
export function createDryRunChecks(live: CheckRunner | undefined): CheckRunner {
  const probed = new Map<Check, Promise<CheckResult>>();
  return {
    async run(check, set, signal) {
      if (live && check.readonly && set !== 'verify') {
        if (!probed.has(check)) probed.set(check, live.run(check, set, signal));
        return probed.get(check)!;
      }
      return set === 'precheck'
        ? { ok: false, reason: 'not checked in a dry run', durationMs: 0, assumed: true }
        : { ok: true, reason: 'assumed in a dry run', durationMs: 0, assumed: true };
    },
  };
}
