import type { Check, HostRef } from '../core/model/plan-types.js';
import type { CheckSet } from '../core/model/run-event.js';
import type { CheckLook, CheckProber } from '../ports/check-prober.js';
import type { CheckResult, CheckRunner } from '../ports/check-runner.js';
import type { CommandRunner } from '../ports/command-runner.js';

/** What a rehearsal assumes of a check it does not run: not done yet before a step, passed after. */
function assumed(set: CheckSet, reason?: string): CheckResult {
  return set === 'precheck'
    ? { ok: false, reason: reason ?? 'not checked in a dry run', durationMs: 0, assumed: true }
    : { ok: true, reason: reason ?? 'assumed in a dry run', durationMs: 0, assumed: true };
}

/**
 * Rehearsal checks: nothing runs, prechecks count as "not done yet" and verifications as
 * passed. With a probe, read-only prechecks and waits are looked at (once each) through it:
 * they tell what is already done or what a step waits for, while a verification can only
 * pass after its step has really run.
 */
export function createDryRunChecks(probe: (CheckRunner & CheckProber) | undefined): CheckRunner {
  return {
    async run(check, set, signal) {
      // A check on a value only a real run captures shows its reference in the value's place: not looked at.
      if (probe && set !== 'verify' && !JSON.stringify(check).includes('{{ steps.')) return probe.run(check, set, signal);
      return assumed(set);
    },
  };
}

/**
 * The probe's checks: only read-only ones run (through `live`, once each), and only on hosts that
 * answered: a host is reached first with `true` over the run's shared ssh connection (`runner`),
 * so a check on a host that is down is "not run: cannot reach it", never "failed".
 */
export function createProbeChecks(live: CheckRunner, runner: CommandRunner): CheckRunner & CheckProber {
  const reached = new Map<string, Promise<string | undefined>>();
  const looked = new Map<Check, Promise<{ look: CheckLook; result: CheckResult }>>();
  const reach = (host: HostRef): Promise<string | undefined> => {
    let known = reached.get(host.name);
    if (!known) {
      known = runner
        .run({ script: 'true', host, env: {}, timeoutMs: 60_000 })
        .then((r) => r.error ?? (r.exitCode === 0 ? undefined : `cannot reach ${host.name} (${host.ssh}): \`true\` there exited ${r.exitCode ?? r.signal}`))
        .catch((error: Error) => `cannot reach ${host.name} (${host.ssh}): ${error.message}`);
      reached.set(host.name, known);
    }
    return known;
  };
  const lookAt = (check: Check, set: CheckSet, signal?: AbortSignal) => {
    let known = looked.get(check);
    if (!known) {
      known = (async () => {
        if (!check.readonly) {
          const reason = `\`${check.label}\` is not marked \`readonly: true\`: a probe does not run it`;
          return { look: { outcome: 'not run' as const, reason }, result: assumed(set, reason) };
        }
        const unreachable = check.host ? await reach(check.host) : undefined;
        if (unreachable) return { look: { outcome: 'not run' as const, reason: unreachable }, result: assumed(set, unreachable) };
        const result = await live.run(check, set, signal);
        return { look: { outcome: result.ok ? ('passed' as const) : ('failed' as const), reason: result.reason }, result };
      })();
      looked.set(check, known);
    }
    return known;
  };
  return {
    reach,
    async look(check, set, signal) {
      return (await lookAt(check, set, signal)).look;
    },
    async run(check, set, signal) {
      return (await lookAt(check, set, signal)).result;
    },
  };
}
