import { describe, expect, it } from 'vitest';
import { judgeAge } from '../../src/core/readiness/age-measure.js';
import { newestTime, parseTimeText } from '../../src/core/readiness/age-times.js';
import { formatAge, parseLongDuration } from '../../src/core/readiness/long-duration.js';

describe('times printed by an age command', () => {
  it('reads epoch seconds, with or without a fraction', () => {
    expect(parseTimeText('1764892800')).toBe(1_764_892_800_000);
    expect(parseTimeText(' 1764892800.250 ')).toBe(1_764_892_800_250);
  });

  it('reads ISO 8601 with Z, an offset, a space instead of T, or no zone (taken as UTC)', () => {
    expect(parseTimeText('2026-12-05T02:00:00Z')).toBe(Date.UTC(2026, 11, 5, 2));
    expect(parseTimeText('2026-12-05T03:00:00+01:00')).toBe(Date.UTC(2026, 11, 5, 2));
    expect(parseTimeText('2026-12-05T03:00:00+0100')).toBe(Date.UTC(2026, 11, 5, 2));
    expect(parseTimeText('2026-12-05 02:00:00')).toBe(Date.UTC(2026, 11, 5, 2));
    expect(parseTimeText('2026-12-05T02:00:00.5Z')).toBe(Date.UTC(2026, 11, 5, 2, 0, 0, 500));
    expect(parseTimeText('2026-12-05')).toBe(Date.UTC(2026, 11, 5));
  });

  it('refuses what is not a time, including dates that do not exist', () => {
    for (const text of ['yesterday', '12:00', '2026-02-31T00:00:00Z', '1764892800 tank@daily', '-5', '0x10', 'NaN']) {
      expect(parseTimeText(text), text).toBeUndefined();
    }
  });

  it('takes the newest of several lines, in any order, skipping blank lines', () => {
    const result = newestTime('1764806400\n\n2026-12-05T02:00:00Z\n1764720000\n');
    expect(result).toEqual({ ok: true, newestMs: Date.UTC(2026, 11, 5, 2), count: 3 });
  });

  it('fails clearly on garbage, naming the line', () => {
    const result = newestTime('1764806400\ncannot open dataset tank/data\n');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^line 2 of its output is not a time: "cannot open dataset tank\/data" \(expected epoch seconds/);
  });

  it('fails clearly on empty output: no backup is known', () => {
    const result = newestTime('  \n');
    expect(!result.ok && result.reason).toMatch(/printed no time/);
  });
});

describe('judging an age against max_age', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  it('passes at most max_age, and records the measure', () => {
    expect(judgeAge(now - 3_600_000, 26 * 3_600_000, now)).toEqual({ measured: { ageSeconds: 3600, newest: '2026-12-05T11:00:00.000Z', maxAgeSeconds: 93_600 } });
  });
  it('fails older than max_age, saying how old', () => {
    const { failure, measured } = judgeAge(now - 3 * 86_400_000, 26 * 3_600_000, now);
    expect(measured.ageSeconds).toBe(3 * 86_400);
    expect(failure).toBe('the newest is 3d old (2026-12-02T12:00:00.000Z), more than max_age 26h');
  });
  it('fails a time far in the future (milliseconds printed as seconds)', () => {
    expect(judgeAge(now * 1000, 3_600_000, now).failure).toMatch(/is in the future/);
  });
});

describe('long durations', () => {
  it('count days and weeks as well as hours', () => {
    expect(parseLongDuration('26h')).toBe(26 * 3_600_000);
    expect(parseLongDuration('90d')).toBe(90 * 86_400_000);
    expect(parseLongDuration('1w 2d')).toBe(9 * 86_400_000);
    expect(parseLongDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseLongDuration('2 days')).toBeUndefined();
    expect(formatAge(26 * 3_600_000)).toBe('26h');
    expect(formatAge(90 * 86_400_000)).toBe('90d');
  });
});
