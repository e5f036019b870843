import type { Outcome } from '../views/status-mark.js';
import { median } from './median.js';
import type { RunLayout } from './run-layout.js';
import type { RunState, RunSummary } from './run-summary.js';

/** How one step or phase has gone across past runs. */
export interface Figures {
  /** Runs that reached it. */
  runs: number;
  /** Of those, done or skipped (skipped: already done, or left out on purpose). */
  succeeded: number;
  /** Failed or aborted there. */
  failed: number;
  /** succeeded / (succeeded + failed); runs interrupted there count in neither. */
  successRate?: number;
  /** Median time of the successful runs. */
  medianMs?: number;
  /** Longest time of any run that got an outcome (failures included: a timeout is the slowest there is). */
  slowestMs?: number;
  lastSuccessAt?: string;
}

/** Stats of a runbook across its past runs, per phase and step, with the RTOs beside. */
export interface RunStats {
  format: 'lifeboat-stats/1';
  runbook: string;
  runs: number;
  statuses: Partial<Record<RunState, number>>;
  /** Runs that ended done, over those that ended done, failed or aborted. */
  successRate?: number;
  /** Median and slowest time of the runs that ended done: active time, less waiting for the operator. */
  medianMs?: number;
  slowestMs?: number;
  rtoMs?: number;
  lastSuccess?: { runId: string; at: string; agoMs: number };
  /** Per step also: runs where it was already done (its precheck passed) and runs where it was skipped; neither is a success. */
  phases: Array<
    Figures & {
      id: string;
      number?: number;
      title: string;
      rtoMs?: number;
      steps: Array<Figures & { id: string; position?: string; title: string; alreadyDone: number; skipped: number; items?: ItemFigures[] }>;
    }
  >;
  /** Runs recorded as drills (`run --drill`), and per phase its times in the last ones that ended done, newest first. */
  drills?: { runs: number; last?: { runId: string; at: string; purpose: string }; phases: Array<{ id: string; title: string; rtoMs?: number; lastMs: number[] }> };
}

/** How one item of a foreach step has gone across past runs (keyed as in the journal). */
export type ItemFigures = Figures & { key: string; alreadyDone: number };

const DRILLS_SHOWN = 3;

/** Per phase, its measured time in the last successful drills beside its RTO. */
function drillFigures(runs: readonly RunSummary[], phases: ReadonlyArray<{ id: string; title: string; rtoMs?: number }>): RunStats['drills'] {
  const drills = runs.filter((r) => r.drill !== undefined);
  if (!drills.length) return undefined;
  const done = drills.filter((r) => r.status === 'done').sort((x, y) => ((x.endedAt ?? '') < (y.endedAt ?? '') ? 1 : -1));
  const latest = done[0];
  return {
    runs: drills.length,
    ...(latest?.endedAt ? { last: { runId: latest.runId, at: latest.endedAt, purpose: latest.drill! } } : {}),
    phases: phases.map((p) => ({
      id: p.id,
      title: p.title,
      rtoMs: p.rtoMs,
      lastMs: done
        .slice(0, DRILLS_SHOWN)
        .map((r) => r.phases.find((x) => x.id === p.id)?.durationMs)
        .filter((d): d is number => d !== undefined),
    })),
  };
}

interface Sample {
  status: Outcome;
  /** `precheck`: already done, no work; a skip without it was the operator's. */
  via?: string;
  durationMs?: number;
  endedAt?: string;
}

const SUCCESS: ReadonlySet<Outcome> = new Set(['done', 'skipped', 'not-applicable']);
const FAILURE: ReadonlySet<Outcome> = new Set(['failed', 'aborted']);

/** Whether a step's sample is work that succeeded: not already done (a 0 s non-event), not skipped by the operator. */
function worked(s: Sample): boolean {
  return s.status === 'done' && s.via !== 'precheck';
}

function figures(samples: Sample[], stepLevel = false): Figures {
  const reached = samples.filter((s) => s.status !== 'not reached');
  // For a step, only work done counts as a success; already done and skipped count in neither.
  const ok = reached.filter((s) => (stepLevel ? worked(s) : SUCCESS.has(s.status)));
  const failed = reached.filter((s) => FAILURE.has(s.status)).length;
  const times = (list: Sample[]) => list.map((s) => s.durationMs).filter((d): d is number => d !== undefined);
  const concluded = times(reached.filter((s) => SUCCESS.has(s.status) || FAILURE.has(s.status)));
  const last = ok
    .map((s) => s.endedAt)
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  return {
    runs: reached.length,
    succeeded: ok.length,
    failed,
    successRate: ok.length + failed > 0 ? ok.length / (ok.length + failed) : undefined,
    medianMs: median(times(ok)),
    slowestMs: concluded.length ? Math.max(...concluded) : undefined,
    lastSuccessAt: last,
  };
}

