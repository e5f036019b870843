import type { PlanStep } from '../core/model/plan-types.js';
import type { PromptContext } from '../ports/prompter.js';
import type { RunPorts, RunSettings } from './run-types.js';
import type { StepTimes } from './step-times.js';

/** Builds what a menu shows about where the run is; shells opened from it are journalled and timed. */
export function promptContextFor(ports: RunPorts, settings: RunSettings, times: StepTimes, runStarted: number): (step: PlanStep) => PromptContext {
  const { plan } = settings;
  const phases = plan.phases.filter((p) => p.steps.some((s) => s.selected));
  return (step) => {
    const phase = phases.find((p) => p.id === step.phase)!;
    return {
      runId: settings.runId,
      runbook: plan.name,
      phaseNumber: phase.number,
      phaseCount: plan.phases.length,
      phaseTitle: phase.title,
      stepNumber: Number(step.position.split('.')[1]),
      stepCount: phase.steps.length,
      elapsedMs: Math.max(0, ports.clock.now() - runStarted),
      shell: {
        opened: (where) => ports.sink.emit({ kind: 'shell.opened', step: step.id, where }),
        closed: (where, end) => {
          times.addShell(step.id, end.durationMs);
          ports.sink.emit({ kind: 'shell.closed', step: step.id, where, durationMs: Math.round(end.durationMs), exitCode: end.exitCode, signal: end.signal, error: end.error });
        },
      },
    };
  };
}

/** Time a question waited for its answer, less any shell opened from it; added to the step's waiting. */
export function waitedSince(deps: { ports: RunPorts; times: StepTimes }, step: string, asked: number, shellBefore: number): number | undefined {
  if (deps.ports.prompter.by !== 'operator') return undefined;
  const ms = Math.max(0, Math.round(deps.ports.clock.now() - asked - (deps.times.shell(step) - shellBefore)));
  deps.times.addWaited(step, ms);
  return ms;
}
