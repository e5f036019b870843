import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFileRunStore, damagedJournal } from '../adapters/file-run-store.js';
import { listRunEntries, readRunSummary } from '../adapters/journal-reader.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { UsageError } from '../core/model/problem.js';
import { htmlReport } from '../core/review/html-report.js';
import { compareRuns } from '../core/review/run-compare.js';
import { compareText } from '../core/review/run-compare-text.js';
import { type RunLayout, runLayout } from '../core/review/run-layout.js';
import { runListText } from '../core/review/run-list-text.js';
import type { RunSummary } from '../core/review/run-summary.js';
import { runTimelineText } from '../core/review/run-timeline-text.js';
import { counted } from '../core/text/plural.js';
import type { RunMeta } from '../ports/run-store.js';
import { ExitCode } from './exit-codes.js';
import { findRun } from './find-run.js';
import { logsDir } from './logs-dir.js';
import { lifeboatVersion } from './version.js';

/** Options every `logs` subcommand takes. */
export interface LogsOptions {
  logs?: string;
  json?: boolean;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** JSON replacer: the epoch-ms instants of a run (`start`, `end` of sessions and segments) as ISO 8601, like every other time. */
function isoTimes(key: string, value: unknown): unknown {
  return (key === 'start' || key === 'end') && typeof value === 'number' ? new Date(value).toISOString() : value;
}

/** The runbook as it is now, for phase titles and RTOs; a run stays readable when its runbook is gone or broken. */
async function layoutFor(meta: RunMeta): Promise<RunLayout | undefined> {
  // Gone: no need to load the runbook machinery to find that out.
  if (!existsSync(meta.request.file)) return undefined;
  try {
    const { loadPlanWithSources } = await import('./load-plan.js');
    return runLayout(loadPlanWithSources({ ...meta.request }).plan);
  } catch {
    return undefined;
  }
}

/** Finds a run (id, unique prefix or `last`) and reads it whole. */
async function readRun(dir: string, wanted: string, output: boolean, damage?: (error: UsageError) => void): Promise<RunSummary> {
  const store = createFileRunStore(dir);
  const runId = findRun(store, wanted);
  const meta = store.readMeta(runId);
  const read = await readRunSummary(dir, runId, { layout: await layoutFor(meta), output });
  // What could be read is shown; damage in the middle of the journal is then a data error (exit 2).
  if (read.damaged.length) {
    const error = damagedJournal(read.journal, read.damaged[0]!);
    if (!damage) throw error;
    damage(new UsageError(`${error.message}${read.damaged.length > 1 ? ` (lines ${read.damaged.join(', ')} in all)` : ''}`, { expected: error.expected, received: error.received, hint: error.hint }));
  }
  return read.summary;
}

/** `lifeboat logs list`: every recorded run, newest first, reading only run.json and each journal's ends. */
export async function logsListCommand(options: LogsOptions & { runbook?: string }): Promise<number> {
  const dir = logsDir(options.logs);
  const { entries, unreadable } = listRunEntries(dir);
  const wanted = options.runbook;
  const shown = wanted === undefined ? entries : entries.filter((e) => e.runbook === wanted || e.runbookPath === resolve(wanted));
  if (options.json) {
    process.stdout.write(json({ format: 'lifeboat-runs/1', dir, runs: shown, unreadable }));
    return ExitCode.Ok;
  }
  if (shown.length === 0) {
    process.stdout.write(`No runs${wanted === undefined ? '' : ` of ${wanted}`} in ${dir}.${entries.length ? ` (${counted(entries.length, 'run')} of other runbooks.)` : ''}\n`);
  } else {
    // A terminal gets a list that fits its width; a pipe or a file gets one line per run.
    process.stdout.write(runListText(shown, stylesFor(process.stdout), process.stdout.isTTY ? process.stdout.columns : undefined));
  }
  if (unreadable.length) process.stderr.write(`${counted(unreadable.length, 'run folder')} could not be read: ${unreadable.join(', ')}\n`);
  return ExitCode.Ok;
}

/** `lifeboat logs show RUN_ID`: the run's timeline, step by step, with choices, failing checks and (asked for) output. */
export async function logsShowCommand(wanted: string, options: LogsOptions & { step?: string; output?: boolean }): Promise<number> {
  let damage: UsageError | undefined;
  const run = await readRun(logsDir(options.logs), wanted, options.output === true, (error) => (damage = error));
  let step: string | undefined;
  if (options.step !== undefined) {
    // A step is named by its id or by its position in the restore order (5.5), as screens show it.
    const steps = run.phases.flatMap((p) => p.steps);
    step = (steps.find((s) => s.id === options.step) ?? steps.find((s) => s.position === options.step))?.id;
    if (step === undefined) {
      throw new UsageError(`run ${run.runId} has no step ${options.step}`, {
        expected: 'a step id or position of this run',
        received: options.step,
        hint: `its steps: ${steps.map((s) => (s.position ? `${s.position} ${s.id}` : s.id)).join(', ')}`,
      });
    }
  }
  if (options.json) {
    const phases = step === undefined ? run.phases : run.phases.map((p) => ({ ...p, steps: p.steps.filter((s) => s.id === step) })).filter((p) => p.steps.length);
    process.stdout.write(`${JSON.stringify({ ...run, phases }, isoTimes, 2)}\n`);
  } else {
    process.stdout.write(runTimelineText(run, stylesFor(process.stdout), { step, output: options.output }));
  }
  if (damage) throw damage;
  return ExitCode.Ok;
}

/** `lifeboat logs report RUN_ID --html FILE`: one self-contained HTML page with the run's timeline. */
export async function logsReportCommand(wanted: string, options: LogsOptions & { html: string }): Promise<number> {
  const run = await readRun(logsDir(options.logs), wanted, true);
  const html = htmlReport(run, { generatedAt: new Date().toISOString(), version: lifeboatVersion() });
  try {
    writeFileSync(options.html, html, { mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write the report to ${options.html}: ${code ?? (error as Error).message}`, {
      expected: 'a file path in a folder that exists and can be written',
      hint: 'choose another path with --html FILE',
    });
  }
  process.stdout.write(`Report of run ${run.runId} (${run.status}) written to ${options.html} (${Math.ceil(Buffer.byteLength(html) / 1024)} KiB).\n`);
  return ExitCode.Ok;
}

/** `lifeboat logs compare RUN_A RUN_B`: step by step, durations and outcomes side by side, largest slow-downs first. */
export async function logsCompareCommand(a: string, b: string, options: LogsOptions): Promise<number> {
  const dir = logsDir(options.logs);
  const comparison = compareRuns(await readRun(dir, a, false), await readRun(dir, b, false));
  process.stdout.write(options.json ? json(comparison) : compareText(comparison, stylesFor(process.stdout)));
  return ExitCode.Ok;
}
