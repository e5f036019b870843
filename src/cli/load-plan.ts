import { readPlanInput, type PlanRequest } from '../adapters/read-plan-input.js';
import { loadSchemaChecks } from '../adapters/schemas.js';
import { buildPlan } from '../core/build-plan.js';
import type { Plan } from '../core/plan-types.js';
import { InputError } from '../core/problem.js';

/** Reads and builds a plan, throwing every problem at once as an InputError. */
export async function loadPlan(request: PlanRequest): Promise<Plan> {
  const { plan, problems } = buildPlan(readPlanInput(request), loadSchemaChecks());
  if (!plan) throw new InputError(problems);
  return plan;
}
