// `lifeboat logs list | show | compare` on runs recorded by real `lifeboat run` processes: done,
// failed, done past a failure, interrupted (SIGINT), killed (SIGKILL), and a torn journal. The
// `logs` commands only read those records: they go through the CLI's entry point in this process
// (tests/helpers/cli-in-process.ts: the same parsing, output and exit code, without starting node
// for each of them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { RecordedRuns, recordDrills, SECRET } from './helpers/recorded-runs.js';

const runs = new RecordedRuns();
let ids: { fast: string; slow: string; broken: string; optional: string; interrupted: string; died: string; torn: string };
let interruptCode: number | undefined;

const logs = (...args: string[]) => lifeboatInProcess(['logs', ...args, '--logs', runs.logs]);

interface ListedRun {
  runId: string;
  runbook: string;
  startedAt: string;
  durationMs?: number;
  status: string;
  operator: string;
  step?: string;
  failedSteps?: number;
  tornLine: boolean;
}

beforeAll(async () => {
  const drills = await recordDrills(runs);
  const optional = await runs.run('optional', { env: { REVIEW_TOKEN: SECRET }, expectCode: 0 });
  const interrupted = await runs.signalled('interrupt', 'SIGINT');
  interruptCode = interrupted.code;
  const died = await runs.signalled('died', 'SIGKILL');
  const torn = await runs.run('torn', { expectCode: 0 });
  runs.tear(torn);
  ids = { ...drills, optional, interrupted: interrupted.runId, died: died.runId, torn };
}, 120_000);

afterAll(() => runs.cleanup());

