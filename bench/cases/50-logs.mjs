// Large logs: `lifeboat logs list` over 1,000 recorded runs and `lifeboat logs show` of one run
// with 100,000 journal events, each under a second. The runs are synthetic but shaped exactly
// like real ones (pino lines as the journal writes them, run.json as `run` writes it).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lifeboat, measurement } from '../lib/commands.mjs';
import { OUT_DIR } from '../lib/paths.mjs';

const MANY_DIR = path.join(OUT_DIR, 'logs-1000-runs');
const BIG_DIR = path.join(OUT_DIR, 'logs-100k-events');
const START = Date.parse('2026-11-01T08:00:00.000Z');

// Deterministic pseudo-random numbers, so every bench run reads the same logs.
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function runIdAt(ms, n) {
  const stamp = new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-homelab-${n.toString(16).padStart(4, '0')}`;
}

/** Writes one run folder: run.json, and a journal of `stepCount` steps with `outputLines` lines of output each. */
function writeRun(dir, { runId, at, stepCount, outputLines, ending, rnd }) {
  const runDir = path.join(dir, runId);
  mkdirSync(runDir, { recursive: true });
  const phases = Math.max(1, Math.ceil(stepCount / 100));
  const steps = Array.from({ length: stepCount }, (_, i) => ({ id: `step-${i + 1}`, phase: `phase-${Math.floor(i / 100) + 1}`, position: `${Math.floor(i / 100) + 1}.${(i % 100) + 1}` }));
  const meta = {
    runId,
    runbook: { name: 'homelab', path: '/srv/lifeboat/runbooks/homelab.yaml', hash: 'f'.repeat(64) },
    request: { file: '/srv/lifeboat/runbooks/homelab.yaml', vars: [], stepsDir: '/srv/lifeboat/steps' },
    fingerprints: Object.fromEntries(steps.map((s) => [s.id, 'abcd1234'])),
    order: steps.map((s) => s.id),
    createdAt: new Date(at).toISOString(),
    operator: 'root',
    hostname: 'laptop',
  };
  writeFileSync(path.join(runDir, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
  let t = at;
  const lines = [];
  const line = (event, level = 'info') => {
    t += 1 + Math.floor(rnd() * 20);
    lines.push(JSON.stringify({ level, time: new Date(t).toISOString(), runId, ...event }));
  };
  line({
    kind: 'run.started',
    runId,
    runbook: meta.runbook,
    selection: {},
    vars: { pool: 'tank' },
    operator: 'root',
    hostname: 'laptop',
    version: '0.1.0',
    mode: 'unattended',
    dryRun: false,
    steps: stepCount,
    phases,
  });
  const stop = ending === 'done' ? stepCount : Math.max(1, Math.floor(stepCount * 0.7));
  let failed = 0;
  for (const [i, s] of steps.slice(0, stop).entries()) {
    const last = i === stop - 1 && ending !== 'done';
    line({ kind: 'step.started', step: s.id, position: s.position, title: `Restore ${s.id} of the homelab`, phase: s.phase, action: 'run', host: 'nas' });
    line({ kind: 'operator.choice', step: s.id, menu: 'before', choice: 'run', by: 'unattended' });
    line({ kind: 'step.attempt', step: s.id, attempt: 1, command: `zfs mount tank/${s.id} && systemctl restart smbd`, host: 'nas' });
    line({ kind: 'step.spawned', step: s.id, attempt: 1, pid: 4000 + i, pgid: 4000 + i, startTicks: 100000 + i });
    for (let k = 0; k < outputLines; k++) {
      line({
        kind: 'step.output',
        step: s.id,
        stream: k % 7 === 0 ? 'stderr' : 'stdout',
        text: `tank/${s.id}: mounted dataset ${k} at /mnt/tank/${s.id}/${k} (used ${Math.floor(rnd() * 1e6)} bytes)\n`,
      });
    }
    if (last && ending === 'running') break;
    if (last && ending === 'interrupted') {
      line({ kind: 'step.exited', step: s.id, attempt: 1, signal: 'SIGTERM', timedOut: false, durationMs: 1200 });
      break;
    }
    const fails = last && ending === 'failed';
    line({ kind: 'step.exited', step: s.id, attempt: 1, exitCode: fails ? 1 : 0, timedOut: false, durationMs: 40 + rnd() * 400 });
    if (fails) {
      line({ kind: 'check.failed', step: s.id, set: 'verify', check: `zfs get -H -o value mounted tank/${s.id}`, durationMs: 12, reason: 'exited 1', output: 'no' });
      line({ kind: 'operator.choice', step: s.id, menu: 'failure', choice: 'abort', reason: 'check failed', by: 'unattended' });
      failed = 1;
      break;
    }
    line({ kind: 'check.passed', step: s.id, set: 'verify', check: `zfs get -H -o value mounted tank/${s.id}`, durationMs: 9 });
    line({ kind: 'step.finished', step: s.id, position: s.position, status: 'done', exitCode: 0, attempts: 1, durationMs: 300 });
  }
  if (ending !== 'running') {
    const done = ending === 'done' ? stepCount : stop - 1;
    line({
      kind: 'run.finished',
      status: ending,
      durationMs: t - at,
      counts: { done, skipped: 0, failed, pending: stepCount - done - failed },
      stoppedAt: ending === 'done' ? undefined : steps[stop - 1].id,
    });
  }
  writeFileSync(path.join(runDir, 'events.jsonl'), `${lines.join('\n')}\n`);
  return lines.length;
}

/** 1,000 runs of 30 steps (about 150 events each), with every way a run can end. */
function writeManyRuns() {
  rmSync(MANY_DIR, { recursive: true, force: true });
  const rnd = random(42);
  const endings = ['done', 'done', 'done', 'failed', 'interrupted', 'running'];
  for (let n = 0; n < 1000; n++) {
    const at = START + n * 3_600_000;
    writeRun(MANY_DIR, { runId: runIdAt(at, n), at, stepCount: 30, outputLines: 3, ending: endings[n % endings.length], rnd });
  }
}

/** One run of 1,000 steps with 93 lines of output each: 100,000 events in its journal. */
function writeBigRun() {
  rmSync(BIG_DIR, { recursive: true, force: true });
  const events = writeRun(BIG_DIR, { runId: runIdAt(START, 1), at: START, stepCount: 1000, outputLines: 93, ending: 'done', rnd: random(7) });
  if (events < 100_000) throw new Error(`the big journal has ${events} events, fewer than 100,000`);
}

const version = measurement('lifeboat --version', [lifeboat('--version')]);

export default [
  {
    name: 'logs list 1k runs',
    target: '`lifeboat logs list` over 1,000 runs: median < 1000 ms',
    setup: writeManyRuns,
    baseline: version,
    subject: measurement('logs list, 1,000 runs', [lifeboat('logs', 'list', '--logs', MANY_DIR)]),
    limit: { maxMedianMs: 1000 },
    runs: 10,
  },
  {
    name: 'logs show 100k events',
    target: '`lifeboat logs show` of a run with 100,000 events: median < 1000 ms',
    setup: writeBigRun,
    baseline: version,
    subject: measurement('logs show, 100,000 events', [lifeboat('logs', 'show', 'last', '--logs', BIG_DIR)]),
    limit: { maxMedianMs: 1000 },
    runs: 10,
  },
  {
    name: 'logs show --output 100k events',
    target: '`lifeboat logs show --output` (every output line printed) of the same run: median < 1000 ms',
    setup: writeBigRun,
    baseline: version,
    subject: measurement('logs show --output, 100,000 events', [lifeboat('logs', 'show', 'last', '--output', '--logs', BIG_DIR)]),
    limit: { maxMedianMs: 1000 },
    runs: 10,
  },
];
