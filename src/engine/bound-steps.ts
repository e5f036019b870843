import { bindCaptures, refersToCaptures } from '../core/capture/bind-captures.js';
import type { CapturedValue, Captures } from '../core/capture/captured-values.js';
import type { Plan, PlanStep } from '../core/model/plan-types.js';

/** A step with the values it refers to put in, and the secrets its texts may reveal (captured secrets included). */
export interface BoundStep {
  step: PlanStep;
  secrets: ReadonlyMap<string, string>;
}

/** `STEP.NAME` of every capture of the plan marked `secret: true`. */
export function secretCaptures(plan: Plan): Set<string> {
  const secret = new Set<string>();
  for (const phase of plan.phases) for (const step of phase.steps) for (const spec of step.capture) if (spec.secret) secret.add(`${step.id}.${spec.name}`);
  return secret;
}

/** Binds any value holding rendered text (a condition, say) to the run's captured values; throws a BindError when one cannot be. */
export function valueBinder(plan: Plan, secrets: ReadonlyMap<string, string>, preview: boolean) {
  const secret = secretCaptures(plan);
  return <T>(value: T, captures: Captures, item?: { value: CapturedValue }): { bound: T; secrets: ReadonlyMap<string, string> } => {
    if (!refersToCaptures(value)) return { bound: value, secrets };
    const { bound, secrets: revealed } = bindCaptures(value, { captures, secret, preview, ...(item ? { item } : {}) });
    return { bound, secrets: revealed.size > 0 ? new Map([...secrets, ...revealed]) : secrets };
  };
}

/**
 * Binds steps to the run's captured values as they are when asked. A step that refers to none is
 * returned as it is; the last binding is kept while the captures it was made from stand.
 */
export function stepBinder(plan: Plan, secrets: ReadonlyMap<string, string>, preview = false): (step: PlanStep, captures: Captures) => BoundStep {
  const secret = secretCaptures(plan);
  let last: { step: PlanStep; captures: Captures; bound: BoundStep } | undefined;
  const refers = new WeakMap<PlanStep, boolean>();
  return (step, captures) => {
    let binds = refers.get(step);
    if (binds === undefined) refers.set(step, (binds = refersToCaptures(step)));
    if (!binds) return { step, secrets };
    if (last && last.step === step && last.captures === captures) return last.bound;
    const { bound, secrets: revealed } = bindCaptures(step, { captures, secret, preview });
    const result = { step: bound, secrets: revealed.size > 0 ? new Map([...secrets, ...revealed]) : secrets };
    last = { step, captures, bound: result };
    return result;
  };
}
