// Steps side by side: a runbook of two independent 10-step chains, run with `--concurrency 2`,
// against the longer chain run alone.
// Usage: node bench/side-by-side.mjs [STEP_SECONDS=0.5]
// Target: the two chains together take at most 1.2x the longer chain alone (each run from start to exit).
// Prints one line per measurement and the verdict; exits 1 when the target is missed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OUT_DIR, ROOT } from './lib/paths.mjs';

const TIME_RATIO = 1.2;
const seconds = Number(process.argv[2] ?? 0.5);

/** A runbook of one phase per chain, each of `length` steps of `sleep seconds`. */
function runbookText(name, chains, length) {
  const lines = ['format: 1', `name: ${name}`, 'phases:'];
  for (const chain of chains) {
    lines.push(`  - id: ${chain}`, '    steps:');
    for (let i = 1; i <= length; i++) lines.push(`      - { id: ${chain}-${i}, run: "sleep ${seconds}" }`);
  }
  return `${lines.join('\n')}\n`;
}

/** One `run --yes` (with the given flags): wall time in ms. */
function measure(name, text, flags) {
  mkdirSync(OUT_DIR, { recursive: true });
  const runbook = path.join(OUT_DIR, `${name}.yaml`);
  const logs = path.join(OUT_DIR, `${name}-logs`);
  writeFileSync(runbook, text);
  rmSync(logs, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'lifeboat.js'), 'run', runbook, '--yes', '--logs', logs, ...flags], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${name} exited ${result.status ?? result.signal}: ${String(result.stderr).slice(0, 400)}`);
  rmSync(logs, { recursive: true, force: true });
  return ms;
}

const alone = measure('chain-alone', runbookText('chain-alone', ['a'], 10), []);
const both = measure('chains-side-by-side', runbookText('chains-side-by-side', ['a', 'b'], 10), ['--concurrency', '2']);
const one = measure('chains-one-at-a-time', runbookText('chains-one-at-a-time', ['a', 'b'], 10), []);
const allowed = TIME_RATIO * alone;
console.log(`the longer chain alone (10 x sleep ${seconds}): ${alone.toFixed(0)} ms`);
console.log(`two chains, one step at a time: ${one.toFixed(0)} ms`);
console.log(`two chains, --concurrency 2: ${both.toFixed(0)} ms (target <= ${allowed.toFixed(0)} ms = 1.2 x alone) ${both <= allowed ? 'PASS' : 'FAIL'}`);
process.exitCode = both <= allowed ? 0 : 1;
