// Builds a plan from runbook text held in memory, the way `lifeboat plan` would, for tests of
// check kinds and readiness: the schema and every rule apply.
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import type { Plan } from '../../src/core/model/plan-types.js';
import type { Problem } from '../../src/core/model/problem.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';

/** The plan, or the problems found, for a runbook text (and optional templates by name). */
export function planFromYaml(text: string, templates: Record<string, string> = {}): { plan?: Plan; problems: Problem[] } {
  return buildPlan(
    {
      runbook: { path: 'runbook.yaml', text },
      library: { dir: 'steps', templates: new Map(Object.entries(templates).map(([name, t]) => [name, { path: `steps/${name}.yaml`, text: t }])), scripts: new Set() },
    },
    loadSchemaChecks(),
  );
}

/** The plan of a runbook that must be valid; throws with every problem otherwise. */
export function validPlan(text: string, templates: Record<string, string> = {}): Plan {
  const { plan, problems } = planFromYaml(text, templates);
  if (!plan) throw new Error(problems.map((p) => `${p.line}:${p.column} ${p.message} (${p.expected}; got ${p.received})`).join('\n'));
  return plan;
}
