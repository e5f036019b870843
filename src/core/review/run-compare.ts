import type { Outcome } from '../views/status-mark.js';
import type { RunState, RunSummary } from './run-summary.js';

/** One step of two runs side by side. */
export interface StepComparison {
  phase: string;
  step: string;
  title: string;
  /** `via: 'precheck'`: already done, no work to compare. */
  a?: { status: Outcome; durationMs?: number; via?: string };
  b?: { status: Outcome; durationMs?: number; via?: string };
  /** B's duration minus A's, when both have one: positive is a slow-down. */
  deltaMs?: number;
  /** B's duration over A's. */
  ratio?: number;
  outcomeChanged: boolean;
}

/** Two runs compared: the whole runs, then every step, largest slow-downs first. */
export interface RunComparison {
  format: 'lifeboat-compare/1';
  a: { runId: string; runbook: string; status: RunState; elapsedMs?: number; activeMs: number };
  b: { runId: string; runbook: string; status: RunState; elapsedMs?: number; activeMs: number };
  deltaMs?: number;
  steps: StepComparison[];
}

/**
 * Compares two runs step by step (matched by step id): durations and outcomes side by side, sorted
 * by slow-down (largest first), then steps only one of the runs reached.
 */
export function compareRuns(a: RunSummary, b: RunSummary): RunComparison {
  const rows = new Map<string, StepComparison>();
  const add = (run: RunSummary, side: 'a' | 'b') => {
    for (const phase of run.phases) {
      for (const s of phase.steps) {
        const row = rows.get(s.id) ?? { phase: phase.id, step: s.id, title: s.title, outcomeChanged: false };
        row[side] = { status: s.status, durationMs: s.durationMs, ...(s.via ? { via: s.via } : {}) };
        rows.set(s.id, row);
      }
    }
  };
  add(a, 'a');
  add(b, 'b');
  const steps = [...rows.values()].map((row, index) => {
    // An already-done step did no work: its 0 s is no speed-up to report.
    const worked = (x: StepComparison['a']) => x?.durationMs !== undefined && x.via !== 'precheck';
    if (worked(row.a) && worked(row.b) && row.a?.durationMs !== undefined && row.b?.durationMs !== undefined) {
      row.deltaMs = row.b.durationMs - row.a.durationMs;
      if (row.a.durationMs > 0) row.ratio = row.b.durationMs / row.a.durationMs;
    }
    row.outcomeChanged = row.a?.status !== row.b?.status || (row.a?.via === 'precheck') !== (row.b?.via === 'precheck');
    return { row, index };
  });
  // Slow-downs first; rows without two durations keep restore order at the end.
  steps.sort((x, y) => {
    const dx = x.row.deltaMs;
    const dy = y.row.deltaMs;
    if (dx !== undefined && dy !== undefined) return dy - dx || x.index - y.index;
    if (dx !== undefined) return -1;
    if (dy !== undefined) return 1;
    return x.index - y.index;
  });
  const side = (run: RunSummary) => ({ runId: run.runId, runbook: run.runbook.name, status: run.status, elapsedMs: run.elapsedMs, activeMs: run.activeMs });
  return {
    format: 'lifeboat-compare/1',
    a: side(a),
    b: side(b),
    deltaMs: a.elapsedMs !== undefined && b.elapsedMs !== undefined ? b.elapsedMs - a.elapsedMs : undefined,
    steps: steps.map((x) => x.row),
  };
}
