// Times measurements over warm-up and counted iterations, interleaving them so drift hits all alike.
import { summarize } from './stats.mjs';
import { timeCommand } from './time-command.mjs';

/**
 * Measures each measurement `runs` times after `warmup` untimed iterations, round-robin;
 * returns one result per measurement: its total per iteration and each command's own timings, or the error.
 */
export function measureInterleaved(measurements, { runs, warmup }) {
  const state = measurements.map((m) => ({ m, totals: [], parts: m.commands.map(() => []), error: undefined }));
  for (let i = 0; i < warmup + runs; i++) {
    for (const s of state) {
      if (s.error) continue;
      try {
        const times = s.m.commands.map(timeCommand);
        if (i < warmup) continue;
        times.forEach((t, k) => {
          s.parts[k].push(t);
        });
        s.totals.push(times.reduce((a, b) => a + b, 0));
      } catch (error) {
        s.error = error;
      }
    }
  }
  return state.map(({ m, totals, parts, error }) =>
    error
      ? { label: m.label, error: error.message }
      : {
          label: m.label,
          total: summarize(totals),
          parts: m.commands.map((c, k) => ({ label: c.label, ...summarize(parts[k]) })),
        },
  );
}