describe('lifeboat logs list', () => {
  it('lists every run newest first with status, duration from the journal, operator and the step it stopped at', async () => {
    const result = await logs('list', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const listed = (JSON.parse(result.stdout) as { runs: ListedRun[] }).runs;
    expect(listed.map((r) => r.runId)).toEqual([ids.torn, ids.died, ids.interrupted, ids.optional, ids.broken, ids.slow, ids.fast]);
    const by = new Map(listed.map((r) => [r.runId, r]));
    expect(by.get(ids.fast)).toMatchObject({ runbook: 'drill', status: 'done', tornLine: false });
    expect(by.get(ids.fast)!.step).toBeUndefined();
    expect(by.get(ids.broken)).toMatchObject({ status: 'failed', step: 'mount' });
    expect(by.get(ids.optional)).toMatchObject({ status: 'done', failedSteps: 1 });
    expect(interruptCode).toBe(3);
    expect(by.get(ids.interrupted)).toMatchObject({ status: 'interrupted', step: 'long' });
    expect(by.get(ids.died)).toMatchObject({ status: 'running', step: 'long' });
    expect(by.get(ids.torn)).toMatchObject({ status: 'done', tornLine: true });
    for (const id of [ids.fast, ids.slow, ids.broken, ids.optional, ids.interrupted, ids.died, ids.torn]) {
      expect(by.get(id)!.durationMs, id).toBe(runs.runMs(id));
      expect(by.get(id)!.startedAt, id).toBe(runs.journal(id)[0]!.time);
      expect(by.get(id)!.operator).toBe(runs.journal(id)[0]!.operator);
    }
  });

  it('prints one line per run, newest first, with the status as a word and the failed step', async () => {
    const result = await logs('list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN +RUNBOOK +STARTED \(UTC\) +DURATION +STATUS +OPERATOR +STEP$/);
    expect(lines).toHaveLength(8);
    expect(lines[1]).toContain(ids.torn);
    const broken = lines.find((l) => l.startsWith(ids.broken))!;
    expect(broken).toMatch(/✖ failed +\S+@\S+ +mount$/);
    expect(lines.find((l) => l.startsWith(ids.interrupted))).toMatch(/‖ interrupted .* long$/);
    expect(lines.find((l) => l.startsWith(ids.died))).toMatch(/… running .* long$/);
    expect(lines.find((l) => l.startsWith(ids.optional))).toMatch(/✔ done .* 1 failed, went on$/);
    expect(lines.find((l) => l.startsWith(ids.torn))).toContain('(torn last line)');
  });

  it('--runbook keeps the runs of one runbook', async () => {
    const result = await logs('list', '--runbook', 'drill', '--json');
    const listed = (JSON.parse(result.stdout) as { runs: ListedRun[] }).runs;
    expect(listed.map((r) => r.runId)).toEqual([ids.broken, ids.slow, ids.fast]);
  });

  it('says so when there are no runs, and exits 0', async () => {
    const result = await lifeboatInProcess(['logs', 'list', '--logs', join(runs.root, 'nowhere')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No runs in');
  });

  it('counts a run folder it cannot read instead of failing', async () => {
    const bad = join(runs.root, 'bad-logs', '20260101T000000Z-bad-0000');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'run.json'), '{ not json');
    const result = await lifeboatInProcess(['logs', 'list', '--logs', join(runs.root, 'bad-logs')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('1 run folder could not be read: 20260101T000000Z-bad-0000');
  });
});

interface ShownRun {
  runId: string;
  status: string;
  elapsedMs: number;
  stoppedAt?: string;
  tornLine: boolean;
  rtoMs?: number;
  phases: Array<{
    id: string;
    title: string;
    status: string;
    durationMs?: number;
    rtoMs?: number;
    steps: Array<{
      id: string;
      status: string;
      durationMs?: number;
      startedAt?: string;
      reason?: string;
      choices: Array<{ menu: string; choice: string; reason?: string; by: string }>;
      checks: { failed: Array<{ set: string; check: string; reason: string }> };
      output?: Array<{ stream: string; text: string }>;
      outputLines: number;
    }>;
  }>;
}

const showJson = async (...args: string[]) => {
  const result = await logs('show', ...args, '--json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ShownRun;
};

describe('lifeboat logs show', () => {
  it('gives every step its start and duration from the journal, the failing check and the operator choice', async () => {
    const run = await showJson(ids.broken);
    expect(run).toMatchObject({ runId: ids.broken, status: 'failed', stoppedAt: 'mount', elapsedMs: runs.runMs(ids.broken), rtoMs: 60_000 });
    expect(run.phases.map((p) => [p.id, p.title, p.status, p.rtoMs])).toEqual([
      ['storage', 'Storage', 'failed', 30_000],
      ['apps', 'Apps', 'not reached', 20_000],
    ]);
    const [importPool, mount] = run.phases[0]!.steps;
    expect(importPool).toMatchObject({ id: 'import-pool', status: 'done', durationMs: runs.stepMs(ids.broken, 'import-pool') });
    expect(importPool!.startedAt).toBe(runs.journal(ids.broken).find((e) => e.kind === 'step.started' && e.step === 'import-pool')!.time);
    expect(mount).toMatchObject({ id: 'mount', status: 'failed' });
    expect(mount!.checks.failed).toEqual([expect.objectContaining({ set: 'verify', check: 'the datasets are mounted', reason: 'exited 1' })]);
    expect(mount!.choices).toContainEqual(expect.objectContaining({ menu: 'failure', choice: 'abort', by: 'unattended' }));
    expect(mount!.reason).toContain('the datasets are mounted');
    // The step that stopped the run has no finish record: its time runs to the run's end.
    const events = runs.journal(ids.broken);
    const mountStart = Date.parse(events.find((e) => e.kind === 'step.started' && e.step === 'mount')!.time);
    expect(mount!.durationMs).toBe(Date.parse(events.at(-1)!.time) - mountStart);
    expect(run.phases[1]!.steps.map((s) => [s.id, s.status])).toEqual([
      ['start-app', 'not reached'],
      ['check-app', 'not reached'],
    ]);
    expect(run.phases[0]!.durationMs).toBe(importPool!.durationMs! + mount!.durationMs!);
  });

  it('prints the timeline as text, phase by phase, with words beside the symbols', async () => {
    const result = await logs('show', ids.broken);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Run ${ids.broken} · drill · ✖ failed`);
    expect(out).toMatch(/^1 {2}Storage \[storage\] · ✖ failed · [\d.]+m?s · RTO 30\.0s$/m);
    expect(out).toMatch(/^ {2}1\.1 +\d\d:\d\d:\d\d +\+\d+ms +[\d.]+m?s +✔ done +import-pool · Import the pool <b>tank<\/b>/m);
    expect(out).toMatch(/^ {2}1\.2 .*✖ failed +mount · Mount the datasets$/m);
    expect(out).toContain('✖ verify the datasets are mounted: exited 1');
    expect(out).toContain('choice failure: abort (unattended)');
    expect(out).toMatch(/○ not reached +start-app/);
    expect(out).toContain('output: 1 line (--output shows it)');
    expect(out).not.toContain('stdout │');
  });

  it('accepts a unique prefix and `last`, and refuses an ambiguous prefix with exit 2', async () => {
    expect((await showJson(ids.slow.slice(0, ids.slow.length - 2))).runId).toBe(ids.slow);
    const last = await logs('show', 'last', '--json');
    expect(last.code).toBe(0);
    const ambiguous = await logs('show', '20');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('is ambiguous');
    expect(ambiguous.stderr).not.toMatch(/^\s+at /m);
    const missing = await logs('show', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run nope in');
  });

  it('--step shows one step; --output adds its output, with secrets still masked', async () => {
    const run = await showJson(ids.optional, '--step', 'scrub', '--output');
    expect(run.status).toBe('done');
    const steps = run.phases.flatMap((p) => p.steps);
    expect(steps.map((s) => s.id)).toEqual(['scrub']);
    expect(steps[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('exited 3') });
    expect(steps[0]!.output).toEqual([{ stream: 'stderr', text: 'scrub refused for [secret:tok]\n' }]);
    const text = await logs('show', ids.optional, '--step', 'scrub', '--output');
    expect(text.stdout).toContain('stderr │ scrub refused for [secret:tok]');
    expect(text.stdout).not.toContain('after ·');
    for (const out of [JSON.stringify(run), text.stdout]) expect(out).not.toContain(SECRET);
    const unknown = await logs('show', ids.optional, '--step', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no step nope');
  });

  it('--step takes a position as screens show it (1.2) as well as an id', async () => {
    const all = await showJson(ids.optional);
    const scrub = all.phases.flatMap((p) => p.steps).find((s) => s.id === 'scrub') as { position?: string } | undefined;
    expect(scrub?.position).toMatch(/^\d+\.\d+$/);
    const byPosition = await showJson(ids.optional, '--step', scrub!.position!);
    expect(byPosition.phases.flatMap((p) => p.steps).map((s) => s.id)).toEqual(['scrub']);
    const text = await logs('show', ids.optional, '--step', scrub!.position!);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('scrub');
    const unknown = await logs('show', ids.optional, '--step', '9.9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('a step id or position of this run');
  });

  it('--json gives every instant as ISO 8601, never epoch milliseconds', async () => {
    const result = await logs('show', ids.broken, '--json');
    const instants: Array<[string, unknown]> = [];
    JSON.parse(result.stdout, (key, value: unknown) => {
      if (key === 'start' || key === 'end' || key === 'time' || key === 'at' || (/(ed|created)At$/.test(key) && key !== 'stoppedAt')) instants.push([key, value]);
      return value;
    });
    expect(instants.length).toBeGreaterThan(0);
    for (const [key, value] of instants) expect(`${key}: ${String(value)}`).toMatch(/: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('an interrupted run: the step in flight is interrupted, the next never reached', async () => {
    const run = await showJson(ids.interrupted);
    expect(run.status).toBe('interrupted');
    expect(run.phases[0]!.steps.map((s) => [s.id, s.status])).toEqual([
      ['first', 'done'],
      ['long', 'interrupted'],
      ['after', 'not reached'],
    ]);
  });

  it('a killed run: no end in its journal, so it and its step are running', async () => {
    const run = await showJson(ids.died);
    expect(run.status).toBe('running');
    // The journal as the kill left it: a step.spawned with no step.started before it means the run
    // recorded the spawn of a step whose start it had not written yet.
    const journal = runs
      .journal(ids.died)
      .map((e) => `${e.kind}${e.step ? ` ${e.step}` : ''}`)
      .join(', ');
    expect(
      run.phases[0]!.steps.map((s) => [s.id, s.status]),
      journal,
    ).toEqual([
      ['long', 'running'],
      ['after', 'not reached'],
    ]);
  });

  it('a torn journal: the torn line is left out and said so', async () => {
    const run = await showJson(ids.torn);
    expect(run).toMatchObject({ status: 'done', tornLine: true });
    expect(run.phases[0]!.steps[0]).toMatchObject({ id: 'hello', status: 'done' });
    const text = await logs('show', ids.torn);
    expect(text.stdout).toContain('the journal ends in a torn line');
  });
});

interface Comparison {
  a: { runId: string };
  b: { runId: string };
  deltaMs: number;
  steps: Array<{ phase: string; step: string; a?: { status: string; durationMs?: number }; b?: { status: string; durationMs?: number }; deltaMs?: number }>;
}

describe('lifeboat logs compare', () => {
  it('puts the largest slow-down first, with both durations from the journals', async () => {
    const result = await logs('compare', ids.fast, ids.slow, '--json');
    expect(result.code).toBe(0);
    const cmp = JSON.parse(result.stdout) as Comparison;
    expect(cmp.a.runId).toBe(ids.fast);
    expect(cmp.b.runId).toBe(ids.slow);
    expect(cmp.deltaMs).toBe(runs.runMs(ids.slow) - runs.runMs(ids.fast));
    expect(cmp.steps[0]).toMatchObject({ phase: 'storage', step: 'import-pool' });
    for (const row of cmp.steps) {
      expect(row.a!.durationMs).toBe(runs.stepMs(ids.fast, row.step));
      expect(row.b!.durationMs).toBe(runs.stepMs(ids.slow, row.step));
      expect(row.deltaMs).toBe(row.b!.durationMs! - row.a!.durationMs!);
    }
    const deltas = cmp.steps.map((r) => r.deltaMs!);
    expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
    expect(cmp.steps[0]!.deltaMs).toBeGreaterThan(300);
  });

  it('prints `phase > step: A -> B (+delta)` lines and outcome changes', async () => {
    const result = await logs('compare', ids.slow, ids.broken);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const mount = lines.find((l) => l.includes('storage > mount:'))!;
    expect(mount).toMatch(/storage > mount: +[\d.]+m?s -> [\d.]+m?s +\([+-][\d.]+m?s.*\) +✔ done -> ✖ failed/);
    const startApp = lines.find((l) => l.includes('apps > start-app:'))!;
    expect(startApp).toMatch(/-> – +✔ done -> ○ not reached/);
    // The broken drill's import was faster (0.6s against 0.9s): a speed-up comes after the slow-downs.
    const at = (name: string) => lines.findIndex((l) => l.includes(`${name}:`));
    expect(lines[at('storage > import-pool')]).toMatch(/\(-[\d.]+m?s\)/);
    expect(at('storage > mount')).toBeLessThan(at('storage > import-pool'));
    expect(at('storage > import-pool')).toBeLessThan(at('apps > start-app'));
  });
});
