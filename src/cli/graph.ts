import { machineGraph } from '../core/machine/machine-graph.js';
import { UsageError } from '../core/model/problem.js';
import { toDot } from '../core/views/graph-dot.js';
import { toMermaid } from '../core/views/graph-mermaid.js';
import { ExitCode } from './exit-codes.js';
import { loadPlan } from './load-plan.js';
import { type PlanOptions, planRequest } from './plan-options.js';

export const GRAPH_FORMATS = ['mermaid', 'dot', 'json'] as const;

/** `lifeboat graph FILE`: the restore order as Mermaid or DOT, or the state machine and its order of steps as JSON. */
export async function graphCommand(file: string, options: PlanOptions & { format: string }): Promise<number> {
  if (!(GRAPH_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format ${options.format}: unknown format`, { expected: GRAPH_FORMATS.join(', '), received: options.format });
  }
  const plan = await loadPlan(planRequest(file, options));
  const text = options.format === 'mermaid' ? toMermaid(plan) : options.format === 'dot' ? toDot(plan) : `${JSON.stringify(machineGraph(plan), null, 2)}\n`;
  process.stdout.write(text);
  return ExitCode.Ok;
}
