import type { StepCounts } from '../model/run-event.js';

/** A run's counts in words: `3 done, 1 skipped, 1 not applicable, 0 failed, 2 not reached` (not applicable only when there are any). */
export function countsText(c: StepCounts): string {
  const notApplicable = c['not-applicable'] ? `, ${c['not-applicable']} not applicable` : '';
  return `${c.done} done, ${c.skipped} skipped${notApplicable}, ${c.failed} failed, ${c.pending} not reached`;
}

/** A captured value on one line: text as it is, anything else as JSON, cut at 120 characters. */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
