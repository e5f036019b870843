// What the operator did, read back from journals shaped as the engine writes them: time waiting at
// menus and in shells kept out of a step's working time, already-done and skipped steps kept out
// of success rates and estimates, and the follow-up list of the closing summary.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/model/plan-types.js';
import { estimatePlan } from '../../src/core/plan/plan-estimate.js';
import { htmlReport } from '../../src/core/review/html-report.js';
import { closingSummaryText } from '../../src/core/review/run-closing-text.js';
import { compareRuns } from '../../src/core/review/run-compare.js';
import { compareText } from '../../src/core/review/run-compare-text.js';
import type { RunLayout } from '../../src/core/review/run-layout.js';
import { runStats } from '../../src/core/review/run-stats.js';
import { type RunHeader, summarizeRun, type TimedEvent } from '../../src/core/review/run-summary.js';
import { runTimelineText } from '../../src/core/review/run-timeline-text.js';
import { plainPaint } from '../../src/core/views/paint.js';

const order = ['import', 'mount', 'share'];
const header = (runId: string): RunHeader => ({ runId, runbook: { name: 'nas', path: '/r/nas.yaml' }, order, createdAt: '2026-11-25T10:00:00.000Z', operator: 'ann', hostname: 'laptop' });
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
  steps: 3,
  phases: 1,
  time: at(s),
});
const stepStarted = (s: number, step: string, position: string): TimedEvent => ({ kind: 'step.started', step, position, title: `Do ${step}`, phase: 'zfs', action: 'run', time: at(s) });
const finished = (s: number, step: string, position: string, status: 'done' | 'skipped' | 'failed', extra: Partial<Extract<TimedEvent, { kind: 'step.finished' }>> = {}): TimedEvent => ({
  kind: 'step.finished',
  step,
  position,
  status,
  attempts: 1,
  durationMs: 0,
  time: at(s),
  ...extra,
});
const runFinished = (s: number, status: 'done' | 'aborted', stoppedAt?: string): TimedEvent => ({
  kind: 'run.finished',
  status,
  durationMs: s * 1000,
  counts: { done: 0, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 },
  stoppedAt,
  time: at(s),
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
        { id: 'import', position: '1.1', title: 'Do import' },
        { id: 'mount', position: '1.2', title: 'Do mount' },
        { id: 'share', position: '1.3', title: 'Do share' },
      ],
    },
  ],
};

/** A drill: import fails, a shell fixes it, retried after waiting at the menu; mount already done; share skipped. */
function drill(runId: string) {
  return summarizeRun(
    header(runId),
    [
      started(0, runId),
      stepStarted(0, 'import', '1.1'),
      { kind: 'operator.choice', step: 'import', menu: 'before', choice: 'run', by: 'operator', waitedMs: 10_000, time: at(10) },
      { kind: 'step.attempt', step: 'import', attempt: 1, command: 'zpool import tank', time: at(10) },
      { kind: 'step.exited', step: 'import', attempt: 1, exitCode: 1, timedOut: false, durationMs: 2000, time: at(12) },
      { kind: 'shell.opened', step: 'import', where: 'nas (root@nas)', time: at(20) },
      { kind: 'shell.closed', step: 'import', where: 'nas (root@nas)', durationMs: 60_000, exitCode: 0, time: at(80) },
      { kind: 'operator.choice', step: 'import', menu: 'failure', choice: 'retry', by: 'operator', waitedMs: 18_000, time: at(90) },
      { kind: 'step.attempt', step: 'import', attempt: 2, command: 'zpool import tank', time: at(90) },
      { kind: 'step.exited', step: 'import', attempt: 2, exitCode: 0, timedOut: false, durationMs: 2000, time: at(92) },
      finished(92, 'import', '1.1', 'done', { attempts: 2 }),
      stepStarted(92, 'mount', '1.2'),
      { kind: 'check.passed', step: 'mount', set: 'precheck', check: 'mounted', durationMs: 5, time: at(92) },
      finished(92, 'mount', '1.2', 'done', { via: 'precheck', attempts: 0 }),
      stepStarted(92, 'share', '1.3'),
      { kind: 'check.failed', step: 'share', set: 'precheck', check: 'smbd runs', reason: 'exited 1', durationMs: 5, time: at(92) },
      { kind: 'operator.choice', step: 'share', menu: 'before', choice: 'skip', reason: 'shares later', by: 'operator', waitedMs: 8000, time: at(100) },
      finished(100, 'share', '1.3', 'skipped', { reason: 'shares later', attempts: 0 }),
      runFinished(100, 'done'),
    ],
    { layout },
  );
}

