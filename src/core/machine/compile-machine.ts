import type { AnyStateMachine } from 'xstate';
import type { Captures } from '../capture/captured-values.js';
import type { Plan, PlanStep } from '../model/plan-types.js';
import { stepWaits } from '../schedule/step-waits.js';
import { hasEnded, type MachineOptions, machineFromConfig, type StepRecord, startContext } from './machine-setup.js';
import { stepTable } from './step-table.js';

// Reserved state names start with `_`, which runbook ids cannot, so they never collide.
export const FINISHED = '_finished';
export const ABORTED = '_aborted';
const READY = '_ready';
/** The event that begins a run: the machine waits for it before its first step. */
export const BEGIN = { type: 'run.begin' } as const;

/**
 * The restore machine's config: the run starts each step as a machine of its own (the one
 * lifecycle of step-lifecycle.ts), as many at once as its concurrency allows, in restore order,
 * a step only once what it waits for has ended. Plain data, the same for every plan: its states
 * do not grow with the runbook.
 */
export function compileConfig(description = 'restore'): Record<string, unknown> {
  return {
    id: 'restore',
    description,
    context: startContext(),
    initial: READY,
    states: {
      // An actor starts the invoked actors of its first state before it delivers what that state
      // emitted: entered at once, the first step's command would be journaled before its start.
      // The run waits here until the engine, listening, sends BEGIN.
      [READY]: { description: 'before the first step, until the run begins', on: { [BEGIN.type]: '_next' } },
      _next: {
        description: 'the end, once every step ended (or the run stops and none runs); else the steps that may start now',
        always: [{ guard: 'halted', target: ABORTED }, { guard: 'allEnded', target: FINISHED }, { target: 'steps' }],
      },
      steps: {
        description: 'steps running, each a machine of its own; as each ends, the next ones start',
        entry: 'startSteps',
        on: {
          'step.captured': { actions: 'keepCaptures' },
          'xstate.done.actor.*': { target: '_next', actions: 'endStep' },
          'xstate.error.actor.*': { target: '_next', actions: 'endStep' },
        },
      },
      [FINISHED]: { type: 'final', entry: { type: 'finish', params: { outcome: 'done' } } },
      [ABORTED]: { type: 'final', entry: { type: 'finish', params: { outcome: 'aborted' } } },
    },
  };
}

/** How a plan's machine is made: its actors, who reads the cards, and what an interrupted run had recorded. */
export interface CompileOptions extends MachineOptions {
  /** Resuming: the interrupted run's record of each step it reached. Steps that had ended are not walked again. */
  recorded?: Readonly<Record<string, StepRecord>>;
  /** Resuming: the values the interrupted run had captured, which later steps are bound to. */
  captures?: Captures;
  /** How many steps may run at once (default: the runbook's `concurrency`, else 1). */
  concurrency?: number;
}

/** The steps a machine walks: the selected ones in restore order, less those an interrupted run had ended. */
export function machineSteps(plan: Plan, recorded: Readonly<Record<string, StepRecord>> = {}): PlanStep[] {
  return plan.phases.flatMap((phase) => phase.steps.filter((step) => step.selected && !hasEnded(step, Object.hasOwn(recorded, step.id) ? recorded[step.id] : undefined)));
}

/** Compiles a plan into the machine the engine executes, with the executor's actors (or defaults that refuse to run). */
export function compileMachine(plan: Plan, options: CompileOptions = {}): AnyStateMachine {
  const steps = machineSteps(plan, options.recorded);
  const concurrency = options.concurrency ?? plan.concurrency ?? 1;
  // One at a time, restore order alone keeps every wait: nothing more is worked out.
  const side = concurrency > 1 ? { concurrency, waits: stepWaits(steps, plan.phases) } : undefined;
  const table = stepTable(steps, options.recorded, side);
  const config = { ...compileConfig(plan.description ?? plan.name), context: startContext(options.captures) };
  return machineFromConfig(config, table, options);
}
