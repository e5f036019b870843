// Fan-out: wall time of `foreach` with concurrency, and memory of a long fan-out.
// Usage: node bench/fan-out.mjs [SMALL=100] [LARGE=1000]
// Targets:
//  - 40 items of `sleep 1` with `concurrency: 10` finish within 1.2x of 4 s plus the run's fixed start
//    (the same runbook with one item of `sleep 0`: start-up, capture of nothing, journal and exit);
//  - peak RSS of a LARGE-item fan-out at most 1.5x that of a SMALL-item one.
// Prints one line per measurement and the verdict; exits 1 when a target is missed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT_DIR, ROOT } from './lib/paths.mjs';

const TIME_RATIO = 1.2;
const RSS_RATIO = 1.5;
const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'peak-rss.mjs')).href;

/** A runbook of one foreach step over `items` numbers, each running `command`, `concurrency` at once. */
function runbookText(name, items, command, concurrency) {
  return [
    'format: 1',
    `name: ${name}`,
    'phases:',
    '  - id: p1',
    '    steps:',
    '      - id: fan',
    `        foreach: [${Array.from({ length: items }, (_, i) => i + 1).join(', ')}]`,
    `        concurrency: ${concurrency}`,
    `        run: ${command}`,
    '',
  ].join('\n');
}

/** One `run --yes`: wall time (ms) and peak RSS (MB). */
function measure(name, items, command, concurrency) {
  mkdirSync(OUT_DIR, { recursive: true });
  const runbook = path.join(OUT_DIR, `${name}.yaml`);
  const logs = path.join(OUT_DIR, `${name}-logs`);
  const rssFile = path.join(OUT_DIR, `${name}.rss`);
  writeFileSync(runbook, runbookText(name, items, command, concurrency));
  rmSync(logs, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const args = ['--import', PRELOAD, path.join(ROOT, 'bin', 'lifeboat.js'), 'run', runbook, '--yes', '--logs', logs];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LIFEBOAT_BENCH_RSS_FILE: rssFile } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${name} exited ${result.status ?? result.signal}: ${String(result.stderr).slice(0, 400)}`);
  rmSync(logs, { recursive: true, force: true });
  return { ms, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

const small = Number(process.argv[2] ?? 100);
const large = Number(process.argv[3] ?? 1000);

const fixed = measure('fan-fixed', 1, '"sleep 0"', 1);
const wide = measure('fan-40x1s', 40, 'sleep 1', 10);
const allowed = TIME_RATIO * (4000 + fixed.ms);
console.log(`fixed start (1 item of sleep 0): ${fixed.ms.toFixed(0)} ms`);
console.log(`40 items of sleep 1, concurrency 10: ${wide.ms.toFixed(0)} ms (target <= ${allowed.toFixed(0)} ms = 1.2 x (4000 + fixed)) ${wide.ms <= allowed ? 'PASS' : 'FAIL'}`);

const few = measure(`fan-${small}`, small, '"true"', 10);
const many = measure(`fan-${large}`, large, '"true"', 10);
const ratio = many.rssMb / few.rssMb;
console.log(`peak RSS: ${small} items ${few.rssMb.toFixed(1)} MB, ${large} items ${many.rssMb.toFixed(1)} MB: ${ratio.toFixed(2)}x (target <= ${RSS_RATIO}x) ${ratio <= RSS_RATIO ? 'PASS' : 'FAIL'}`);
console.log(`time per item: ${small} items ${(few.ms / small).toFixed(1)} ms, ${large} items ${(many.ms / large).toFixed(1)} ms`);
process.exit(wide.ms <= allowed && ratio <= RSS_RATIO ? 0 : 1);
