import { createFileRunStore } from '../adapters/file-run-store.js';
import type { RunLock } from '../adapters/run-lock.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import type { Captures } from '../core/capture/captured-values.js';
import { UsageError } from '../core/model/problem.js';
import { inputChanges, inputFingerprints, noChanges, type PlanChanges, planChanges, stepFingerprints } from '../core/plan/plan-changes.js';
import { resumeState, type SavedContext } from '../core/review/resume-state.js';
import { runStatusOf } from '../core/review/run-status.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import { formatDuration } from '../core/text/duration.js';
import { secretCaptures } from '../engine/bound-steps.js';
import type { RunStore } from '../ports/run-store.js';
import { lifeboatCommand } from './command-name.js';
import { findRun } from './find-run.js';
import { loadPlanWithSources } from './load-plan.js';
import { logsDir } from './logs-dir.js';
import { type NoteChannel, screenNotes } from './note-channel.js';
import { currentBootId, requireTerminal, type SessionOptions } from './session-options.js';
import { startSession } from './start-session.js';
import { takeRunLock } from './take-run-lock.js';

export interface ResumeOptions extends SessionOptions {
  logs?: string;
  acceptChanges?: boolean;
}

export { findRun };

function describeChanges(changes: PlanChanges): string {
  const parts = [];
  if (changes.added.length) parts.push(`added: ${changes.added.join(', ')}`);
  if (changes.removed.length) parts.push(`removed: ${changes.removed.join(', ')}`);
  if (changes.edited.length) parts.push(`edited: ${changes.edited.join(', ')}`);
  if (changes.inputs?.length) parts.push(`inputs: ${changes.inputs.join(', ')}`);
  return parts.join('; ');
}

/** `lifeboat resume [RUN_ID]`: continues an interrupted run exactly where it stopped. */
export async function resumeCommand(wanted: string | undefined, options: ResumeOptions): Promise<number> {
  const store = createFileRunStore(logsDir(options.logs));
  const runId = findRun(store, wanted);
  requireTerminal(options, `resume ${runId}`);
  // The lock is named after the runbook (from run.json); the run's state is read only once it is held,
  // so that two resumes started together cannot both go on from the same state.
  const notes = screenNotes();
  const lock = takeRunLock(store.dir, store.readMeta(runId).runbook.name, runId, notes);
  try {
    return await resumeLocked(store, runId, options, { lock, notes });
  } finally {
    notes.disconnect();
    lock.release();
  }
}

