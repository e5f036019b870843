import { readRunHistory } from '../adapters/journal-reader.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { runLayout } from '../core/review/run-layout.js';
import { runStats } from '../core/review/run-stats.js';
import { statsText } from '../core/review/run-stats-text.js';
import { ExitCode } from './exit-codes.js';
import { loadPlanWithSources } from './load-plan.js';
import { logsDir } from './logs-dir.js';
import { type PlanOptions, planRequest } from './plan-options.js';

/** `lifeboat stats FILE`: per phase and step across the runbook's past runs: count, success rate, median and slowest, last success, RTOs. */
export async function statsCommand(file: string, options: PlanOptions & { logs?: string; json?: boolean }): Promise<number> {
  const loaded = loadPlanWithSources(planRequest(file, options));
  const layout = runLayout(loaded.plan);
  const runs = await readRunHistory(logsDir(options.logs), { path: loaded.path, name: loaded.plan.name }, { layout });
  const now = Date.now();
  const stats = runStats(loaded.plan.name, layout, runs, now);
  process.stdout.write(options.json ? `${JSON.stringify(stats, null, 2)}\n` : statsText(stats, stylesFor(process.stdout), now));
  return ExitCode.Ok;
}
