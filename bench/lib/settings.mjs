// Reads the harness settings from the environment.

// Parses a non-negative integer variable, or returns undefined when it is unset.
function count(env, name, min) {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** BENCH_RUNS and BENCH_WARMUP (override every case's counts) and BENCH_FILTER (case-name substring). */
export function readSettings(env = process.env) {
  return {
    runs: count(env, 'BENCH_RUNS', 1),
    warmup: count(env, 'BENCH_WARMUP', 0),
    filter: env.BENCH_FILTER || undefined,
  };
}

/** A one-line description of the settings in effect, for the report. */
export function describeSettings(settings) {
  const parts = [
    settings.runs === undefined ? 'per case (default 15)' : `${settings.runs} (BENCH_RUNS)`,
    settings.warmup === undefined ? 'warm-ups per case (default 2)' : `${settings.warmup} warm-ups (BENCH_WARMUP)`,
  ];
  if (settings.filter) parts.push(`filter "${settings.filter}" (BENCH_FILTER)`);
  return parts.join(', ');
}
