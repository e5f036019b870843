/** Where in a source file something is: 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One thing wrong with the input, precise enough to fix without guessing. */
export interface Problem extends SourcePosition {
  /** The YAML path, e.g. phases[1].steps[0].verify. Empty for the whole file. */
  path: string;
  /** A short statement of what is wrong. */
  message: string;
  expected?: string;
  received?: string;
  hint?: string;
}

/** A failure made by the user's input, carrying every problem found. */
export class InputError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.length === 1 ? problems[0]!.message : `${problems.length} problems`);
    this.name = 'InputError';
    this.problems = problems;
  }
}

/** Sorts problems (the main file's first, then by file, line and column) and drops exact repeats. */
export function sortProblems(problems: readonly Problem[], mainFile?: string): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (p: Problem) => (p.line === 0 ? 0 : p.file === mainFile ? 1 : 2);
  return unique.sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** Renders a problem as the plain lines shown to the operator. */
export function formatProblem(p: Problem): string {
  // Line 0 marks a problem that is not in a file (the command line).
  const where = p.line === 0 ? p.file : `${p.file}:${p.line}:${p.column}`;
  const lines = [`${where}: ${p.message}${p.path ? ` (at ${p.path})` : ''}`];
  if (p.expected !== undefined) lines.push(`  expected: ${p.expected}`);
  if (p.received !== undefined) lines.push(`  got:      ${p.received}`);
  if (p.hint !== undefined) lines.push(`  hint:     ${p.hint}`);
  return lines.join('\n');
}

/** A mistake on the command line (not in a file): what was given, what was expected, a hint. */
export class UsageError extends Error {
  readonly expected?: string;
  readonly received?: string;
  readonly hint?: string;
  constructor(message: string, details: { expected?: string; received?: string; hint?: string } = {}) {
    super(message);
    this.name = 'UsageError';
    this.expected = details.expected;
    this.received = details.received;
    this.hint = details.hint;
  }
}
