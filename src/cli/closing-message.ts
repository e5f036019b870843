import type { stylesFor } from '../adapters/terminal-styles.js';
import type { Plan } from '../core/model/plan-types.js';
import type { RunEvent } from '../core/model/run-event.js';
import type { StepProbe } from '../core/model/step-probe.js';
import { counted } from '../core/text/plural.js';
import { probeSummary } from '../core/views/probe-summary.js';
import type { RunOutcome } from '../engine/execute-run.js';
import type { RunStore } from '../ports/run-store.js';
import { lifeboatCommand } from './command-name.js';
import type { SessionOptions } from './session-options.js';

type Styles = ReturnType<typeof stylesFor>;
type Finished = Extract<RunEvent, { kind: 'step.finished' }>;

/** ` --confirm a --confirm b`: the confirmations a resumed unattended run must be given again. */
export function confirmFlags(confirmed: ReadonlySet<string>): string {
  return [...confirmed].map((id) => ` --confirm ${id}`).join('');
}

/** The run's last word in its journal: how it stopped and the command that continues it. */
export function finishMessage(outcome: RunOutcome, runId: string, options: SessionOptions, resumeOptions: string, confirmed: ReadonlySet<string>): string | undefined {
  if (options.dryRun) return 'This was a dry run: nothing was executed.';
  const at = outcome.stoppedAt ? `${outcome.stoppedAt.position} ${outcome.stoppedAt.title}` : undefined;
  const base = `${lifeboatCommand()} resume ${runId}${resumeOptions}`;
  if (outcome.needsConfirm) {
    // Named on the command line, or confirmed by a person: both ways on are given.
    const flags = confirmFlags(new Set([...confirmed, outcome.needsConfirm]));
    return `Stopped${at ? ` at ${at}` : ''}${outcome.message ? `: ${outcome.message}` : ''}. Continue with: ${base} --yes${flags}, or ${base} to confirm it yourself`;
  }
  // A stop that needs a person's decision is continued interactively, whatever this run was.
  const resume = `${base}${options.yes && !outcome.needsPerson ? ` --yes${confirmFlags(confirmed)}` : ''}`;
  switch (outcome.status) {
    case 'done':
      return outcome.counts.failed ? `${counted(outcome.counts.failed, 'step')} failed and the run went on past ${outcome.counts.failed === 1 ? 'it' : 'them'} (on_failure: continue).` : undefined;
    case 'interrupted':
      return `Interrupted${at ? ` at ${at}` : ''}. Continue with: ${resume}`;
    default:
      return `Stopped${at ? ` at ${at}` : ''}${outcome.message ? `: ${outcome.message}` : ''}. Continue with: ${resume}`;
  }
}

function rehearsalSummary(plan: Plan, finished: readonly Finished[]): string {
  const byStep = new Map(finished.map((f) => [f.step, f]));
  const lines = ['', 'Rehearsal: what a real run would do now'];
  const counts = { satisfied: 0, 'would run': 0, blocked: 0 };
  for (const phase of plan.phases) {
    for (const step of phase.steps) {
      if (!step.selected) continue;
      const f = byStep.get(step.id);
      const verdict: keyof typeof counts = f?.via === 'precheck' ? 'satisfied' : f?.status === 'skipped' && f.reason?.startsWith('blocked') ? 'blocked' : 'would run';
      counts[verdict] += 1;
      lines.push(`  ${step.position.padEnd(6)}${verdict.padEnd(11)}${step.title}${verdict === 'blocked' && f?.reason ? ` (${f.reason})` : ''}`);
    }
  }
  lines.push(`${counts.satisfied} satisfied, ${counts['would run']} would run, ${counts.blocked} blocked. Nothing was executed.`, '');
  return lines.join('\n');
}

/** The closing summary, read back from the journal so that it covers every session of the run. */
async function closingSummary(dir: string, runId: string, plan: Plan, out: Styles): Promise<string> {
  try {
    const { readRunSummary } = await import('../adapters/journal-reader.js');
    const { runLayout } = await import('../core/review/run-layout.js');
    const { closingSummaryText } = await import('../core/review/run-closing-text.js');
    const { summary } = await readRunSummary(dir, runId, { layout: runLayout(plan) });
    return closingSummaryText(summary, out, Math.min(process.stdout.columns ?? 80, 100));
  } catch (error) {
    return out.dim(`  (no closing summary: ${(error as Error).message}; \`${lifeboatCommand()} logs show ${runId}\` reads the run)\n`);
  }
}

/** What the screen says once the session is over: the probe's findings, the rehearsal, or the run's summary and where its log is. */
export async function closingMessage(end: { plan: Plan; runId: string; store?: RunStore; dryRun: boolean; probed?: StepProbe[]; finished: readonly Finished[]; out: Styles }): Promise<string> {
  if (end.probed) return probeSummary(end.probed);
  if (end.dryRun) return rehearsalSummary(end.plan, end.finished);
  if (!end.store) return '';
  return `${await closingSummary(end.store.dir, end.runId, end.plan, end.out)}${end.out.dim(`Run log: ${end.store.runDir(end.runId)}/events.jsonl\n`)}`;
}
