import type { RunEvent, RunStatus } from '../model/run-event.js';
import type { ExpectedStepStatus } from './test-case.js';

/** What one step did in a test run. */
export interface ObservedStep {
  status: ExpectedStepStatus;
  captured: Record<string, unknown>;
  commands: string[];
}

/** What a test run did: how it ended and what each step of the plan did. */
export interface ObservedRun {
  status: RunStatus;
  message?: string;
  steps: Record<string, ObservedStep>;
}

/** Reads a run's events into what each step did; a step with no `step.finished` was not reached. */
export function observedRun(stepIds: readonly string[], events: readonly RunEvent[], status: RunStatus, message?: string): ObservedRun {
  const steps: Record<string, ObservedStep> = Object.fromEntries(stepIds.map((id) => [id, { status: 'not-reached', captured: {}, commands: [] }]));
  for (const event of events) {
    const step = 'step' in event && event.step !== undefined ? steps[event.step] : undefined;
    if (!step) continue;
    if (event.kind === 'step.finished') step.status = event.status;
    // A wait step's attempt is described, not run: only commands count.
    else if (event.kind === 'step.attempt' && event.command !== undefined && event.until === undefined) step.commands.push(event.command);
    else if (event.kind === 'step.captured') Object.assign(step.captured, event.values);
  }
  return { status, message, steps };
}
