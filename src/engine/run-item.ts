import { fromPromise } from 'xstate';
import type { ItemInput, ItemOutput } from '../core/machine/machine-setup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { settleOrphan } from './recover-step.js';
import { runChecksOf } from './run-checks.js';
import { runCommand } from './run-command.js';
import type { RunDeps } from './run-deps.js';
import { commandOf } from './run-step.js';

type Ended = { ok: boolean; reason?: string; via?: 'precheck' | 'recovered' };

/**
 * One item of a foreach step, as a step of its own: an item an interrupted run left running is
 * waited for and proven by its checks (or, idempotent, run again); else its prechecks, its
 * command, its verify checks. It never throws: how it ended is its output.
 */
async function runOne(deps: RunDeps, planned: PlanStep, key: string, attempt: number): Promise<Ended> {
  const { bound: step, secrets } = deps.bindItem(planned, deps.items.get(`${planned.id}\n${key}`) ?? null);
  const flight = deps.settings.inFlightItems?.get(`${step.id}\n${key}`);
  if (flight && !deps.recoveredItems.has(`${step.id}\n${key}`)) {
    deps.recoveredItems.add(`${step.id}\n${key}`);
    const table = deps.ports.processes;
    if (flight.pgid !== undefined && table?.alive(flight.pgid, flight.startTicks)) {
      const late = await settleOrphan(deps, step, { ...flight, step: step.id, pgid: flight.pgid }, table);
      if (late) return { ok: false, reason: late };
    }
    if (step.verify.length > 0 && (await runChecksOf(deps, step, step.verify, 'verify', false, key)).ok) return { ok: true, via: 'recovered' };
    if (!step.idempotent) return { ok: false, reason: 'its command was running when the run stopped, and the step is not idempotent: check it, then retry the step or mark it done' };
  }
  if (step.precheck.length > 0 && (await runChecksOf(deps, step, step.precheck, 'precheck', false, key)).ok) return { ok: true, via: 'precheck' };
  const command = commandOf(deps, { step, secrets });
  if (!command) return { ok: false, reason: `a foreach step runs a command or a script; this one is a ${step.action.kind} step` };
  const ran = await runCommand(deps, step, attempt, command.script, command.env, command.shown, key);
  if (!ran.ok) return { ok: false, reason: ran.reason };
  if (step.verify.length === 0) return { ok: true };
  const verified = await runChecksOf(deps, step, step.verify, 'verify', false, key);
  return verified.ok ? { ok: true } : { ok: false, reason: `check failed: ${verified.failed}` };
}

/** The runItem actor: one item of the current foreach step, journaled from its start to its end. */
export function runItemActor(deps: RunDeps) {
  return fromPromise<ItemOutput, ItemInput>(async ({ input }) => {
    const planned = deps.stepOf(input.step);
    const started = deps.ports.clock.now();
    let ended: Ended;
    try {
      ended = await runOne(deps, planned, input.key, input.attempt);
    } catch (error) {
      ended = { ok: false, reason: (error as Error).message };
    }
    // Another pass lists its items afresh: an ended item's value is not kept.
    deps.items.delete(`${input.step}\n${input.key}`);
    // Stopped by Ctrl-C, its command may or may not have done its work: like a crash, its end is not recorded.
    if (deps.settings.signal?.aborted) return { key: input.key, ok: false, reason: 'interrupted' };
    deps.emit({
      kind: 'item.finished',
      step: input.step,
      item: input.key,
      status: ended.ok ? 'done' : 'failed',
      ...(ended.via ? { via: ended.via } : {}),
      attempt: input.attempt,
      durationMs: Math.round(deps.ports.clock.now() - started),
      ...(ended.reason ? { reason: ended.reason } : {}),
    });
    return { key: input.key, ok: ended.ok, ...(ended.reason ? { reason: ended.reason } : {}) };
  });
}
