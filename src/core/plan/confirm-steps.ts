import type { Plan } from '../model/plan-types.js';
import { UsageError } from '../model/problem.js';
import { didYouMean } from '../validate/suggest.js';

/**
 * Checks the step ids named with `--confirm` against the plan: each must be a step that asks for
 * confirmation. Returns them as a set; a mistyped id is an error, never silently ignored.
 */
export function confirmedSteps(plan: Plan, ids: readonly string[] | undefined): ReadonlySet<string> {
  const steps = plan.phases.flatMap((phase) => phase.steps);
  const asking = steps.filter((step) => step.confirm).map((step) => step.id);
  const known = new Set(steps.map((step) => step.id));
  for (const id of ids ?? []) {
    if (asking.includes(id)) continue;
    const which = asking.length ? asking.join(', ') : 'none: no step of this runbook asks for confirmation';
    if (known.has(id)) {
      throw new UsageError(`--confirm ${id}: step ${id} asks for no confirmation`, {
        expected: `a step with \`confirm\` (${which})`,
        received: id,
        hint: 'leave it out: a step without `confirm` runs unattended anyway',
      });
    }
    throw new UsageError(`--confirm ${id}: no step ${id} in ${plan.name}`, {
      expected: `the id of a step that asks for confirmation (${which})`,
      received: id,
      hint: didYouMean(id, asking) ?? 'the ids are in `lifeboat plan FILE`',
    });
  }
  return new Set(ids ?? []);
}
