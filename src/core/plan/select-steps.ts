import type { Plan, PlanStep, Selection } from '../model/plan-types.js';
import { UsageError } from '../model/problem.js';
import { didYouMean } from '../validate/suggest.js';

/** Marks the steps that --only, --from and --skip leave out; every name must exist. */
export function selectSteps(plan: Plan, selection: Selection): Plan {
  const phaseIds = plan.phases.map((p) => p.id);
  const stepIds = plan.phases.flatMap((p) => p.steps.map((s) => s.id));
  const known = [...phaseIds, ...stepIds];
  const check = (option: string, name: string) => {
    if (!known.includes(name)) {
      throw new UsageError(`${option} ${name}: no phase or step has this id`, {
        expected: `a phase (${phaseIds.join(', ')}) or a step id from \`lifeboat plan\``,
        received: name,
        hint: didYouMean(name, known),
      });
    }
  };
  for (const name of selection.only ?? []) check('--only', name);
  for (const name of selection.skip ?? []) check('--skip', name);
  if (selection.from !== undefined) check('--from', selection.from);

  const only = new Set(selection.only ?? []);
  const skip = new Set(selection.skip ?? []);
  let before = selection.from !== undefined;
  return {
    ...plan,
    phases: plan.phases.map((phase) => ({
      ...phase,
      steps: phase.steps.map((step) => {
        if (before && (step.id === selection.from || phase.id === selection.from)) before = false;
        const excludedBy = before
          ? `--from ${selection.from}`
          : only.size > 0 && !only.has(step.id) && !only.has(phase.id)
            ? `--only ${[...only].join(',')}`
            : skip.has(step.id) || skip.has(phase.id)
              ? `--skip ${skip.has(step.id) ? step.id : phase.id}`
              : undefined;
        if (!excludedBy) return step;
        // The new key first, the override after: a copy made as `{ ...step, key }` gets a hidden class of its own (see build-plan).
        const left: PlanStep = { excludedBy, ...step };
        left.selected = false;
        return left;
      }),
    })),
  };
}
