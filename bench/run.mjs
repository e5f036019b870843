// Entry point of `npm run bench`: runs every case in bench/cases/, prints a table, writes RESULTS.md,
// and exits 1 when any target is missed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadCases } from './lib/cases.mjs';
import { measurementKey } from './lib/commands.mjs';
import { textTable } from './lib/format.mjs';
import { machineInfo } from './lib/machine.mjs';
import { measureInterleaved } from './lib/measure.mjs';
import { CASES_DIR, OUT_DIR, RESULTS_FILE } from './lib/paths.mjs';
import { resultsMarkdown } from './lib/results-md.mjs';
import { MEASUREMENT_HEADER, measurementRows, problemLines, SUMMARY_HEADER, summaryRows } from './lib/rows.mjs';
import { describeSettings, readSettings } from './lib/settings.mjs';
import { judge } from './lib/verdict.mjs';

/** Runs one case: its setup, then whichever of its measurements are not already timed, then the verdict. */
async function runCase(kase, settings, timed) {
  const counts = { runs: settings.runs ?? kase.runs, warmup: settings.warmup ?? kase.warmup };
  try {
    await kase.setup?.();
  } catch (error) {
    const failed = (m) => ({ label: m.label, error: `setup failed: ${error.message}` });
    const [baseline, subject] = [failed(kase.baseline), failed(kase.subject)];
    return { kase, baseline, subject, judgement: judge(kase.limit, baseline, subject) };
  }
  const pending = [kase.baseline, kase.subject].filter((m, i, all) => {
    const key = measurementKey(m);
    return !timed.has(key) && all.findIndex((o) => measurementKey(o) === key) === i;
  });
  measureInterleaved(pending, counts).forEach((result, i) => {
    timed.set(measurementKey(pending[i]), result);
  });
  const baseline = timed.get(measurementKey(kase.baseline));
  const subject = timed.get(measurementKey(kase.subject));
  return { kase, baseline, subject, judgement: judge(kase.limit, baseline, subject) };
}

let settings;
try {
  settings = readSettings();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(2);
}
const cases = (await loadCases(CASES_DIR)).filter((c) => !settings.filter || c.name.includes(settings.filter));
if (cases.length === 0) console.error(`bench: no cases in ${CASES_DIR}${settings.filter ? ` match "${settings.filter}"` : ''}`);
mkdirSync(OUT_DIR, { recursive: true });

const timed = new Map();
const results = [];
for (const kase of cases) {
  process.stdout.write(`bench: ${kase.name} ... `);
  const result = await runCase(kase, settings, timed);
  process.stdout.write(`${result.judgement.verdict}\n`);
  results.push(result);
}

const machine = machineInfo();
// The "Test suite" section holds timings of `npm test`, measured by hand, not by this script: keep it.
const previous = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '';
const kept = previous.includes('\n## Test suite\n') ? `\n${previous.slice(previous.indexOf('\n## Test suite\n') + 1)}` : '';
writeFileSync(RESULTS_FILE, resultsMarkdown(results, machine, describeSettings(settings)) + kept);

console.log(`\n${machine.node} on ${machine.cpu} (${machine.cores} cores), ${machine.date}\n`);
console.log(textTable(SUMMARY_HEADER, summaryRows(results)));
console.log(`\n${textTable(MEASUREMENT_HEADER, measurementRows(results))}`);
const problems = problemLines(results);
if (problems.length) console.log(`\n${problems.join('\n')}`);
console.log(`\nWrote ${RESULTS_FILE}`);
process.exitCode = cases.length > 0 && problems.length === 0 ? 0 : 1;
