import { stylesFor } from '../adapters/terminal-styles.js';
import { InputError, type Problem } from '../core/model/problem.js';
import { counted } from '../core/text/plural.js';
import { ExitCode } from './exit-codes.js';
import { loadPlan } from './load-plan.js';
import { type PlanOptions, planRequest } from './plan-options.js';
import { reportProblems } from './report-problems.js';

/**
 * `lifeboat validate FILE...`: checks each runbook and its templates; exit 0 when all are valid, 2 otherwise.
 * The whole report (verdicts and problems) goes to stdout, so `validate x | less` shows all of it.
 */
export async function validateCommand(files: string[], options: PlanOptions): Promise<number> {
  const out = stylesFor(process.stdout);
  const problems: Problem[] = [];
  for (const file of files) {
    try {
      const plan = await loadPlan(planRequest(file, options));
      const steps = plan.phases.reduce((n, p) => n + p.steps.length, 0);
      process.stdout.write(`${out.green('✔')} ${file}: valid · ${counted(plan.phases.length, 'phase')}, ${counted(steps, 'step')}\n`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      process.stdout.write(`${out.red('✖')} ${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}\n`);
    }
  }
  if (problems.length === 0) return ExitCode.Ok;
  process.stdout.write('\n');
  reportProblems(problems, out, (text) => process.stdout.write(text));
  return ExitCode.InvalidInput;
}
