// `lifeboat stats FILE` and the estimates of `lifeboat plan FILE`, on real recorded runs of
// drill.yaml: fast, slow, broken, plus one of a copy of it elsewhere (matched by name).
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median } from '../../src/core/review/median.js';
import type { Figures } from '../../src/core/review/run-stats.js';
import { formatDuration } from '../../src/core/text/duration.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { FIXTURES, RecordedRuns, recordDrills, SECRET } from './helpers/recorded-runs.js';

const DRILL = join(FIXTURES, 'drill.yaml');
const runs = new RecordedRuns();
let ids: { fast: string; slow: string; broken: string; copy: string; optional: string };

beforeAll(async () => {
  const drills = await recordDrills(runs);
  // The same runbook from another path: matched by its name.
  const copyDir = join(runs.root, 'elsewhere');
  mkdirSync(copyDir, { recursive: true });
  copyFileSync(DRILL, join(copyDir, 'drill.yaml'));
  const copy = await runs.run('drill', { file: join(copyDir, 'drill.yaml'), work: 'elsewhere', expectCode: 0 });
  const optional = await runs.run('optional', { env: { REVIEW_TOKEN: SECRET }, expectCode: 0 });
  ids = { ...drills, copy, optional };
}, 120_000);

afterAll(() => runs.cleanup());

interface Stats {
  runbook: string;
  runs: number;
  statuses: Record<string, number>;
  successRate: number;
  medianMs: number;
  slowestMs: number;
  rtoMs: number;
  lastSuccess: { runId: string; at: string; agoMs: number };
  phases: Array<Figures & { id: string; rtoMs?: number; steps: Array<Figures & { id: string }> }>;
}

