import type { CheckSet } from './run-event.js';

/** What a real run would do with a step now, as far as its read-only checks tell. */
export type ProbeVerdict = 'satisfied' | 'would run' | 'blocked' | 'unknown';

/** One step as probed: the verdict, why, and each check looked at (or not, and why). */
export interface StepProbe {
  step: string;
  position: string;
  title: string;
  host?: string;
  verdict: ProbeVerdict;
  /** Why it is blocked or unknown, or what a step that would run is waiting on. */
  reason?: string;
  checks: Array<{ set: CheckSet; label: string; outcome: 'passed' | 'failed' | 'not run'; reason?: string }>;
}