/**
 * Figures per phase and step over past runs of one runbook: how often each was reached and
 * succeeded, median and slowest times, when it last succeeded, and the runbook's RTOs beside.
 * Phases and steps follow the runbook as it is now; ones only in old runs come after.
 */
export function runStats(runbook: string, layout: RunLayout, runs: readonly RunSummary[], now: number): RunStats {
  const statuses: Partial<Record<RunState, number>> = {};
  for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const ended = runs.filter((r) => r.status === 'done' || r.status === 'failed' || r.status === 'aborted');
  const done = runs.filter((r) => r.status === 'done');
  // A run's time is its active time less its waiting for the operator: a drill left at a menu overnight is not slow.
  const elapsed = done.map((r) => (r.sessions.length ? Math.max(0, r.activeMs - (r.waitedMs ?? 0)) : r.elapsedMs)).filter((d): d is number => d !== undefined);
  const latest = [...done].sort((x, y) => ((x.endedAt ?? '') < (y.endedAt ?? '') ? 1 : -1))[0];

  const phaseOrder = layout.phases.map((p) => ({
    id: p.id,
    number: p.number as number | undefined,
    title: p.title,
    rtoMs: p.rtoMs,
    steps: p.steps.map((s) => ({ id: s.id, position: s.position as string | undefined, title: s.title })),
  }));
  const known = new Set(phaseOrder.flatMap((p) => [`phase:${p.id}`, ...p.steps.map((s) => `step:${s.id}`)]));
  for (const r of runs) {
    for (const p of r.phases) {
      if (!p.id) continue;
      let target = phaseOrder.find((x) => x.id === p.id);
      if (!target) {
        target = { id: p.id, number: undefined, title: p.title, rtoMs: undefined, steps: [] };
        phaseOrder.push(target);
        known.add(`phase:${p.id}`);
      }
      for (const s of p.steps) {
        if (known.has(`step:${s.id}`) || s.status === 'not reached') continue;
        target.steps.push({ id: s.id, position: undefined, title: s.title });
        known.add(`step:${s.id}`);
      }
    }
  }

  const phases = phaseOrder.map((p) => {
    const phaseSamples: Sample[] = [];
    const stepSamples = new Map<string, Sample[]>(p.steps.map((s) => [s.id, []]));
    for (const r of runs) {
      const phase = r.phases.find((x) => x.id === p.id);
      if (phase)
        phaseSamples.push({
          status: phase.status,
          durationMs: phase.durationMs,
          endedAt:
            phase.steps
              .map((s) => s.endedAt ?? '')
              .sort()
              .at(-1) || undefined,
        });
      for (const x of r.phases) for (const s of x.steps) stepSamples.get(s.id)?.push({ status: s.status, via: s.via, durationMs: s.durationMs, endedAt: s.endedAt });
    }
    const items = (step: string): ItemFigures[] | undefined => {
      // Every key any run had, in the order the runs first listed them.
      const samples = new Map<string, Sample[]>();
      for (const r of runs) for (const x of r.phases) for (const s of x.steps) if (s.id === step) for (const i of s.items ?? []) samples.set(i.key, [...(samples.get(i.key) ?? []), i]);
      if (samples.size === 0) return undefined;
      return [...samples].map(([key, list]) => ({ key, ...figures(list, true), alreadyDone: list.filter((x) => x.status === 'done' && x.via === 'precheck').length }));
    };
    return {
      ...p,
      ...figures(phaseSamples),
      steps: p.steps.map((s) => {
        const samples = stepSamples.get(s.id) ?? [];
        return {
          ...s,
          ...figures(samples, true),
          alreadyDone: samples.filter((x) => x.status === 'done' && x.via === 'precheck').length,
          skipped: samples.filter((x) => x.status === 'skipped').length,
          ...(items(s.id) ? { items: items(s.id) } : {}),
        };
      }),
    };
  });

  return {
    format: 'lifeboat-stats/1',
    runbook,
    runs: runs.length,
    statuses,
    successRate: ended.length ? done.length / ended.length : undefined,
    medianMs: median(elapsed),
    slowestMs: elapsed.length ? Math.max(...elapsed) : undefined,
    rtoMs: layout.rtoMs,
    lastSuccess: latest?.endedAt ? { runId: latest.runId, at: latest.endedAt, agoMs: now - Date.parse(latest.endedAt) } : undefined,
    phases,
    ...(drillFigures(runs, phaseOrder) ? { drills: drillFigures(runs, phaseOrder) } : {}),
  };
}
