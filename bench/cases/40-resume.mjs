// Resume cost: resuming a 1,000-step run that stopped at step 901 must reach step 901 within 2x the
// time `lifeboat plan` of the same runbook takes (loading the runbook is common to both; resume adds
// reading the journal and snapshot and walking past 900 finished steps).
//
// Setup runs the runbook once with --yes: steps 1-900 run `true`, step 901 runs `exit 1` (on_failure:
// stop), so the run stops there (exit 1). Each timed `resume --yes` then walks past the 900 finished
// steps, runs step 901 (one `bash -c 'exit 1'`), and stops at it again with exit 1: the run's state
// is the same before every iteration (only a few journal lines are appended), so no copying is needed
// between iterations. The harness treats any non-zero exit as an error, so the subject runs through
// `sh -c` that turns "exit 1" (stopped at 901 again) into 0 and any other exit (2, 70, …) into a
// failure: a resume that breaks still shows up as an ERROR, not as a fast time. sh adds ~1 ms to the
// subject only, which counts against it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lifeboat, measurement } from '../lib/commands.mjs';
import { OUT_DIR, ROOT } from '../lib/paths.mjs';

const STEPS = 1_000;
const STOP_AT = 901;
const PHASES = 10;
const FILE = path.join(OUT_DIR, `resume-${STEPS}.yaml`);
const LOGS = path.join(OUT_DIR, `resume-${STEPS}-logs`);
const BIN = path.join(ROOT, 'bin', 'lifeboat.js');

/** The runbook: 10 phases of 100 steps running `true`, except step 901, which fails. */
function runbookText() {
  const out = [`name: resume-${STEPS}`, 'phases:'];
  const perPhase = STEPS / PHASES;
  for (let p = 1; p <= PHASES; p++) {
    out.push(`  - id: p${p}`, `    title: "Phase ${p}"`);
    if (p > 1) out.push(`    needs: [p${p - 1}]`);
    out.push('    steps:');
    for (let k = 1; k <= perPhase; k++) {
      const n = (p - 1) * perPhase + k;
      out.push(`      - id: s${n}`, `        title: "Step ${n}"`, `        run: ${n === STOP_AT ? '"exit 1"' : '"true"'}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Makes a fresh run stopped at step 901, and checks that it is. */
function setup() {
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(FILE, runbookText());
  rmSync(LOGS, { recursive: true, force: true });
  const run = spawnSync(process.execPath, [BIN, 'run', FILE, '--yes', '--logs', LOGS], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (run.status !== 1) throw new Error(`the setup run should stop at step ${STOP_AT} with exit 1, got ${run.status}: ${run.stderr.trim().split('\n')[0] ?? ''}`);
  const [runId, ...more] = readdirSync(LOGS).filter((name) => /^\d{8}T\d{6}\.\d{3}Z-/.test(name));
  if (!runId || more.length) throw new Error(`expected one run in ${LOGS}`);
  const events = readFileSync(path.join(LOGS, runId, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const end = events.at(-1);
  const done = events.filter((e) => e.kind === 'step.finished' && e.status === 'done').length;
  if (end?.kind !== 'run.finished' || end.stoppedAt !== `s${STOP_AT}` || done !== STOP_AT - 1) {
    throw new Error(`the setup run did not stop at s${STOP_AT} after ${STOP_AT - 1} done steps (${done} done, last record ${end?.kind})`);
  }
}

/** `lifeboat resume --yes`, expected to stop at step 901 again with exit 1 (then the command exits 0). */
const resumeToStop = {
  label: `lifeboat resume --yes --logs ${path.relative(ROOT, LOGS)} (expects exit 1: stopped at s${STOP_AT})`,
  argv: ['/bin/sh', '-c', '"$0" "$@"; test $? -eq 1', process.execPath, BIN, 'resume', '--yes', '--logs', LOGS],
};

export default {
  name: 'resume 1k at 901',
  target: `resume of a ${STEPS.toLocaleString('en')}-step run stopped at step ${STOP_AT} reaches it (and runs it) in <= 2x \`plan\` of the same runbook`,
  setup,
  baseline: measurement(`plan, ${STEPS.toLocaleString('en')} steps`, [lifeboat('plan', FILE)]),
  subject: measurement(`resume to step ${STOP_AT}`, [resumeToStop]),
  limit: { maxRatio: 2 },
  runs: 15,
  warmup: 2,
};
