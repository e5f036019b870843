import type { PlanStep } from '../model/plan-types.js';
import type { StepRecord } from '../model/step-record.js';

/** What the machine needs to know of a step: what decides its way through the one lifecycle. */
export interface StepTraits {
  id: string;
  /** It has prechecks, which may find it already done. */
  precheck: boolean;
  /** A person does it: no command runs, and it is always asked about. */
  manual: boolean;
  /** It asks the operator for a value: the question is its card. */
  ask: boolean;
  /** It has `when:` conditions, which may make it not applicable. */
  when: boolean;
  /** A `foreach` step: it runs once per item, `concurrency` at once; its checks are each item's. */
  fanOut?: { concurrency: number; tolerateFailures: number };
  /** It asks for a confirmation before its action. */
  confirm: boolean;
  /** It has verify checks. */
  verify: boolean;
  retries: number;
  retryDelayMs: number;
  onFailure: 'stop' | 'continue';
  /** What an unattended run does at it when it is manual (the prompter's policy, shown for reference). */
  unattended: 'stop' | 'verify' | 'skip';
}

/**
 * The steps a machine walks, in order, and what an interrupted run had recorded of the ones it
 * reached without ending. It is read, never written: the machine's context holds only a position in it.
 */
export interface StepTable {
  readonly count: number;
  /** How many steps may run at once. */
  readonly concurrency: number;
  at(position: number): StepTraits;
  recorded(id: string): StepRecord | undefined;
  /** The places of the steps the one at `position` waits for when steps run side by side. */
  waits(position: number): readonly number[];
}

/** What the machine needs to know of a plan step. */
export function stepTraits(step: PlanStep): StepTraits {
  return {
    id: step.id,
    // A foreach step's checks are run for each item, by the item.
    precheck: step.precheck.length > 0 && !step.foreach,
    manual: step.action.kind === 'manual',
    ask: step.action.kind === 'ask',
    when: step.when.length > 0,
    confirm: step.confirm !== undefined,
    verify: step.verify.length > 0 && !step.foreach,
    ...(step.foreach ? { fanOut: { concurrency: step.foreach.concurrency, tolerateFailures: step.foreach.tolerateFailures } } : {}),
    retries: step.retries,
    retryDelayMs: step.retryDelayMs,
    onFailure: step.onFailure,
    unattended: step.unattended,
  };
}

const isTraits = (step: PlanStep | StepTraits): step is StepTraits => typeof (step as StepTraits).manual === 'boolean';

/**
 * A table over steps in the order they run. A plan step's traits are worked out when a guard asks
 * (a few small objects per transition), so no second copy of a long plan is kept.
 */
export function stepTable(
  steps: ReadonlyArray<PlanStep | StepTraits>,
  recorded: Readonly<Record<string, StepRecord>> = {},
  side?: { concurrency: number; waits: readonly (readonly number[])[] },
): StepTable {
  return {
    count: steps.length,
    concurrency: side?.concurrency ?? 1,
    // One at a time, the next step in restore order has nothing left to wait for.
    waits: (position) => side?.waits[position] ?? [],
    at(position) {
      const step = steps[position];
      if (step === undefined) throw new Error(`no step at position ${position} of ${steps.length}`);
      return isTraits(step) ? step : stepTraits(step);
    },
    recorded: (id) => (Object.hasOwn(recorded, id) ? recorded[id] : undefined),
  };
}