describe('operator records in a run summary', () => {
  it("a step's duration is its working time: waiting at menus and time in a shell are recorded apart", () => {
    const run = drill('r1');
    const importStep = run.phases[0]!.steps[0]!;
    // 92 s from start to finish, less 28 s waiting and 60 s in the shell.
    expect(importStep).toMatchObject({ durationMs: 4000, waitedMs: 28_000 });
    expect(importStep.shells).toEqual([{ where: 'nas (root@nas)', at: at(20), durationMs: 60_000, exitCode: 0 }]);
    expect(run.waitedMs).toBe(36_000);
    expect(run.phases[0]!.steps[2]).toMatchObject({ status: 'skipped', durationMs: 0, waitedMs: 8000 });
  });

  it('follow-ups list the skip with its reason and the shell; the closing summary gives times and RTOs', () => {
    const run = drill('r1');
    expect(run.followUps.map((f) => [f.kind, f.step])).toEqual([
      ['shell', 'import'],
      ['skipped', 'share'],
    ]);
    expect(run.followUps[1]!.detail).toBe('skipped: shares later');
    const text = closingSummaryText(run, plainPaint, 80);
    expect(text).toContain('elapsed   1m 40s since the run started');
    expect(text).toContain('active    1m 40s, of which 36.0s waiting for the operator');
    expect(text).toContain('target    RTO 10m ✔ within');
    expect(text).toContain('1 ZFS: 4.0s · RTO 5m ✔ within');
    expect(text).toContain('! 1.3 Do share: skipped: shares later');
    expect(text).toMatch(/! 1\.1 Do import: shell on nas \(root@nas\) for 1m \(exit 0\)/);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('an unattended confirmation (marked by `by` or a flag of its own) and a failure passed are follow-ups', () => {
    const run = summarizeRun(
      header('r3'),
      [
        started(0, 'r3'),
        stepStarted(0, 'import', '1.1'),
        finished(2, 'import', '1.1', 'failed', { reason: 'exited 1' }),
        stepStarted(2, 'mount', '1.2'),
        { kind: 'operator.choice', step: 'mount', menu: 'confirm', choice: 'confirmed', by: 'operator', unattended: true, time: at(2) } as TimedEvent,
        finished(3, 'mount', '1.2', 'done'),
        stepStarted(3, 'share', '1.3'),
        { kind: 'operator.choice', step: 'share', menu: 'confirm', choice: 'confirmed', by: 'unattended', time: at(3) },
        finished(4, 'share', '1.3', 'done'),
        runFinished(4, 'done'),
      ],
      { layout },
    );
    expect(run.followUps.map((f) => [f.kind, f.step])).toEqual([
      ['failed-continued', 'import'],
      ['unattended-confirm', 'mount'],
      ['unattended-confirm', 'share'],
    ]);
    const html = htmlReport(run, { generatedAt: at(5), version: 't' });
    expect(html).toContain('<h2>Follow up</h2>');
    expect(html).toContain('confirmed unattended');
  });

  it('logs show: already done, the shell, the waiting; "so the step ran" only for a step that ran', () => {
    const text = runTimelineText(drill('r1'), plainPaint);
    expect(text).toMatch(/1\.2 .*✔ already done/);
    expect(text).toMatch(/shell on nas \(root@nas\) at 10:00:20, 1m \(exit 0\)/);
    expect(text).toContain('waited 28.0s for the operator');
    expect(text).toContain('precheck not met: smbd runs: exited 1');
    expect(text).not.toContain('so the step ran');
    const html = htmlReport(drill('r1'), { generatedAt: at(200), version: 't' });
    expect(html).toContain('Shells opened:');
    expect(html).toContain('already done');
    // The report's closing facts: wall and active time with the waiting, the RTO verdicts, the follow-ups.
    expect(html).toContain('1m 40s since the run started');
    expect(html).toContain('of which 36.0s waiting for the operator');
    expect(html).toMatch(/RTO 1 ZFS[\s\S]{0,80}4\.0s/);
    expect(html).toContain('<h2>Follow up</h2>');
    expect(html).toContain('skipped: shares later');
  });
});

describe('stats, estimates and compare leave out what was not work', () => {
  const plan = { rtoMs: undefined, phases: [{ id: 'zfs', rtoMs: undefined, steps: order.map((id) => ({ id, selected: true })) }] } as unknown as Plan;

  it('an already-done step and a skipped one are no successes and give no 0 s median', () => {
    const runs = [drill('r1'), drill('r2')];
    const stats = runStats('nas', layout, runs, Date.parse(at(1000)));
    const [importStep, mount, share] = stats.phases[0]!.steps;
    expect(importStep).toMatchObject({ succeeded: 2, medianMs: 4000, successRate: 1 });
    expect(mount).toMatchObject({ runs: 2, succeeded: 0, alreadyDone: 2, medianMs: undefined, successRate: undefined });
    expect(share).toMatchObject({ runs: 2, succeeded: 0, skipped: 2, medianMs: undefined });
    // The run's time leaves out the 36 s of waiting.
    expect(stats.medianMs).toBe(64_000);
    const estimate = estimatePlan(plan, runs);
    expect(estimate.steps).toEqual({ import: 4000 });
    expect(estimate.unknownSteps).toBe(2);
  });

  it('compare says "already done" and reports no speed-up for it', () => {
    const a = drill('a');
    const b = summarizeRun(header('b'), [started(0, 'b'), stepStarted(0, 'mount', '1.2'), finished(30, 'mount', '1.2', 'done'), runFinished(30, 'done')], { layout });
    const cmp = compareRuns(b, a);
    const mount = cmp.steps.find((s) => s.step === 'mount')!;
    expect(mount.deltaMs).toBeUndefined();
    expect(mount.outcomeChanged).toBe(true);
    expect(compareText(cmp, plainPaint)).toContain('✔ done -> ✔ already done');
  });
});
