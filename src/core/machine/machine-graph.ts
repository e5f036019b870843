import type { Plan } from '../model/plan-types.js';
import { compileConfig, machineSteps } from './compile-machine.js';
import { type StepTraits, stepTraits } from './step-table.js';

/** A plan's machine as plain data: what `graph --format json` prints. */
export interface MachineGraph {
  /** The XState config: one lifecycle that every step goes through, the same for every plan. */
  machine: Record<string, unknown>;
  /** The steps it walks, in restore order, each with the traits that choose its way through the lifecycle. */
  order: StepTraits[];
}

/** The machine a plan runs on and the order of steps it walks, as JSON-serialisable data. */
export function machineGraph(plan: Plan): MachineGraph {
  return { machine: compileConfig(plan.description ?? plan.name), order: machineSteps(plan).map(stepTraits) };
}
