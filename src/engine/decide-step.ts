import { fromPromise } from 'xstate';
import { BindError, refersToCaptures } from '../core/capture/bind-captures.js';
import { valueHolds } from '../core/capture/value-test.js';
import type { DecideOutput, StepInput } from '../core/machine/machine-setup.js';
import type { Condition } from '../core/model/plan-types.js';
import { revealWith } from '../core/shell/rendered.js';
import type { RunDeps } from './run-deps.js';

type Decided = { condition: string; held: boolean; detail?: string };

/** Decides one condition: a check that must pass, or a test of a value (bound to what the run captured). */
async function decide(deps: RunDeps, condition: Condition): Promise<Decided> {
  let bound: Condition;
  let secrets: ReadonlyMap<string, string>;
  const label = condition.kind === 'check' ? condition.check.label : condition.label;
  // A rehearsal captures nothing: a condition on a captured value is assumed, and said so.
  if (deps.settings.dryRun && refersToCaptures(condition)) return { condition: label, held: true, detail: 'it uses a value known only in a real run: assumed to hold' };
  try {
    ({ bound, secrets } = deps.bindValue(condition));
  } catch (error) {
    if (!(error instanceof BindError)) throw error;
    // A rehearsal captures nothing: what depends on a capture is assumed, and said so.
    if (deps.settings.dryRun) return { condition: label, held: true, detail: `${error.reference} is known only in a real run: assumed to hold` };
    return { condition: label, held: false, detail: error.message };
  }
  if (bound.kind === 'check') {
    const result = await deps.ports.checks.run(bound.check, 'when', deps.settings.signal);
    return { condition: label, held: result.ok, ...(result.ok ? (result.assumed ? { detail: 'assumed in a dry run' } : {}) : { detail: result.reason ?? 'failed' }) };
  }
  const text = revealWith(secrets);
  const value = text(bound.value);
  return { condition: label, held: valueHolds(value, bound.test, text), detail: `the value is ${JSON.stringify(value.length > 80 ? `${value.slice(0, 79)}…` : value)}` };
}

/** The decideStep actor: a step's `when:` conditions, in order until one does not hold; each is journaled. */
export function decideStepActor(deps: RunDeps) {
  return fromPromise<DecideOutput, StepInput>(async ({ input }) => {
    const step = deps.stepOf(input.step);
    const decided: Decided[] = [];
    for (const condition of step.when) {
      const one = await decide(deps, condition);
      decided.push(one);
      if (!one.held) break;
    }
    const failed = decided.find((d) => !d.held);
    deps.emit({ kind: 'step.decided', step: step.id, applies: !failed, conditions: decided });
    return failed ? { applies: false, reason: `condition not met: ${failed.condition}${failed.detail ? ` (${failed.detail})` : ''}` } : { applies: true };
  });
}
