import type { Plan } from '../model/plan-types.js';

function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collect(item, into);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.secret === 'string' && Object.keys(record).length === 1) into.add(record.secret);
    else for (const key of Object.keys(record)) if (key !== 'host') collect(record[key], into);
  }
}

/** Names of the secrets the selected steps need, so a run asks only for those. */
export function secretsUsed(plan: Plan): string[] {
  const names = new Set<string>();
  for (const phase of plan.phases) for (const step of phase.steps) if (step.selected) collect(step, names);
  return [...names].filter((name) => name in plan.secrets).sort();
}