describe('lifeboat stats', () => {
  let stats: Stats;
  let done: string[];
  beforeAll(async () => {
    const result = await lifeboatInProcess(['stats', DRILL, '--json', '--logs', runs.logs]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    stats = JSON.parse(result.stdout) as Stats;
    done = [ids.fast, ids.slow, ids.copy];
  });

  it('counts the runs of the runbook, by path and by name, and no other runbook', () => {
    const drills = [ids.fast, ids.slow, ids.broken, ids.copy];
    expect(stats.runbook).toBe('drill');
    expect(stats.runs).toBe(drills.length);
    expect(stats.statuses).toEqual({ done: drills.length - 1, failed: 1 });
    expect(stats.successRate).toBeCloseTo((drills.length - 1) / drills.length);
  });

  it('gives per step the count, success rate, median and slowest, from the journals', () => {
    const drills = [ids.fast, ids.slow, ids.broken, ids.copy];
    const storage = stats.phases.find((p) => p.id === 'storage')!;
    const importPool = storage.steps.find((s) => s.id === 'import-pool')!;
    const times = drills.map((id) => runs.stepMs(id, 'import-pool'));
    expect(importPool).toMatchObject({ runs: drills.length, succeeded: drills.length, failed: 0, successRate: 1, medianMs: median(times), slowestMs: Math.max(...times) });
    const mount = storage.steps.find((s) => s.id === 'mount')!;
    expect(mount).toMatchObject({ runs: drills.length, succeeded: drills.length - 1, failed: 1 });
    expect(mount.successRate).toBeCloseTo((drills.length - 1) / drills.length);
    expect(mount.medianMs).toBe(median(done.map((id) => runs.stepMs(id, 'mount'))));
    const startApp = stats.phases.find((p) => p.id === 'apps')!.steps.find((s) => s.id === 'start-app')!;
    expect(startApp).toMatchObject({ runs: done.length, succeeded: done.length, successRate: 1, medianMs: median(done.map((id) => runs.stepMs(id, 'start-app'))) });
  });

  it('gives per phase its figures with its RTO, and for the whole runbook the median restore and RTO', () => {
    const storage = stats.phases.find((p) => p.id === 'storage')!;
    expect(storage).toMatchObject({ rtoMs: 30_000, failed: 1, succeeded: done.length });
    expect(storage.medianMs).toBe(median(done.map((id) => runs.stepMs(id, 'import-pool') + runs.stepMs(id, 'mount'))));
    expect(stats.phases.find((p) => p.id === 'apps')).toMatchObject({ rtoMs: 20_000, runs: done.length });
    expect(stats.rtoMs).toBe(60_000);
    expect(stats.medianMs).toBe(median(done.map((id) => runs.runMs(id))));
    expect(stats.slowestMs).toBe(Math.max(...done.map((id) => runs.runMs(id))));
  });

  it('says when the last successful drill was', () => {
    const newestDone = [...done].sort((a, b) => (runs.journal(a).at(-1)!.time < runs.journal(b).at(-1)!.time ? 1 : -1))[0]!;
    expect(stats.lastSuccess.runId).toBe(newestDone);
    expect(stats.lastSuccess.at).toBe(runs.journal(newestDone).at(-1)!.time);
    expect(stats.lastSuccess.agoMs).toBeGreaterThanOrEqual(0);
    expect(stats.lastSuccess.agoMs).toBeLessThan(120_000);
  });

  it('prints a table per phase and step with the RTO beside the phase median', async () => {
    const result = await lifeboatInProcess(['stats', DRILL, '--logs', runs.logs]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    const n = stats.runs;
    expect(out).toContain(`Stats · drill · ${n} past runs`);
    expect(out).toContain(`success ${Math.round(((n - 1) / n) * 100)}%`);
    expect(out).toMatch(/last successful drill [\d.]+m?s ago: \S+-drill-/);
    expect(out).toMatch(new RegExp(`^1 Storage \\[storage\\] +${n} +${Math.round(((n - 1) / n) * 100)}% .* RTO 30\\.0s ✔ within$`, 'm'));
    expect(out).toMatch(new RegExp(`^ {2}1\\.1 import-pool +${n} +100% +${formatDuration(stats.phases[0]!.steps[0]!.medianMs!).replace('.', '\\.')} `, 'm'));
    expect(out).toMatch(/^2 Apps \[apps\] .* RTO 20\.0s ✔ within$/m);
  });

  it('a runbook with no runs yet: says so, exit 0', async () => {
    const result = await lifeboatInProcess(['stats', join(FIXTURES, 'torn.yaml'), '--logs', runs.logs]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 past runs');
    expect(result.stdout).toContain('No recorded runs of this runbook yet');
  });
});

interface PlanJson {
  rtoMs?: number;
  estimate?: { runs: number; totalMs?: number; unknownSteps: number };
  phases: Array<{ id: string; rtoMs?: number; estimateMs?: number; steps: Array<{ id: string; estimateMs?: number } & Record<string, unknown>> } & Record<string, unknown>>;
}

describe('lifeboat plan with past runs', () => {
  const plan = (logs: string, ...args: string[]) => lifeboatInProcess(['plan', DRILL, ...args], { env: { LIFEBOAT_LOGS: logs } });

  it('shows estimated durations from history: median per step, summed per phase and in total, RTO beside', async () => {
    const stats = JSON.parse((await lifeboatInProcess(['stats', DRILL, '--json', '--logs', runs.logs])).stdout) as Stats;
    const result = await plan(runs.logs);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const steps = stats.phases.flatMap((p) => p.steps);
    const perPhase = stats.phases.map((p) => p.steps.reduce((sum, s) => sum + s.medianMs!, 0));
    const total = perPhase.reduce((a, b) => a + b, 0);
    expect(result.stdout).toContain(`estimated ${formatDuration(total)} from the median step times of ${stats.runs} past runs · within the RTO of 1m`);
    expect(result.stdout).toMatch(new RegExp(`^1 {2}Storage \\[storage\\] · est\\. ${formatDuration(perPhase[0]!).replace('.', '\\.')} · RTO 30\\.0s$`, 'm'));
    for (const s of steps) expect(result.stdout).toContain(`usually ${formatDuration(s.medianMs!)}`);

    const json = JSON.parse((await plan(runs.logs, '--json')).stdout) as PlanJson;
    expect(json.estimate).toEqual({ runs: stats.runs, totalMs: total, unknownSteps: 0 });
    expect(json.rtoMs).toBe(60_000);
    expect(json.phases.map((p) => [p.id, p.rtoMs, p.estimateMs])).toEqual([
      ['storage', 30_000, perPhase[0]],
      ['apps', 20_000, perPhase[1]],
    ]);
    for (const s of json.phases.flatMap((p) => p.steps)) expect(s.estimateMs).toBe(steps.find((x) => x.id === s.id)!.medianMs);
  });

  it('plan --json only adds fields: without them it is the plan of before, history or not', async () => {
    const withHistory = JSON.parse((await plan(runs.logs, '--json')).stdout) as PlanJson;
    const without = JSON.parse((await plan(join(runs.root, 'no-logs-here'), '--json')).stdout) as PlanJson;
    const strip = (view: PlanJson) => {
      const { rtoMs: _r, estimate: _e, ...rest } = view;
      return { ...rest, phases: view.phases.map(({ rtoMs: _pr, estimateMs: _pe, ...p }) => ({ ...p, steps: p.steps.map(({ estimateMs: _se, ...s }) => s) })) };
    };
    expect(strip(withHistory)).toEqual(strip(without));
    expect(without.estimate).toEqual({ runs: 0, unknownSteps: 4 });
  });

  it('without logs (or with unreadable ones) plan works as before: no estimate line, exit 0, nothing written', async () => {
    const none = await plan(join(runs.root, 'no-logs-here'));
    expect(none.code).toBe(0);
    expect(none.stderr).toBe('');
    expect(none.stdout).not.toContain('estimated');
    expect(none.stdout).not.toContain('usually');
    expect(none.stdout).toMatch(/^1 {2}Storage \[storage\] · RTO 30\.0s$/m);

    const broken = join(runs.root, 'broken-logs');
    mkdirSync(join(broken, '20260101T000000Z-drill-0000'), { recursive: true });
    writeFileSync(join(broken, '20260101T000000Z-drill-0000', 'run.json'), '{ "runbook": ');
    mkdirSync(join(broken, '20260101T000001Z-drill-0001'), { recursive: true });
    writeFileSync(
      join(broken, '20260101T000001Z-drill-0001', 'run.json'),
      JSON.stringify({ runId: '20260101T000001Z-drill-0001', runbook: { name: 'drill', path: DRILL, hash: 'x' }, order: [], createdAt: '2026-01-01T00:00:01Z', operator: 'x', hostname: 'y' }),
    );
    writeFileSync(join(broken, '20260101T000001Z-drill-0001', 'events.jsonl'), 'garbage\nmore garbage\n');
    const snapshot = () =>
      readdirSync(broken, { recursive: true })
        .map((f) => `${f}:${statSync(join(broken, String(f))).mtimeMs}`)
        .sort();
    const before = snapshot();
    const result = await plan(broken);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(snapshot()).toEqual(before);
  });
});
