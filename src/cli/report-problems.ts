import type { Styles } from '../adapters/terminal-styles.js';
import { formatProblem, type Problem } from '../core/model/problem.js';

/** Writes every problem, then one summary line saying nothing was run. */
export function reportProblems(problems: readonly Problem[], s: Styles, write: (text: string) => void): void {
  for (const problem of problems) {
    const [first, ...rest] = formatProblem(problem).split('\n');
    write(`${s.red('✖')} ${s.bold(first!)}\n${rest.map((line) => s.dim(line.slice(0, 12)) + line.slice(12)).join('\n')}${rest.length ? '\n' : ''}`);
  }
  const files = new Set(problems.map((p) => p.file));
  write(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${[...files].join(', ')}. Nothing was run.\n`);
}