async function resumeLocked(store: RunStore, runId: string, options: ResumeOptions, held: { lock: RunLock; notes: NoteChannel }): Promise<number> {
  const out = stylesFor(process.stdout);
  const meta = store.readMeta(runId);
  const journal = store.readJournal(runId);
  const notes: string[] = [];
  if (journal.tornLine) notes.push('the journal ended in a torn line (the run died mid-write); it was cut off');
  const status = runStatusOf(journal.events);
  if (status === 'done') {
    throw new UsageError(`run ${runId} already finished`, {
      expected: 'an unfinished run',
      received: 'a run that ended done',
      hint: `start a new one with ${lifeboatCommand()} run ${shellQuote(meta.request.file)}`,
    });
  }

  const loaded = loadPlanWithSources({ ...meta.request, vars: meta.request.vars });
  // Steps and inputs are compared whether or not the runbook's text changed: a vars file, an
  // inventory or run.json edited since the run started changes what would run just as much.
  const stepChanges = planChanges(meta.fingerprints, stepFingerprints(loaded.plan));
  const inputs = meta.inputs ? inputChanges(meta.inputs, inputFingerprints(loaded.plan)) : [];
  const changes: PlanChanges = inputs.length ? { ...stepChanges, inputs } : stepChanges;
  const changed = loaded.hash !== meta.runbook.hash || !noChanges(changes);
  let acceptedChanges: PlanChanges | undefined;
  if (!noChanges(changes)) {
    if (!options.acceptChanges) {
      throw new UsageError(`the ${changes.inputs ? (noChanges(stepChanges) ? "runbook's inputs" : 'runbook and its inputs') : 'runbook'} changed since run ${runId} started`, {
        expected: `the runbook, vars, hosts and selection as they were (${meta.runbook.path})`,
        received: describeChanges(changes),
        hint: `check the new plan with \`${lifeboatCommand()} plan ${shellQuote(meta.request.file)}\`, then resume with --accept-changes (steps are matched by id)`,
      });
    }
    acceptedChanges = changes;
  }
  if (journal.tornLine) store.repairJournal(runId);
  // Accepted once: the run goes on from the runbook as it is now, and later resumes compare against that.
  if (changed) {
    store.writeMeta({ ...meta, runbook: { ...meta.runbook, hash: loaded.hash }, fingerprints: stepFingerprints(loaded.plan), ...(meta.inputs ? { inputs: inputFingerprints(loaded.plan) } : {}) });
  }

  const saved = store.loadSnapshot(runId);
  if (saved.problem) notes.push(`${saved.problem}: the run's state was rebuilt from its journal`);
  const order = loaded.plan.phases.flatMap((p) => p.steps.filter((s) => s.selected).map((s) => s.id));
  const state = resumeState(journal.events, saved.snapshot?.context as SavedContext | undefined, order);
  if (state.disbelieved) notes.push(`the snapshot says ${state.disbelieved.join(', ')} ended, the journal does not: the run's state was rebuilt from its journal`);
  // After a reboot no process of the old run can be alive, whatever its pid now names.
  const inFlight = state.inFlight && meta.bootId && meta.bootId !== currentBootId() ? { step: state.inFlight.step } : state.inFlight;

  const steps = new Map(loaded.plan.phases.flatMap((p) => p.steps.map((s) => [s.id, s] as const)));
  const at = state.stoppedAt ? steps.get(state.stoppedAt) : undefined;
  const ago = state.lastEventAt ? `${formatDuration(Date.now() - Date.parse(state.lastEventAt))} ago` : 'at an unknown time';
  const lines = [`${out.bold(`Previous run ${runId} of ${meta.runbook.name}`)} ${status === 'running' ? 'died (its last record has no end)' : `was ${status}`}`];
  if (at) lines.push(`  at ${at.position} ${at.title}${at.host ? ` (on ${at.host.name})` : ''} · ${ago} · started by ${meta.operator}@${meta.hostname}`);
  if (inFlight) {
    const step = steps.get(inFlight.step);
    lines.push(`  ${step?.position ?? inFlight.step} had started its command${inFlight.pgid ? ` (process group ${inFlight.pgid})` : ''}; its checks run before anything else.`);
  }
  if (acceptedChanges) {
    lines.push(`  The ${acceptedChanges.inputs ? "runbook's inputs" : 'runbook'} changed; going on with steps matched by id (${describeChanges(acceptedChanges)}).`);
    if (acceptedChanges.added.length) lines.push(`  Added steps run when their turn comes; removed steps are ignored; finished steps are not run again, edited or not.`);
  }
  for (const note of notes) lines.push(`  ${out.yellow('!')} ${note}`);
  if (!at) lines.push('  Every step had finished: the run only needs to record its end.');
  process.stdout.write(`${lines.join('\n')}\n`);

  return startSession({
    loaded,
    runId,
    options,
    store,
    resume: {
      records: state.records,
      inFlight,
      at: state.stoppedAt,
      acceptedChanges,
      captures: withoutSecrets(state.captures ?? {}, secretCaptures(loaded.plan)),
      itemsDone: state.items?.done,
      // After a reboot no process of the old run can be alive: an item's group is not waited for.
      inFlightItems: state.items && meta.bootId && meta.bootId !== currentBootId() ? new Map([...state.items.inFlight.keys()].map((k) => [k, {}])) : state.items?.inFlight,
    },
    selection: meta.request.selection ?? {},
    logs: options.logs,
    firstStep: at,
    lock: held,
  });
}

/** Captured values less the secret ones: the journal holds only their masks, which must never be used as values. */
function withoutSecrets(captures: Captures, secret: ReadonlySet<string>): Captures {
  return Object.fromEntries(Object.entries(captures).map(([step, values]) => [step, Object.fromEntries(Object.entries(values).filter(([name]) => !secret.has(`${step}.${name}`)))]));
}
