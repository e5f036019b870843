import { describe, expect, it } from 'vitest';
import { makeRunId, RUN_ID_PATTERN } from '../../src/core/model/run-id.js';

describe('makeRunId', () => {
  it('names the time to the millisecond, the runbook and a random tail', () => {
    expect(makeRunId(new Date('2026-11-25T19:30:00.250Z'), 'Homelab Restore', '3f9a77')).toBe('20261125T193000.250Z-homelab-3f9a');
  });

  it('keeps runs started in the same second in start order when sorted by name', () => {
    const at = Date.parse('2026-11-25T19:30:00.000Z');
    // The random tail is what would order them if the time stopped at the second.
    const ids = [0, 1, 420, 999].map((ms, i) => makeRunId(new Date(at + ms), 'homelab', ['ffff', 'aaaa', '9999', '0000'][i]!));
    expect([...ids].sort()).toEqual(ids);
  });

  it('run folders are recognised with and without milliseconds', () => {
    expect(RUN_ID_PATTERN.test('20261125T193000.250Z-homelab-3f9a')).toBe(true);
    expect(RUN_ID_PATTERN.test('20261125T193000Z-homelab-3f9a')).toBe(true);
    expect(RUN_ID_PATTERN.test('notes')).toBe(false);
  });
});
