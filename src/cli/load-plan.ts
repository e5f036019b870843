import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { type PlanRequest, readPlanInput } from '../adapters/read-plan-input.js';
import { loadSchemaChecks } from '../adapters/schemas.js';
import type { Plan } from '../core/model/plan-types.js';
import { InputError } from '../core/model/problem.js';
import { buildPlan } from '../core/plan/build-plan.js';

/** A plan with what a run records about where it came from. */
export interface LoadedPlan {
  plan: Plan;
  /** sha256 of the runbook and every template it uses: a run refuses to resume when it changes. */
  hash: string;
  /** Absolute path of the steps folder, for script steps. */
  stepsDir: string;
  /** Absolute path of the runbook. */
  path: string;
}

/** Reads and builds a plan, throwing every problem at once as an InputError. */
export function loadPlanWithSources(request: PlanRequest): LoadedPlan {
  const input = readPlanInput(request);
  const { plan, problems } = buildPlan(input, loadSchemaChecks());
  if (!plan) throw new InputError(problems);
  const hash = createHash('sha256').update(input.runbook.text);
  const used = new Set(plan.phases.flatMap((p) => p.steps.map((s) => s.template)).filter((t): t is string => t !== undefined));
  for (const name of [...used].sort()) hash.update(`\0${name}\0${input.library.templates.get(name)?.text ?? ''}`);
  return { plan, hash: hash.digest('hex'), stepsDir: input.stepsDir, path: resolve(request.file) };
}

/** Reads and builds a plan, throwing every problem at once as an InputError. */
export async function loadPlan(request: PlanRequest): Promise<Plan> {
  return loadPlanWithSources(request).plan;
}
