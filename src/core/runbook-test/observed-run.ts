import type { RunEvent, RunStatus } from '../model/run-event.js';
import type { ExpectedItemStatus, ExpectedStepStatus } from './test-case.js';

/** What one item of a foreach step did in a test run. */
export interface ObservedItem {
  status: ExpectedItemStatus;
  commands: string[];
}

/** What one step did in a test run. */
export interface ObservedStep {
  status: ExpectedStepStatus;
  captured: Record<string, unknown>;
  /** Every command it ran, its items' included. */
  commands: string[];
  /** A foreach step's items, by key, once it listed them. */
  items?: Record<string, ObservedItem>;
}

/** What a test run did: how it ended and what each step of the plan did. */
export interface ObservedRun {
  status: RunStatus;
  message?: string;
  steps: Record<string, ObservedStep>;
}

/** How a run ended, as the engine's outcome says. */
export interface RunEnd {
  status: RunStatus;
  message?: string;
  /** The step it stopped at, when it did not finish. */
  stoppedAt?: string;
}

/**
 * Reads a run's events into what each step did; a step with no `step.finished` was not reached,
 * except the step a failed run stopped at: the failure that stopped it records no finish. An item
 * with no `item.finished` was not reached either.
 */
export function observedRun(stepIds: readonly string[], events: readonly RunEvent[], end: RunEnd): ObservedRun {
  const { status, message } = end;
  const steps: Record<string, ObservedStep> = Object.fromEntries(stepIds.map((id) => [id, { status: 'not-reached', captured: {}, commands: [] }]));
  for (const event of events) {
    const step = 'step' in event && event.step !== undefined ? steps[event.step] : undefined;
    if (!step) continue;
    if (event.kind === 'step.finished') step.status = event.status;
    // A wait step's attempt is described, not run: only commands count.
    else if (event.kind === 'step.attempt' && event.command !== undefined && event.until === undefined) {
      step.commands.push(event.command);
      if (event.item !== undefined) step.items?.[event.item]?.commands.push(event.command);
    } else if (event.kind === 'step.captured') Object.assign(step.captured, event.values);
    else if (event.kind === 'step.items') {
      step.items ??= {};
      for (const key of event.keys) step.items[key] ??= { status: 'not-reached', commands: [] };
    } else if (event.kind === 'item.finished' && step.items?.[event.item]) step.items[event.item]!.status = event.status;
  }
  const stopped = end.stoppedAt === undefined ? undefined : steps[end.stoppedAt];
  if (status === 'failed' && stopped?.status === 'not-reached') stopped.status = 'failed';
  return { status, message, steps };
}
