import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, toPromise } from 'xstate';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { createScriptedPrompter, unattendedPolicy } from '../../src/adapters/scripted-prompter.js';
import { BEGIN, compileMachine } from '../../src/core/machine/compile-machine.js';
import { type RestoreContext, type StepOutput, type StepRecord, stepActorId } from '../../src/core/machine/machine-setup.js';
import type { StepContext } from '../../src/core/machine/step-lifecycle.js';
import type { Plan } from '../../src/core/model/plan-types.js';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { executeRun, type RunPorts } from '../../src/engine/execute-run.js';

const SCHEMAS = await loadSchemaChecks();

function planOf(ids: string[]): Plan {
  const steps = ids.map((id) => `      - id: ${id}\n        run: "true"\n`).join('');
  const { plan, problems } = buildPlan(
    { runbook: { path: 'ctx.yaml', text: `name: ctx\nphases:\n  - id: p\n    steps:\n${steps}` }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } },
    SCHEMAS,
  );
  expect(problems).toEqual([]);
  return plan!;
}

/** Ports whose commands all succeed at once; the events they are told of are kept. */
function quietPorts(events: RunEvent[]): RunPorts {
  return {
    runner: { run: async () => ({ exitCode: 0, timedOut: false, aborted: false, durationMs: 1, output: '', stdout: '' }) },
    checks: { run: async () => ({ ok: true, durationMs: 1 }) },
    prompter: createScriptedPrompter(unattendedPolicy, 'unattended'),
    sink: { emit: (event) => events.push(event) },
    clock: { now: () => 1_700_000_000_000, sleep: async () => undefined },
  };
}

/** The record a running step's own machine holds, in a snapshot of the run. */
function stepRecord(snapshot: { children: Record<string, unknown> }, step: string): StepRecord | undefined {
  const child = snapshot.children[stepActorId(step)] as { getSnapshot(): { context: StepContext } } | undefined;
  return child?.getSnapshot().context.record;
}

describe('what the run knows comes from the machine', () => {
  it('resuming with a record of a step the runbook no longer has: the counts are of the current steps', async () => {
    const events: RunEvent[] = [];
    // `gone` was done by the interrupted run, then removed from the runbook (resume --accept-changes).
    const recorded: Record<string, StepRecord> = { a: { status: 'done', attempts: 1 }, gone: { status: 'done', attempts: 1 }, b: { status: 'pending', attempts: 0 } };
    const outcome = await executeRun(quietPorts(events), { runId: 'r', plan: planOf(['a', 'b']), secrets: new Map(), stepsDir: '/none', nodePath: process.execPath, unattended: true, recorded });
    expect(outcome.status).toBe('done');
    expect(outcome.counts).toEqual({ done: 2, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 });
    expect(events.filter((e) => e.kind === 'step.finished').map((e) => (e as { step: string }).step)).toEqual(['b']);
  });

  it('a stopped run counts each current step once, pending included', async () => {
    const events: RunEvent[] = [];
    const recorded: Record<string, StepRecord> = { gone: { status: 'skipped', attempts: 0 }, also: { status: 'failed', attempts: 2 } };
    const ports = quietPorts(events);
    // The first command fails and nobody is there to answer the failure menu: the run stops at it.
    ports.runner = { run: async () => ({ exitCode: 1, timedOut: false, aborted: false, durationMs: 1, output: '', stdout: '' }) };
    const outcome = await executeRun(ports, { runId: 'r', plan: planOf(['a', 'b', 'c']), secrets: new Map(), stepsDir: '/none', nodePath: process.execPath, unattended: true, recorded });
    expect(outcome.status).toBe('failed');
    expect(outcome.stoppedAt?.id).toBe('a');
    expect(outcome.counts).toEqual({ done: 0, skipped: 0, 'not-applicable': 0, failed: 1, pending: 2 });
  });
});

describe('a transition is pure', () => {
  const actors = { runStep: fromPromise<StepOutput, unknown>(async () => ({ ok: true })) };

  it('two actors created from one compiled machine do not share step records', async () => {
    const machine = compileMachine(planOf(['a', 'b']), { actors, unattended: true });
    const first = createActor(machine);
    first.start();
    first.send(BEGIN);
    const atStart = first.getSnapshot();
    const recordAtStart = stepRecord(atStart, 'a');
    await toPromise(first);
    expect((first.getSnapshot().context as RestoreContext).tally.done).toBe(2);
    // The snapshot taken at the start is what it was: the run did not write into it.
    expect(atStart.context as RestoreContext).toMatchObject({ running: [0], next: 1, tally: { done: 0 } });
    // And the step's record read then was not changed by the step going on.
    expect(recordAtStart).toEqual({ status: 'running', attempts: 1 });
    const second = createActor(machine);
    second.start();
    second.send(BEGIN);
    expect((second.getSnapshot().context as RestoreContext).tally.done).toBe(0);
    expect(stepRecord(second.getSnapshot(), 'a')).toEqual({ status: 'running', attempts: 1 });
    await toPromise(second);
  });

  it('the machine output carries how the run ended', async () => {
    const machine = compileMachine(planOf(['a']), { actors, unattended: true });
    const actor = createActor(machine).start();
    actor.send(BEGIN);
    const output = (await toPromise(actor)) as RestoreContext;
    expect(output.outcome).toBe('done');
    expect(output.tally).toEqual({ done: 1, skipped: 0, 'not-applicable': 0, failed: 0 });
  });
});
