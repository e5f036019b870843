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
    for (const [key, item] of Object.entries(want.items ?? {})) {
      const gotItem = got.items?.[key] ?? { status: 'not-reached', commands: [] };
      if (item.status !== undefined && item.status !== gotItem.status) differences.push({ what: id, field: `item ${key} status`, expected: item.status, got: gotItem.status });
      if (item.commands !== undefined && JSON.stringify(item.commands) !== JSON.stringify(gotItem.commands)) {
        differences.push({ what: id, field: `item ${key} commands`, expected: shown(item.commands), got: shown(gotItem.commands) });
      }
    }
  }
  // An item pretended under a key the step never had: a typo, or a list other than the case thinks.
  for (const [id, declared] of Object.entries(testCase.items)) {
    const listed = run.steps[id]?.items;
    if (!listed) continue;
    for (const key of Object.keys(declared)) {
      if (!(key in listed)) differences.push({ what: id, field: `item ${key}`, expected: 'an item with this key, as the case pretends', got: `items ${Object.keys(listed).join(', ') || '(none)'}` });
    }
  }
  return differences;
}
