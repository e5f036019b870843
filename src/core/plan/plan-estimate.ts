import type { Plan } from '../model/plan-types.js';
import { median } from '../review/median.js';
import type { RunSummary } from '../review/run-summary.js';
import type { PlanView } from '../views/plan-view.js';

/** How long a plan should take, from the steps' median times in past runs. */
export interface PlanEstimate {
  /** Past runs the medians come from. */
  runs: number;
  /** The selected steps' medians summed; steps without history add nothing (see unknownSteps). */
  totalMs?: number;
  unknownSteps: number;
  rtoMs?: number;
  phases: Array<{ id: string; estimateMs?: number; unknownSteps: number; rtoMs?: number }>;
  /** Median working time per step id, over the runs where it did its work (not already done, not skipped). */
  steps: Record<string, number>;
}

/** Estimates a plan's duration per step (median of past successful runs), summed per phase and in total. */
export function estimatePlan(plan: Plan, history: readonly RunSummary[]): PlanEstimate {
  const times = new Map<string, number[]>();
  for (const run of history) {
    for (const phase of run.phases) {
      for (const s of phase.steps) {
        // Only work done counts: an already-done step took no time, a skipped one did nothing.
        if (s.status === 'done' && s.via !== 'precheck' && s.durationMs !== undefined) {
          const list = times.get(s.id) ?? [];
          list.push(s.durationMs);
          times.set(s.id, list);
        }
      }
    }
  }
  const steps: Record<string, number> = {};
  for (const [id, list] of times) steps[id] = median(list)!;
  let total: number | undefined;
  let unknown = 0;
  const phases = plan.phases.map((p) => {
    let sum: number | undefined;
    let missing = 0;
    for (const s of p.steps) {
      if (!s.selected) continue;
      const ms = steps[s.id];
      if (ms === undefined) missing++;
      else sum = (sum ?? 0) + ms;
    }
    if (sum !== undefined) total = (total ?? 0) + sum;
    unknown += missing;
    return { id: p.id, estimateMs: sum, unknownSteps: missing, rtoMs: p.rtoMs };
  });
  return { runs: history.length, totalMs: total, unknownSteps: unknown, rtoMs: plan.rtoMs, phases, steps };
}

/** The `plan --json` view with the RTOs and estimates added (fields only added, none changed: old readers keep working). */
export function withEstimate(view: PlanView, plan: Plan, estimate: PlanEstimate): PlanView & Record<string, unknown> {
  return {
    ...view,
    rtoMs: plan.rtoMs,
    estimate: { runs: estimate.runs, totalMs: estimate.totalMs, unknownSteps: estimate.unknownSteps },
    phases: view.phases.map((p, i) => ({
      ...p,
      rtoMs: plan.phases[i]?.rtoMs,
      estimateMs: estimate.phases[i]?.estimateMs,
      steps: p.steps.map((s) => ({ ...s, estimateMs: estimate.steps[s.id] })),
    })),
  };
}
