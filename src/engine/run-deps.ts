import type { CapturedValue, Captures } from '../core/capture/captured-values.js';
import type { StepContext } from '../core/machine/step-lifecycle.js';
import type { PlanStep } from '../core/model/plan-types.js';
import type { RunEvent } from '../core/model/run-event.js';
import type { PromptContext } from '../ports/prompter.js';
import type { BoundStep } from './bound-steps.js';
import type { RunPorts, RunSettings } from './run-types.js';
import type { StepTimes } from './step-times.js';

/** What every actor of a run reads: the ports, the settings, and the machine's current context. */
export interface RunDeps {
  ports: RunPorts;
  settings: RunSettings;
  emit: (event: RunEvent) => void;
  /** The selected step of that id (a machine only names selected steps), as written: captured values not yet put in. */
  stepOf: (id: string) => PlanStep;
  /** A step with the values it refers to put in, as captured so far; throws a BindError when one cannot be. */
  bind: (step: PlanStep) => BoundStep;
  /** Any value holding rendered text (a condition), bound the same way. */
  bindValue: <T>(value: T) => { bound: T; secrets: ReadonlyMap<string, string> };
  /** A value (a step, a key) bound for one item of a foreach step: the item's references put in too. */
  bindItem: <T>(value: T, item: CapturedValue) => { bound: T; secrets: ReadonlyMap<string, string> };
  /** A step as a card shows it: the values known put in, the others (an item, a capture still to come) as their references. */
  preview: (step: PlanStep) => PlanStep;
  /** The items of the foreach steps running, by `STEP\nKEY`, as listed for this pass. */
  items: Map<string, CapturedValue>;
  /** Items an interrupted run left in flight that were recovered already (each is, once). */
  recoveredItems: Set<string>;
  /** The latest context of a running step's machine: its attempts, exit code, failure and items live there. */
  stepContext: (step: string) => StepContext | undefined;
  /** The values captured so far, by step id. */
  captures: () => Captures;
  /** Saves the machine's snapshot now. */
  persist: () => void;
  /** What a menu shows about where the run is. */
  promptContext: (step: PlanStep) => PromptContext;
  times: StepTimes;
}
