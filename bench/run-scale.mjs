// Memory and time of a long `lifeboat run --yes`: a runbook of SMALL trivial steps against one of LARGE.
// Usage: node bench/run-scale.mjs [SMALL=500] [LARGE=10000] [RUNS=1]
// Target: peak RSS at LARGE <= 1.5x that at SMALL; time per step at LARGE <= 1.1x that at SMALL.
// Prints one line per measurement and the verdict; exits 1 when a target is missed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT_DIR, ROOT } from './lib/paths.mjs';

const RSS_RATIO = 1.5;
const TIME_RATIO = 1.1;
const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'peak-rss.mjs')).href;

/** A runbook of `steps` steps in one phase, each running `true`, with no checks. */
function runbookText(steps) {
  const lines = ['format: 1', `name: bench-scale-${steps}`, 'phases:', '  - id: p1', '    steps:'];
  for (let n = 1; n <= steps; n++) lines.push(`      - id: s${n}`, '        run: "true"');
  return `${lines.join('\n')}\n`;
}

/** One `run --yes` of a `steps`-step runbook: wall time (ms) and peak RSS (MB). */
function measure(steps) {
  const runbook = path.join(OUT_DIR, `scale-${steps}.yaml`);
  const logs = path.join(OUT_DIR, `scale-${steps}-logs`);
  const rssFile = path.join(OUT_DIR, `scale-${steps}.rss`);
  writeFileSync(runbook, runbookText(steps));
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const args = ['--import', PRELOAD, path.join(ROOT, 'bin', 'lifeboat.js'), 'run', runbook, '--yes', '--logs', logs];
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LIFEBOAT_BENCH_RSS_FILE: rssFile } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`run of ${steps} steps exited ${result.status ?? result.signal}: ${String(result.stderr).slice(0, 400)}`);
  rmSync(logs, { recursive: true, force: true });
  return { ms, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

/** The best of `runs` measurements (least time, least RSS): noise only ever adds. */
function best(steps, runs) {
  const all = Array.from({ length: runs }, () => measure(steps));
  return { ms: Math.min(...all.map((m) => m.ms)), rssMb: Math.min(...all.map((m) => m.rssMb)) };
}

const [small = 500, large = 10_000, runs = 1] = process.argv.slice(2).map(Number);
mkdirSync(OUT_DIR, { recursive: true });
const a = best(small, runs);
const b = best(large, runs);
const perStep = (m, steps) => m.ms / steps;
const rssRatio = b.rssMb / a.rssMb;
const timeRatio = perStep(b, large) / perStep(a, small);
for (const [steps, m] of [
  [small, a],
  [large, b],
]) {
  console.log(`${String(steps).padStart(6)} steps: peak RSS ${m.rssMb.toFixed(1)} MB, ${(m.ms / 1000).toFixed(1)} s, ${perStep(m, steps).toFixed(2)} ms/step`);
}
const rssOk = rssRatio <= RSS_RATIO;
const timeOk = timeRatio <= TIME_RATIO;
console.log(`peak RSS ratio ${rssRatio.toFixed(2)}x (target <= ${RSS_RATIO}x): ${rssOk ? 'PASS' : 'FAIL'}`);
console.log(`time per step ratio ${timeRatio.toFixed(2)}x (target <= ${TIME_RATIO}x): ${timeOk ? 'PASS' : 'FAIL'}`);
process.exitCode = rssOk && timeOk ? 0 : 1;
