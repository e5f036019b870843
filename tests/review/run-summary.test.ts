// summarizeRun on journals shaped like the engine writes them, for the cases a short real run
// cannot easily produce: an operator's abort with a reason, and a run resumed after it died.
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/core/review/run-compare.js';
import type { RunLayout } from '../../src/core/review/run-layout.js';
import { runStats } from '../../src/core/review/run-stats.js';
import { type RunHeader, summarizeRun, type TimedEvent } from '../../src/core/review/run-summary.js';

const header = (runId: string, order: string[]): RunHeader => ({
  runId,
  runbook: { name: 'nas', path: '/r/nas.yaml' },
  order,
  createdAt: '2026-11-25T10:00:00.000Z',
  operator: 'ann',
  hostname: 'laptop',
});
const at = (s: number) => new Date(Date.parse('2026-11-25T10:00:00.000Z') + s * 1000).toISOString();
const who = { operator: 'ann', hostname: 'laptop', version: '0.1.0', mode: 'interactive' as const };
const started = (s: number, runId: string): TimedEvent => ({
  kind: 'run.started',
  runId,
  runbook: { name: 'nas', path: '/r/nas.yaml', hash: 'h' },
  selection: {},
  vars: {},
  ...who,
  dryRun: false,
  steps: 2,
  phases: 1,
  time: at(s),
});
const stepStarted = (s: number, step: string, position: string): TimedEvent => ({ kind: 'step.started', step, position, title: `Do ${step}`, phase: 'zfs', action: 'run', time: at(s) });
const finished = (s: number, step: string, status: 'done' | 'skipped' | 'failed', extra: Partial<Extract<TimedEvent, { kind: 'step.finished' }>> = {}): TimedEvent => ({
  kind: 'step.finished',
  step,
  position: '1.1',
  status,
  attempts: 1,
  durationMs: 0,
  time: at(s),
  ...extra,
});

const layout: RunLayout = {
  rtoMs: 600_000,
  phases: [
    {
      id: 'zfs',
      number: 1,
      title: 'ZFS',
      rtoMs: 300_000,
      steps: [
        { id: 'import', position: '1.1', title: 'Import' },
        { id: 'mount', position: '1.2', title: 'Mount' },
      ],
    },
  ],
};

