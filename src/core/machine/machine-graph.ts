import type { Plan } from '../model/plan-types.js';
import { compileConfig, machineSteps } from './compile-machine.js';
import { stepLifecycleConfig } from './step-lifecycle.js';
import { type StepTraits, stepTraits } from './step-table.js';

/** A plan's machine as plain data: what `graph --format json` prints. */
export interface MachineGraph {
  /** The run's XState config: it starts each step as a machine of its own. The same for every plan. */
  machine: Record<string, unknown>;
  /** The XState config of that machine: the one lifecycle every step goes through. */
  step: Record<string, unknown>;
  /** The steps it walks, in restore order, each with the traits that choose its way through the lifecycle. */
  order: StepTraits[];
}

/** The machine a plan runs on and the order of steps it walks, as JSON-serialisable data. */
export function machineGraph(plan: Plan): MachineGraph {
  return { machine: compileConfig(plan.description ?? plan.name), step: stepLifecycleConfig(), order: machineSteps(plan).map(stepTraits) };
}
