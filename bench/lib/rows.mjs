// Turns judged case results into table rows, shared by the console output and RESULTS.md.
import { ms, ratio } from './format.mjs';

/** Column headers of the summary table. */
export const SUMMARY_HEADER = ['Benchmark', 'Target', 'Baseline median', 'Subject median', 'Ratio', 'Verdict'];

/** One summary row per case: baseline and subject medians, their ratio and the verdict. */
export function summaryRows(results) {
  return results.map(({ kase, baseline, subject, judgement }) => [
    kase.name,
    kase.target,
    `${ms(baseline.total?.median)} (${baseline.label})`,
    `${ms(subject.total?.median)} (${subject.label})`,
    ratio(judgement.ratio),
    judgement.verdict,
  ]);
}

/** Column headers of the measurement table. */
export const MEASUREMENT_HEADER = ['Measurement', 'Command', 'Runs', 'Median', 'Min', 'Max'];

/** One row per command of each distinct measurement, plus a "sum" row for multi-command ones. */
export function measurementRows(results) {
  const seen = new Set();
  const rows = [];
  for (const { baseline, subject } of results) {
    for (const m of [baseline, subject]) {
      if (seen.has(m) || m.error) continue;
      seen.add(m);
      for (const p of m.parts) rows.push([m.label, p.label, p.runs, ms(p.median), ms(p.min), ms(p.max)]);
      if (m.parts.length > 1) {
        const t = m.total;
        rows.push([m.label, 'sum per run', t.runs, ms(t.median), ms(t.min), ms(t.max)]);
      }
    }
  }
  return rows;
}

/** One line per case that did not pass, saying why. */
export function problemLines(results) {
  return results.filter(({ judgement }) => judgement.verdict !== 'PASS').map(({ kase, judgement }) => `${kase.name}: ${judgement.verdict}: ${judgement.reason}`);
}
