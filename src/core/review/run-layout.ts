import type { Plan } from '../model/plan-types.js';

/** What the runbook says about a run's shape, beyond its journal: phase titles and order, step titles, RTOs. */
export interface RunLayout {
  rtoMs?: number;
  phases: Array<{
    id: string;
    number: number;
    title: string;
    rtoMs?: number;
    steps: Array<{ id: string; position: string; title: string; host?: string }>;
  }>;
}

/** The layout of a plan, for reading its runs' journals. */
export function runLayout(plan: Plan): RunLayout {
  return {
    rtoMs: plan.rtoMs,
    phases: plan.phases.map((p) => ({
      id: p.id,
      number: p.number,
      title: p.title,
      rtoMs: p.rtoMs,
      steps: p.steps.map((s) => ({ id: s.id, position: s.position, title: s.title, host: s.host?.name })),
    })),
  };
}
