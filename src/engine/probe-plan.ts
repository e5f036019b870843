import { refersToCaptures } from '../core/capture/bind-captures.js';
import type { Check, HostRef, Plan, PlanStep } from '../core/model/plan-types.js';
import type { CheckSet } from '../core/model/run-event.js';
import type { ProbeVerdict, StepProbe } from '../core/model/step-probe.js';
import type { CheckLook, CheckProber } from '../ports/check-prober.js';

export type { ProbeVerdict, StepProbe };

function hostsOf(steps: PlanStep[]): HostRef[] {
  const hosts = new Map<string, HostRef>();
  for (const step of steps) {
    const checks = [...step.precheck, ...(step.action.kind === 'wait' ? step.action.until : [])];
    for (const check of checks) if (check.readonly && check.host) hosts.set(check.host.name, check.host);
  }
  return [...hosts.values()];
}

/** The verdict of a set of checks that must all pass: the first real failure wins, then anything not looked at. */
function judge(looks: StepProbe['checks']): { outcome: CheckLook['outcome']; reason?: string } {
  const failed = looks.find((l) => l.outcome === 'failed');
  if (failed) return { outcome: 'failed', reason: `not yet: ${failed.label}${failed.reason ? `: ${failed.reason}` : ''}` };
  const notRun = looks.find((l) => l.outcome === 'not run');
  if (notRun) return { outcome: 'not run', reason: notRun.reason };
  return { outcome: 'passed' };
}

/**
 * Probes a plan without changing anything: every selected step's read-only prechecks (and a wait
 * step's read-only checks) are looked at, on the hosts that answer. A step is `satisfied` when its
 * prechecks pass, `would run` when one really failed (or it has none: a run always runs it),
 * `blocked` when what a wait step waits for is not there yet, and `unknown` when a check could
 * not be looked at (its host is unreachable, or it is not read-only): never "would run" unseen.
 */
export async function probePlan(plan: Plan, prober: CheckProber, signal?: AbortSignal): Promise<StepProbe[]> {
  const steps = plan.phases.flatMap((phase) => phase.steps.filter((step) => step.selected));
  // Every host is reached at once: one handshake's wait, not one per host.
  await Promise.all(hostsOf(steps).map((host) => prober.reach(host)));
  const probes: StepProbe[] = [];
  for (const step of steps) {
    if (signal?.aborted) break;
    const lookAll = async (checks: Check[], set: CheckSet) => {
      const looks: StepProbe['checks'] = [];
      for (const check of checks) {
        // A value captured by an earlier step, or a foreach step's item, is known only in a real run.
        const look: CheckLook = refersToCaptures(check) ? { outcome: 'not run', reason: 'it uses a value known only during a real run' } : await prober.look(check, set, signal);
        looks.push({ set, label: check.label, ...look });
      }
      return looks;
    };
    const pre = await lookAll(step.precheck, 'precheck');
    const base = { step: step.id, position: step.position, title: step.title, ...(step.host ? { host: step.host.name } : {}) };
    const before = judge(pre);
    if (pre.length > 0 && before.outcome === 'passed') {
      probes.push({ ...base, verdict: 'satisfied', checks: pre });
      continue;
    }
    if (step.action.kind === 'wait') {
      const until = await lookAll(step.action.until, 'wait');
      const waited = judge(until);
      const checks = [...pre, ...until];
      if (waited.outcome === 'failed') probes.push({ ...base, verdict: 'blocked', reason: waited.reason, checks });
      else if (waited.outcome === 'not run') probes.push({ ...base, verdict: 'unknown', reason: waited.reason, checks });
      else probes.push({ ...base, verdict: 'would run', reason: 'what it waits for is there now', checks });
      continue;
    }
    if (pre.length === 0) probes.push({ ...base, verdict: 'would run', reason: 'it has no precheck: a run always runs it', checks: pre });
    else if (before.outcome === 'failed') probes.push({ ...base, verdict: 'would run', reason: before.reason, checks: pre });
    else probes.push({ ...base, verdict: 'unknown', reason: before.reason, checks: pre });
  }
  return probes;
}
