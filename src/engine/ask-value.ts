import type { StepOutput } from '../core/machine/machine-setup.js';
import type { PlanStep, Question } from '../core/model/plan-types.js';
import { answerProblem } from '../core/resolve/resolve-capture.js';
import type { Rendered } from '../core/shell/rendered.js';
import type { RunDeps } from './run-deps.js';

/**
 * An ask step: the answer comes from `--answer STEP=VALUE`, else from the operator, else (nobody
 * there) from the question's default. It is kept as the step's capture `answer`.
 */
export async function askValue(deps: RunDeps, step: PlanStep, question: Question, attempt: number, reveal: (text: Rendered) => string): Promise<StepOutput> {
  const { ports, settings } = deps;
  const text = reveal(question.text);
  const flagged = settings.answers?.get(step.id);
  let answer: string | undefined;
  let by: 'operator' | 'flag' | 'default';
  if (flagged !== undefined) {
    answer = flagged;
    by = 'flag';
  } else if (ports.prompter.by === 'operator' && !settings.dryRun) {
    answer = await ports.prompter.ask(step, question, text);
    by = 'operator';
  } else {
    answer = question.default;
    by = 'default';
  }
  // A rehearsal asks nobody: without an answer given, later steps show the reference in its place.
  if (answer === undefined && settings.dryRun) return { ok: true };
  if (answer === undefined) {
    const reason = `nobody is here to answer "${text}", and it has no default: give the answer with --answer ${step.id}=VALUE`;
    return { ok: false, reason, failure: { summary: reason, tail: [] } };
  }
  const why = answerProblem(question, answer);
  if (why) {
    const reason = `the answer is not one the question takes: ${why}`;
    return { ok: false, reason, failure: { summary: reason, tail: [] } };
  }
  deps.emit({ kind: 'step.captured', step: step.id, attempt, values: { answer }, by });
  return { ok: true, captures: { answer } };
}