describe('summarizeRun', () => {
  it('an abort by the operator: the run and its step are aborted, with the reason typed', () => {
    const run = summarizeRun(
      header('r1', ['import', 'mount']),
      [
        started(0, 'r1'),
        stepStarted(1, 'import', '1.1'),
        { kind: 'operator.choice', step: 'import', menu: 'before', choice: 'abort', reason: 'wrong disks attached', by: 'operator', time: at(5) },
        { kind: 'run.finished', status: 'aborted', durationMs: 5000, counts: { done: 0, skipped: 0, 'not-applicable': 0, failed: 0, pending: 2 }, stoppedAt: 'import', time: at(5) },
      ],
      { layout },
    );
    expect(run.status).toBe('aborted');
    expect(run.stoppedAt).toBe('import');
    const [importStep, mount] = run.phases[0]!.steps;
    expect(importStep).toMatchObject({ status: 'aborted', reason: 'wrong disks attached', durationMs: 4000, offsetMs: 1000 });
    expect(mount).toMatchObject({ status: 'not reached', title: 'Mount', position: '1.2' });
    expect(run.phases[0]).toMatchObject({ title: 'ZFS', status: 'aborted', rtoMs: 300_000 });
    expect(run.counts).toMatchObject({ aborted: 1, 'not reached': 1 });
  });

  it('a run that died and was resumed: two sessions, the step worked on in both, the gap not counted', () => {
    const run = summarizeRun(header('r2', ['import', 'mount']), [
      started(0, 'r2'),
      stepStarted(1, 'import', '1.1'),
      finished(11, 'import', 'done'),
      stepStarted(12, 'mount', '1.2'),
      { kind: 'step.output', step: 'mount', stream: 'stdout', text: 'mounting\nstill mounting\n', time: at(14) },
      // The laptop died here; an hour later the run is resumed.
      { kind: 'run.resumed', runId: 'r2', ...who, at: 'mount', time: at(3600) },
      stepStarted(3601, 'mount', '1.2'),
      finished(3604, 'mount', 'done', { via: 'recovered' }),
      { kind: 'run.finished', status: 'done', durationMs: 4000, counts: { done: 2, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 }, time: at(3605) },
    ]);
    expect(run.status).toBe('done');
    expect(run.sessions.map((s) => [s.resumed, s.status, s.end - s.start])).toEqual([
      [false, 'died', 14_000],
      [true, 'done', 5000],
    ]);
    expect(run.elapsedMs).toBe(3_605_000);
    expect(run.activeMs).toBe(19_000);
    const mount = run.phases[0]!.steps[1]!;
    expect(mount).toMatchObject({ status: 'done', via: 'recovered', durationMs: 2000 + 3000, outputLines: 2 });
    expect(mount.segments).toHaveLength(2);
    expect(run.phases[0]!.durationMs).toBe(10_000 + 5000);
  });

  it('compare and stats work from summaries: slow-downs first, medians of successes, failures in the rate', () => {
    const run = (id: string, importS: number, mountStatus: 'done' | 'failed') =>
      summarizeRun(
        header(id, ['import', 'mount']),
        [
          started(0, id),
          stepStarted(0, 'import', '1.1'),
          finished(importS, 'import', 'done'),
          stepStarted(importS, 'mount', '1.2'),
          finished(importS + 2, 'mount', mountStatus),
          {
            kind: 'run.finished',
            status: mountStatus === 'done' ? 'done' : 'failed',
            durationMs: 0,
            counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 },
            time: at(importS + 2),
          },
        ],
        { layout },
      );
    const runs = [run('a', 10, 'done'), run('b', 30, 'done'), run('c', 20, 'failed'), run('d', 40, 'done')];
    const cmp = compareRuns(runs[0]!, runs[1]!);
    expect(cmp.steps.map((s) => [s.step, s.deltaMs])).toEqual([
      ['import', 20_000],
      ['mount', 0],
    ]);
    const stats = runStats('nas', layout, runs, Date.parse(at(100)));
    const [importStats, mountStats] = stats.phases[0]!.steps;
    expect(importStats).toMatchObject({ runs: 4, succeeded: 4, successRate: 1, medianMs: 25_000, slowestMs: 40_000 });
    expect(mountStats).toMatchObject({ runs: 4, succeeded: 3, failed: 1, successRate: 0.75, medianMs: 2000 });
    expect(stats).toMatchObject({ runs: 4, statuses: { done: 3, failed: 1 }, successRate: 0.75, medianMs: 32_000, slowestMs: 42_000 });
    expect(stats.lastSuccess).toEqual({ runId: 'd', at: at(42), agoMs: 58_000 });
  });
});

