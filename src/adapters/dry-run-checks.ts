import type { Check } from '../core/plan-types.js';
import type { CheckResult, CheckRunner } from '../ports/check-runner.js';

/**
 * Rehearsal checks: nothing runs, prechecks count as "not done yet" and verifications as
 * passed. With `probe`, read-only checks really run (once each) through `live`.
 */
export function createDryRunChecks(live: CheckRunner | undefined): CheckRunner {
  const probed = new Map<Check, Promise<CheckResult>>();
  return {
    async run(check, set, signal) {
      if (live && check.readonly) {
        if (!probed.has(check)) probed.set(check, live.run(check, set, signal));
        return probed.get(check)!;
      }
      return set === 'precheck'
        ? { ok: false, reason: 'not checked in a dry run', durationMs: 0 }
        : { ok: true, reason: 'assumed in a dry run', durationMs: 0 };
    },
  };
}
