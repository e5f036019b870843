import type { RunHeader, RunState, TimedEvent } from './run-summary.js';

/** One line of `lifeboat logs list`: what a run is and how it stands, from run.json and its journal's ends. */
export interface RunListEntry {
  runId: string;
  runbook: string;
  runbookPath: string;
  startedAt: string;
  /** Wall-clock time from the first event to the last. */
  durationMs?: number;
  status: RunState;
  operator: string;
  hostname: string;
  /** The step a run stopped at (failed, aborted, interrupted) or was last busy with (running). */
  step?: string;
  /** Steps that failed in a run that went on past them (on_failure: continue). */
  failedSteps?: number;
  tornLine: boolean;
  /** A rehearsal (`run --drill`): its purpose. */
  drill?: string;
}

const timeOf = (event: TimedEvent | undefined) => (event?.time ? Date.parse(event.time) : Number.NaN);

/**
 * Describes a run from its metadata and the first and last events of its journal only, so that
 * listing many runs never reads whole journals: the last event says how the run stands.
 */
export function runListEntry(header: RunHeader, ends: { first?: TimedEvent; last?: TimedEvent; tornLine: boolean }): RunListEntry {
  const { first, last } = ends;
  const start = timeOf(first);
  const end = timeOf(last);
  const entry: RunListEntry = {
    runId: header.runId,
    runbook: header.runbook.name,
    runbookPath: header.runbook.path,
    startedAt: first?.time ?? header.createdAt,
    durationMs: Number.isNaN(start) || Number.isNaN(end) ? undefined : end - start,
    status: 'running',
    operator: header.operator,
    hostname: header.hostname,
    tornLine: ends.tornLine,
    ...(header.drill !== undefined ? { drill: header.drill } : {}),
  };
  if (last?.kind === 'run.finished') {
    entry.status = last.status;
    if (last.status !== 'done') entry.step = last.stoppedAt;
    else if (last.counts.failed > 0) entry.failedSteps = last.counts.failed;
  } else if (last && 'step' in last && typeof last.step === 'string') {
    entry.step = last.step;
  }
  return entry;
}
