import { hasEnded } from '../machine/machine-setup.js';
import type { Plan, PlanStep } from '../model/plan-types.js';
import { UsageError } from '../model/problem.js';
import type { StepRecord } from '../model/step-record.js';
import { answerProblem } from '../resolve/resolve-capture.js';
import { didYouMean } from '../validate/suggest.js';

/**
 * The answers given with `--answer STEP=VALUE`, by step id: each must name an ask step of the
 * runbook and be an answer its question takes. Checked before anything runs or asks.
 */
export function givenAnswers(plan: Plan, given: readonly string[] | undefined): Map<string, string> {
  const steps = plan.phases.flatMap((phase) => phase.steps);
  const asking = steps.filter((step) => step.action.kind === 'ask');
  const which = asking.length ? asking.map((s) => s.id).join(', ') : 'none: no step of this runbook asks a question';
  const answers = new Map<string, string>();
  for (const item of given ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--answer ${item}: expected STEP_ID=VALUE`, { expected: 'STEP_ID=VALUE, e.g. --answer pick-node=pve2', received: item, hint: `the ask steps: ${which}` });
    }
    const id = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const step = steps.find((s) => s.id === id);
    if (step?.action.kind !== 'ask') {
      throw new UsageError(step ? `--answer ${id}: step ${id} asks no question` : `--answer ${id}: no step ${id} in ${plan.name}`, {
        expected: `the id of an ask step (${which})`,
        received: id,
        hint: step
          ? 'leave it out'
          : (didYouMean(
              id,
              asking.map((s) => s.id),
            ) ?? 'the ids are in `lifeboat plan FILE`'),
      });
    }
    const why = answerProblem(step.action.question, value);
    if (why) {
      const { choices, pattern } = step.action.question;
      throw new UsageError(`--answer ${id}: ${why}`, { expected: choices ? `one of ${choices.join(', ')}` : `an answer matching /${pattern}/`, received: value });
    }
    answers.set(id, value);
  }
  return answers;
}

/**
 * Unattended, a question nobody can answer stops the run before its first step: an ask step still
 * to come with neither an answer on the command line nor a default.
 */
export function unansweredQuestions(plan: Plan, answers: ReadonlyMap<string, string>, recorded: Readonly<Record<string, StepRecord>> = {}): void {
  const open: PlanStep[] = plan.phases.flatMap((phase) =>
    phase.steps.filter(
      (step) =>
        step.selected &&
        step.action.kind === 'ask' &&
        step.action.question.default === undefined &&
        !answers.has(step.id) &&
        !hasEnded(step, Object.hasOwn(recorded, step.id) ? recorded[step.id] : undefined),
    ),
  );
  if (open.length === 0) return;
  const flags = open.map((s) => `--answer ${s.id}=VALUE`).join(' ');
  throw new UsageError(`${open.map((s) => `${s.position} ${s.id}`).join(', ')} ${open.length === 1 ? 'asks a question' : 'ask questions'} that nobody is here to answer, with no default`, {
    expected: 'an answer for each question of an unattended run',
    received: `no --answer for ${open.map((s) => s.id).join(', ')}`,
    hint: `give ${open.length === 1 ? 'it' : 'them'} on the command line: ${flags}`,
  });
}
