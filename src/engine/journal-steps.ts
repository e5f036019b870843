import type { Actor, AnyStateMachine } from 'xstate';
import type { StepFinishedEvent, StepStartedEvent } from '../core/machine/machine-setup.js';
import { displayText } from '../core/shell/rendered.js';
import type { RunDeps } from './run-deps.js';

/** Journals the machine's step starts and ends, with the working time the step took. */
export function journalSteps(actor: Actor<AnyStateMachine>, deps: RunDeps): void {
  actor.on('step.started', (event: StepStartedEvent) => {
    const step = deps.stepOf(event.step);
    deps.times.start(step.id);
    const instructions = step.action.kind === 'manual' ? { instructions: displayText(step.action.instructions) } : {};
    deps.emit({ kind: 'step.started', step: step.id, position: step.position, title: step.title, phase: step.phase, action: step.action.kind, host: step.host?.name, ...instructions });
  });
  actor.on('step.finished', (event: StepFinishedEvent) => {
    const { step: id, record } = event;
    const waited = deps.times.waited(id);
    deps.emit({
      kind: 'step.finished',
      step: id,
      position: deps.stepOf(id).position,
      status: record.status as 'done' | 'skipped' | 'failed',
      via: record.via,
      exitCode: event.exitCode,
      attempts: record.attempts,
      durationMs: deps.times.working(id),
      reason: record.reason,
      ...(waited ? { waitedMs: Math.round(waited) } : {}),
    });
    deps.times.finish(id);
  });
}
