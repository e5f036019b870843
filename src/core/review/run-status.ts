import type { RunEvent, RunStatus } from '../model/run-event.js';

/** How a run stands by its journal: how it last ended, or `running` when its last start has no end (still running, or died). */
export function runStatusOf(events: ReadonlyArray<RunEvent>): RunStatus | 'running' {
  let status: RunStatus | 'running' = 'running';
  for (const event of events) {
    if (event.kind === 'run.started' || event.kind === 'run.resumed') status = 'running';
    else if (event.kind === 'run.finished') status = event.status;
  }
  return status;
}

/** True when `lifeboat resume` can continue the run. */
export function isResumable(status: RunStatus | 'running'): boolean {
  return status !== 'done';
}
