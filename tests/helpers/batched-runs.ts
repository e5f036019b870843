// Many hostile values tried in one `lifeboat run` instead of one run each: every (case, value) is a
// step of its own, reading a var of its own, with its own marker and output files, so a failure still
// names the case and the value. Starting the CLI (and, for a host, ssh) once per value dominated the
// injection tests; the steps themselves are what is under test, and they are the same.
//
// A run is refused at validate (exit 2) when any one step is: the refusal names each refused step by
// its position (`at phases[0].steps[N]`). So a batch is run twice at most: once with every step,
// which either runs them all or lists the refused ones, then once more with the steps that were not
// refused, each with `on_failure: continue` so that one failing step does not hide the next.
import { rmSync } from 'node:fs';
import { lifeboat } from './cli.js';
import { type JournalLine, readOnlyJournal, type Workspace } from './run-fixtures.js';

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One step of a batch: its id and its YAML lines (without the `- id:` line, not indented). */
export interface BatchStep {
  id: string;
  yaml: string;
}

export interface BatchOutcome {
  /** The run with every step: refused (exit 2) when any step was, else it ran them all. */
  first: CliResult;
  /** The refused steps, by id, with the problems of the refusal that name each. */
  refused: Map<string, string[]>;
  /** The run of the steps that were not refused, when some were. */
  second?: CliResult;
  /** The run that ran the steps not refused (the first when none was, else the second), and its journal. */
  ran?: CliResult & { events: JournalLine[] };
}

/** The journal of the one run in `logs`, or none when the run left none (its output then says why). */
function journalOf(logs: string): JournalLine[] {
  try {
    return readOnlyJournal(logs).events;
  } catch {
    return [];
  }
}

/**
 * The problems of a refusal, each as its text: a `✖ file:line:col: …` head (which may span lines,
 * when it quotes a value holding a line break), then its expected/got/hint lines.
 */
export function problemBlocks(output: string): string[] {
  return output
    .split(/\n(?=✖ )/)
    .map((block) => block.split(/\n\n/)[0]!)
    .filter((block) => block.startsWith('✖ '));
}

/** The problems of a refusal naming each step, by the step's position in the first phase. */
export function refusalsByPosition(output: string): Map<number, string[]> {
  const byPosition = new Map<number, string[]>();
  for (const block of problemBlocks(output)) {
    for (const position of new Set([...block.matchAll(/at phases\[0\]\.steps\[(\d+)\]/g)].map((m) => Number(m[1])))) {
      byPosition.set(position, [...(byPosition.get(position) ?? []), block]);
    }
  }
  return byPosition;
}

/** Indents a step's YAML under `steps:` of the first phase, as `- id: ID`. */
export function stepYaml(step: BatchStep): string {
  return `      - id: ${step.id}\n${step.yaml
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n')}\n`;
}

/**
 * Runs a batch: `write` writes the runbook (and whatever else) for the given steps and returns the
 * `lifeboat` arguments; runs go in `w.dir`, their journal in `w.logs`.
 */
export async function runBatch(w: Workspace, steps: BatchStep[], write: (steps: BatchStep[]) => string[], options: { env?: Record<string, string> } = {}): Promise<BatchOutcome> {
  // A batch runs many steps in one process: the 60 s guard of a single run is too tight for it.
  const run = async (args: string[]) => lifeboat(args, { cwd: w.dir, env: options.env, timeoutMs: 300_000 });
  rmSync(w.logs, { recursive: true, force: true });
  const first = await run(write(steps));
  const refused = new Map<string, string[]>();
  if (first.code !== 2) return { first, refused, ran: { ...first, events: journalOf(w.logs) } };
  for (const [position, lines] of refusalsByPosition(first.stdout + first.stderr)) {
    const step = steps[position];
    if (step) refused.set(step.id, lines);
  }
  const kept = steps.filter((s) => !refused.has(s.id));
  // A refusal that names no step (or every step): nothing is left to run.
  if (refused.size === 0 || kept.length === 0) return { first, refused };
  rmSync(w.logs, { recursive: true, force: true });
  const second = await run(write(kept));
  return { first, second, refused, ran: { ...second, events: journalOf(w.logs) } };
}

/** The text of a batch's runs, for failure messages. */
export function batchOutput(outcome: BatchOutcome): string {
  const runs = outcome.second ? [outcome.first, outcome.second] : [outcome.first];
  return runs.map((r) => `exit ${r.code}\n${r.stdout}${r.stderr}`).join('\n--- then ---\n');
}