describe('a foreach step read back item by item', () => {
  const items = (s: number, keys: string[], pending = keys.length): TimedEvent => ({ kind: 'step.items', step: 'import', attempt: 1, keys, pending, time: at(s) });
  const attempt = (s: number, item: string): TimedEvent => ({ kind: 'step.attempt', step: 'import', item, attempt: 1, command: `zpool import ${item}`, time: at(s) });
  const itemEnd = (s: number, item: string, status: 'done' | 'failed', extra: Partial<Extract<TimedEvent, { kind: 'item.finished' }>> = {}): TimedEvent => ({
    kind: 'item.finished',
    step: 'import',
    item,
    status,
    attempt: 1,
    durationMs: 1000,
    time: at(s),
    ...extra,
  });
  const journal: TimedEvent[] = [
    started(0, 'r3'),
    stepStarted(1, 'import', '1.1'),
    items(1, ['a', 'b', 'c', 'd']),
    attempt(1, 'a'),
    attempt(1, 'b'),
    itemEnd(2, 'a', 'done'),
    { kind: 'step.exited', step: 'import', item: 'b', attempt: 1, exitCode: 1, timedOut: false, durationMs: 1000, time: at(2) },
    { kind: 'check.failed', step: 'import', item: 'b', set: 'verify', check: 'zpool list b', durationMs: 5, reason: 'exit 1', time: at(2) },
    itemEnd(2, 'b', 'failed', { reason: 'exited 1' }),
    attempt(2, 'c'),
    // The laptop died with c running; the resume runs b again and c, and d is found done.
    { kind: 'run.resumed', runId: 'r3', ...who, at: 'import', time: at(100) },
    stepStarted(100, 'import', '1.1'),
    items(100, ['a', 'b', 'c', 'd'], 3),
    attempt(100, 'b'),
    attempt(100, 'c'),
    itemEnd(101, 'b', 'done'),
    itemEnd(101, 'c', 'done', { via: 'recovered' }),
    itemEnd(101, 'd', 'done', { via: 'precheck', durationMs: 0 }),
    finished(102, 'import', 'done'),
    { kind: 'run.finished', status: 'done', durationMs: 3000, counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 }, time: at(102) },
  ];

  it('each item with its status, attempts, time, exit and failed checks, across sessions', () => {
    const run = summarizeRun(header('r3', ['import']), journal.slice(0, 10), { layout });
    expect(run.phases[0]!.steps[0]!.items).toEqual([
      expect.objectContaining({ key: 'a', status: 'done', attempts: 1, durationMs: 1000 }),
      expect.objectContaining({ key: 'b', status: 'failed', attempts: 1, exitCode: 1, checksFailed: 1, reason: 'exited 1' }),
      expect.objectContaining({ key: 'c', status: 'running', attempts: 1 }),
      expect.objectContaining({ key: 'd', status: 'not reached', attempts: 0 }),
    ]);
    const resumed = summarizeRun(header('r3', ['import']), journal, { layout });
    const byKey = Object.fromEntries(resumed.phases[0]!.steps[0]!.items!.map((i) => [i.key, i]));
    expect(byKey.b).toMatchObject({ status: 'done', attempts: 2, durationMs: 2000 });
    expect(byKey.b!.reason).toBeUndefined();
    expect(byKey.c).toMatchObject({ status: 'done', via: 'recovered', attempts: 2 });
    expect(byKey.d).toMatchObject({ status: 'done', via: 'precheck', attempts: 0 });
  });

  it('an item whose session died reads interrupted; a failure the step tolerated is a follow-up', () => {
    const died = summarizeRun(header('r3', ['import']), [...journal.slice(0, 10), { kind: 'run.resumed', runId: 'r3', ...who, at: 'import', time: at(50) }], { layout });
    expect(died.phases[0]!.steps[0]!.items!.find((i) => i.key === 'c')?.status).toBe('interrupted');
    const tolerated = summarizeRun(
      header('r4', ['import']),
      [...journal.slice(0, 9), itemEnd(3, 'c', 'done'), itemEnd(3, 'd', 'done'), finished(4, 'import', 'done'), { ...journal.at(-1)!, time: at(4) } as TimedEvent],
      { layout },
    );
    expect(tolerated.followUps).toContainEqual(expect.objectContaining({ kind: 'failed-continued', step: 'import', detail: '1 of its 4 items failed (tolerated): b' }));
  });

  it('stats per item across runs: success rate, median, already done', () => {
    const first = summarizeRun(header('r3', ['import']), journal, { layout });
    const stats = runStats('nas', layout, [first], Date.parse(at(200)));
    const step = stats.phases[0]!.steps[0]!;
    expect(step.items?.map((i) => [i.key, i.runs, i.succeeded, i.failed, i.alreadyDone])).toEqual([
      ['a', 1, 1, 0, 0],
      ['b', 1, 1, 0, 0],
      ['c', 1, 1, 0, 0],
      ['d', 1, 0, 0, 1],
    ]);
  });
});
