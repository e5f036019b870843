import type { AgeMeasure } from '../core/model/age-measure.js';
import type { Check } from '../core/model/plan-types.js';
import type { CheckSet } from '../core/model/run-event.js';

/** The result of one check: passed, or why not (with the output that shows it). */
export interface CheckResult {
  ok: boolean;
  reason?: string;
  output?: string;
  durationMs: number;
  /** Not really checked (a rehearsal): the result is what a real run would assume. */
  assumed?: boolean;
  /** What an `age` check measured, recorded with its result. */
  measured?: AgeMeasure;
}

/** Runs checks; the live adapter really checks, the dry-run adapter rehearses. */
export interface CheckRunner {
  /** `item`: the key of the foreach item the check is for; a runner that really checks has no use for it. */
  run(check: Check, set: CheckSet, signal?: AbortSignal, item?: string): Promise<CheckResult>;
}
