import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { stylesFor } from '../adapters/terminal-styles.js';
import type { Plan } from '../core/model/plan-types.js';
import { estimatePlan, type PlanEstimate, withEstimate } from '../core/plan/plan-estimate.js';
import { runLayout } from '../core/review/run-layout.js';
import { terminalSafe } from '../core/text/terminal-safe.js';
import { planView } from '../core/views/plan-view.js';
import { ExitCode } from './exit-codes.js';
import { loadPlan } from './load-plan.js';
import { logsDir } from './logs-dir.js';
import { type PlanOptions, planRequest } from './plan-options.js';
import { renderPlan } from './render-plan.js';

/** Past runs an estimate is taken from: the newest ones, enough for a steady median and a fast plan. */
const HISTORY_RUNS = 20;

/** Estimates from the runbook's past runs in the logs folder; a plan must never fail for want of history. */
async function estimateFromLogs(file: string, plan: Plan, logs: string | undefined): Promise<PlanEstimate> {
  const dir = logsDir(logs);
  // No logs folder, no history: not even the reader is loaded, so a plan costs what it did before.
  if (!existsSync(dir)) return estimatePlan(plan, []);
  try {
    const { readRunHistory } = await import('../adapters/journal-reader.js');
    const history = await readRunHistory(dir, { path: resolve(file), name: plan.name }, { layout: runLayout(plan), limit: HISTORY_RUNS });
    return estimatePlan(plan, history);
  } catch {
    return estimatePlan(plan, []);
  }
}

/** `lifeboat plan FILE`: the restore in order, exactly as it would run, with estimated durations from past runs (in --logs DIR); runs nothing. */
export async function planCommand(file: string, options: PlanOptions & { json?: boolean; logs?: string }): Promise<number> {
  const plan = await loadPlan(planRequest(file, options));
  const estimate = await estimateFromLogs(file, plan, options.logs);
  process.stdout.write(options.json ? `${JSON.stringify(withEstimate(planView(plan), plan, estimate), null, 2)}\n` : planText(plan, estimate));
  return ExitCode.Ok;
}

// A control character as JSON writes it: \u0000 to \u001f (but \n and \t), DEL and C1 (which JSON leaves as they are).
const JSON_CONTROL = /\\u00[01][0-9a-f]|\\[bfr]|[\u007f-\u009f]/;

/**
 * The plan as text. A runbook whose words hold control characters is shown without colour, every
 * one of them made visible (`^[`): they could otherwise clear, move or hide what the plan shows.
 */
function planText(plan: Plan, estimate: PlanEstimate): string {
  if (!JSON_CONTROL.test(JSON.stringify(plan))) return renderPlan(plan, stylesFor(process.stdout), estimate);
  return terminalSafe(renderPlan(plan, pc.createColors(false), estimate));
}
