import { fromPromise } from 'xstate';
import type { ConfirmOutput, StepInput } from '../core/machine/machine-setup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { revealWith } from '../core/shell/rendered.js';
import { waitedSince } from './prompt-context.js';
import type { RunDeps } from './run-deps.js';

/** Nobody was asked: on whose word the step went on, or why it did not. */
function unattendedWhy(step: PlanStep, confirmed: boolean): string {
  if (!confirmed) return `nobody is here to confirm it; an unattended run confirms it only when the command line names it (--confirm ${step.id})`;
  return step.confirm?.kind === 'typed' ? `typed confirmation given on the command line (--confirm ${step.id})` : 'accepted unattended (--yes): nobody was asked';
}

/**
 * The step as its confirmation shows it, with the values known put in. A foreach step's texts may
 * name its item, known only while an item runs: they show it as its reference, and only the
 * confirmation itself (decided once, for the whole step) is bound.
 */
function boundForConfirm(deps: RunDeps, planned: PlanStep): { step: PlanStep; secrets: ReadonlyMap<string, string> } {
  if (!planned.foreach) return deps.bind(planned);
  const confirm = deps.bindValue(planned.confirm);
  return { step: { ...deps.preview(planned), confirm: confirm.bound }, secrets: confirm.secrets };
}

/** The confirmStep actor: a dangerous step's confirmation (typed, for typed confirmation). */
export function confirmStepActor(deps: RunDeps) {
  return fromPromise<ConfirmOutput, StepInput>(async ({ input }) => {
    const { ports } = deps;
    const { step, secrets } = boundForConfirm(deps, deps.stepOf(input.step));
    const word = step.confirm?.kind === 'typed' ? revealWith(secrets)(step.confirm.word) : undefined;
    const asked = ports.clock.now();
    const confirmed = await ports.prompter.confirm(step, word);
    const why = ports.prompter.by === 'unattended' && !deps.settings.dryRun ? unattendedWhy(step, confirmed) : undefined;
    const waitedMs = waitedSince(deps, step.id, asked, deps.times.shell(step.id));
    deps.emit({
      kind: 'operator.choice',
      step: step.id,
      menu: 'confirm',
      choice: confirmed ? 'confirmed' : 'declined',
      by: ports.prompter.by,
      ...(why ? { reason: why } : {}),
      ...(waitedMs ? { waitedMs } : {}),
    });
    if (!confirmed && ports.prompter.by === 'unattended') {
      // Declined with nobody there: asking again would loop, going on would run it. The run stops, resumable.
      return { confirmed, stop: `${step.position} ${step.title} asks for ${step.confirm?.kind === 'typed' ? 'typed ' : ''}confirmation, and ${why ?? 'nobody gave it'}` };
    }
    return { confirmed };
  });
}
