import type { AgeMeasure } from '../model/age-measure.js';

// A host whose clock runs a little ahead is not an error; a time far in the future is (milliseconds
// printed as seconds, a clock off by hours), and passing it would hide a stale backup.
const FUTURE_SLACK_MS = 5 * 60_000;

/** Judges the newest time against max_age at `nowMs`: the measure, and why it fails when it does. */
export function judgeAge(newestMs: number, maxAgeMs: number, nowMs: number): { measured: AgeMeasure; failure?: string } {
  const measured: AgeMeasure = {
    ageSeconds: Math.max(0, Math.round((nowMs - newestMs) / 1000)),
    newest: new Date(newestMs).toISOString(),
    maxAgeSeconds: Math.round(maxAgeMs / 1000),
  };
  if (newestMs > nowMs + FUTURE_SLACK_MS) {
    return { measured, failure: `the newest time, ${measured.newest}, is in the future (a clock that is wrong, or milliseconds printed as seconds?)` };
  }
  if (nowMs - newestMs > maxAgeMs)
    return { measured, failure: `the newest is ${describeSeconds(measured.ageSeconds)} old (${measured.newest}), more than max_age ${describeSeconds(measured.maxAgeSeconds)}` };
  return { measured };
}

/** Seconds as a short age: 45s, 3h 10m, 4d 2h. */
export function describeSeconds(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d >= 2) return h && d < 30 ? `${d}d ${h}h` : `${d}d`;
  if (d === 1 || h > 0) return m && d === 0 ? `${d * 24 + h}h ${m}m` : `${d * 24 + h}h`;
  if (m > 0) return `${m}m`;
  return `${seconds}s`;
}
