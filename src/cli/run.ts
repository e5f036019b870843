import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { createFileRunStore } from '../adapters/file-run-store.js';
import { journalStatus } from '../adapters/journal-ends.js';
import { promptOutput } from '../adapters/prompt-terminal.js';
import { LockedError, liveLockHolder } from '../adapters/run-lock.js';
import { UsageError } from '../core/model/problem.js';
import { makeRunId } from '../core/model/run-id.js';
import { inputFingerprints, stepFingerprints } from '../core/plan/plan-changes.js';
import { isResumable } from '../core/review/run-status.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import type { RunMeta, RunStore } from '../ports/run-store.js';
import { lifeboatCommand } from './command-name.js';
import { loadPlanWithSources } from './load-plan.js';
import { logsDir } from './logs-dir.js';
import { type PlanOptions, planRequest } from './plan-options.js';
import { currentBootId, interactiveTerminal, requireTerminal, type SessionOptions } from './session-options.js';
import { startSession } from './start-session.js';

export interface RunOptions extends PlanOptions, SessionOptions {
  logs?: string;
  /** A rehearsal, with its purpose. */
  drill?: string;
}

export { logsDir } from './logs-dir.js';

/** The newest run of this runbook that did not finish, if any. */
export function unfinishedRun(store: RunStore, runbookPath: string): string | undefined {
  for (const runId of store.list().reverse()) {
    try {
      if (store.readMeta(runId).runbook.path !== runbookPath) continue;
      return isResumable(journalStatus(join(store.runDir(runId), 'events.jsonl'))) ? runId : undefined;
    } catch {}
  }
  return undefined;
}

/** `lifeboat run FILE`: walks the restore step by step, verifying each, recording everything. */
export async function runCommand(file: string, options: RunOptions): Promise<number> {
  requireTerminal(options, `run ${shellQuote(file)}`);
  if (options.probe && !options.dryRun) throw new UsageError('--probe goes with --dry-run', { expected: '--dry-run --probe', received: '--probe alone' });
  if (options.drill !== undefined && !options.drill.trim())
    throw new UsageError('--drill needs its purpose', { expected: '--drill "why", e.g. --drill "quarterly rehearsal"', received: 'an empty purpose' });
  const request = planRequest(file, options);
  const loaded = loadPlanWithSources(request);
  const { plan } = loaded;
  const store = options.dryRun ? undefined : createFileRunStore(logsDir(options.logs));

  // A run still alive holds the lock: say so first, and nothing about "a new run" that will not start.
  const holder = store ? liveLockHolder(store.dir, plan.name) : undefined;
  if (holder) throw new LockedError(holder, plan.name);
  const previous = store ? unfinishedRun(store, loaded.path) : undefined;
  if (previous && interactiveTerminal() && !options.yes) {
    const { select } = await import('@inquirer/prompts');
    const answer = await select(
      {
        message: `Run ${previous} of ${plan.name} did not finish. Resume it?`,
        choices: [
          { name: 'Resume it', value: 'resume', description: 'continue where it stopped; finished steps are not run again' },
          { name: 'Start a new run', value: 'new', description: 'from the first step (prechecks still pass over what is done)' },
          { name: 'Cancel', value: 'cancel' },
        ],
      },
      { output: promptOutput() },
    );
    if (answer === 'cancel') return 0;
    if (answer === 'resume') return (await import('./resume.js')).resumeCommand(previous, { ...options });
  } else if (previous) {
    process.stdout.write(`Note: run ${previous} of ${plan.name} did not finish; this is a new run. \`${lifeboatCommand()} resume ${previous}\` continues that one instead.\n`);
  }

  const runId = makeRunId(new Date(), plan.name, randomBytes(2).toString('hex'));
  // Made when the run's record is opened, and not kept: a long runbook's fingerprints and order stay on disk.
  const meta = store
    ? (): RunMeta => ({
        runId,
        runbook: { name: plan.name, path: loaded.path, hash: loaded.hash },
        request: {
          file: loaded.path,
          vars: [...(request.vars ?? [])],
          varsFile: request.varsFile ? resolve(request.varsFile) : undefined,
          inventory: request.inventory ? resolve(request.inventory) : undefined,
          stepsDir: loaded.stepsDir,
          selection: request.selection,
        },
        fingerprints: stepFingerprints(plan),
        inputs: inputFingerprints(plan),
        order: plan.phases.flatMap((p) => p.steps.filter((s) => s.selected).map((s) => s.id)),
        createdAt: new Date().toISOString(),
        operator: userInfo().username,
        hostname: hostname(),
        bootId: currentBootId(),
        ...(options.drill !== undefined ? { drill: options.drill } : {}),
      })
    : undefined;
  return startSession({
    loaded,
    runId,
    options,
    store,
    meta,
    drill: store ? options.drill : undefined,
    selection: { only: options.only, from: options.from, skip: options.skip },
    logs: options.logs,
    firstStep: plan.phases.flatMap((p) => p.steps).find((s) => s.selected),
  });
}
