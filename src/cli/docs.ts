import { writeFileSync } from 'node:fs';
import { UsageError } from '../core/model/problem.js';
import { runbookDocs } from '../core/views/runbook-docs.js';
import { ExitCode } from './exit-codes.js';
import { loadPlan } from './load-plan.js';
import { type PlanOptions, planRequest } from './plan-options.js';

/** `lifeboat docs FILE`: the runbook as a Markdown restore document, on stdout or in --out FILE.md. */
export async function docsCommand(file: string, options: PlanOptions & { out?: string }): Promise<number> {
  const plan = await loadPlan(planRequest(file, options));
  const markdown = runbookDocs(plan, file);
  if (options.out === undefined) {
    process.stdout.write(markdown);
    return ExitCode.Ok;
  }
  try {
    writeFileSync(options.out, markdown);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${options.out}: ${code ?? (error as Error).message}`, {
      expected: 'a file path in a folder that exists and can be written',
      hint: 'choose another path with --out FILE.md',
    });
  }
  process.stdout.write(`Wrote ${options.out}\n`);
  return ExitCode.Ok;
}
