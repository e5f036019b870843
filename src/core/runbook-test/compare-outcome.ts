import type { ObservedRun } from './observed-run.js';
import { sameValue } from './same-value.js';
import type { TestCase } from './test-case.js';

/** One way a run differed from what its case expected. */
export interface Difference {
  /** `run`, or the step id. */
  what: string;
  /** What was compared: status, a captured name, commands. */
  field: string;
  expected: string;
  got: string;
}

const shown = (value: unknown): string => (value === undefined ? 'nothing' : typeof value === 'string' ? value : JSON.stringify(value));

/** Every way the run differed from the case's expectations; only what the case names is compared. */
export function compareOutcome(testCase: TestCase, run: ObservedRun): Difference[] {
  const differences: Difference[] = [];
  const { expect } = testCase;
  if (expect.status !== undefined && expect.status !== run.status) {
    differences.push({ what: 'run', field: 'status', expected: expect.status, got: `${run.status}${run.message ? ` (${run.message})` : ''}` });
  }
  for (const [id, want] of Object.entries(expect.steps)) {
    const got = run.steps[id];
    if (!got) continue;
    if (want.status !== undefined && want.status !== got.status) differences.push({ what: id, field: 'status', expected: want.status, got: got.status });
    for (const [name, value] of Object.entries(want.captured ?? {})) {
      if (!sameValue(value, got.captured[name])) differences.push({ what: id, field: `captured ${name}`, expected: shown(value), got: shown(got.captured[name]) });
    }
    if (want.commands !== undefined && JSON.stringify(want.commands) !== JSON.stringify(got.commands)) {
      differences.push({ what: id, field: 'commands', expected: shown(want.commands), got: shown(got.commands) });
    }
  }
  return differences;
}
