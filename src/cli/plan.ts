import { planView } from '../core/plan-view.js';
import { ExitCode } from './exit-codes.js';
import { loadPlan } from './load-plan.js';
import { planRequest, type PlanOptions } from './plan-options.js';
import { renderPlan } from './render-plan.js';
import { stylesFor } from '../adapters/terminal-styles.js';

/** `lifeboat plan FILE`: the restore in order, exactly as it would run; runs nothing. */
export async function planCommand(file: string, options: PlanOptions & { json?: boolean }): Promise<number> {
  const plan = await loadPlan(planRequest(file, options));
  process.stdout.write(options.json ? `${JSON.stringify(planView(plan), null, 2)}\n` : renderPlan(plan, stylesFor(process.stdout)));
  return ExitCode.Ok;
}
