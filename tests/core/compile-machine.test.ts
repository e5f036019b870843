import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor, createMachine, fromPromise, waitFor } from 'xstate';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { ABORTED, BEGIN, compileConfig, compileMachine, FINISHED, machineSteps } from '../../src/core/machine/compile-machine.js';
import {
  ACTOR_NAMES,
  type AskInput,
  type AskOutput,
  type ChecksInput,
  type ChecksOutput,
  machineFromConfig,
  provideActors,
  type RestoreContext,
  type SleepInput,
  type StepFinishedEvent,
  type StepInput,
  type StepOutput,
  type StepRecord,
  type StepStartedEvent,
  startContext,
} from '../../src/core/machine/machine-setup.js';
import { type StepContext, stepLifecycleConfig } from '../../src/core/machine/step-lifecycle.js';
import { type StepTraits, stepTable } from '../../src/core/machine/step-table.js';
import type { Plan, Selection } from '../../src/core/model/plan-types.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { lifeboat } from '../helpers/cli.js';

const SCHEMAS = loadSchemaChecks();

function planOf(text: string, selection?: Selection): Plan {
  const { plan, problems } = buildPlan({ runbook: { path: 'machine.yaml', text }, library: { dir: 'steps', templates: new Map(), scripts: new Set() }, selection }, SCHEMAS);
  expect(problems).toEqual([]);
  return plan!;
}

/** What each actor answers, call by call; when a list runs out the default answer is used. */
interface Script {
  /** By step id: runStep results (an Error is thrown). Default { ok: true }. */
  run?: Record<string, Array<StepOutput | Error>>;
  /** By `step:set`: runChecks results (an Error is thrown). Default { ok: true }. */
  checks?: Record<string, Array<ChecksOutput | Error>>;
  /** By `step:menu`: the operator's answers (an Error is thrown). Default 'run' before a step, 'abort' after a failure. */
  ask?: Record<string, Array<AskOutput | Error>>;
  /** By step id: confirmStep answers (an Error is thrown). Default confirmed. */
  confirm?: Record<string, Array<boolean | Error>>;
}

interface Run {
  value: unknown;
  status: string;
  context: RestoreContext;
  /**
   * Each step's record as the run left it: a finished step's as announced (\`step.finished\`), the
   * step the run stopped at as the context holds it (the context describes no other step).
   */
  steps: Record<string, StepRecord>;
  /** Every actor call in order: `run:a`, `checks:a:verify`, `ask:a:before`, `confirm:a`, `sleep:a:3000`. */
  calls: string[];
  /** Only the runStep calls, by step id. */
  ran: string[];
  /** Each step's status changes as they happened, e.g. ['awaiting', 'running', 'done']. */
  history: Record<string, string[]>;
  /** The 'step.finished' events the machine emitted, in order. */
  finished: StepFinishedEvent[];
}

function next<T>(lists: Record<string, T[]> | undefined, key: string, fallback: T): T {
  const list = lists?.[key];
  return list && list.length > 0 ? list.shift()! : fallback;
}

async function drive(machine: AnyStateMachine, script: Script = {}): Promise<Run> {
  const calls: string[] = [];
  const ran: string[] = [];
  const answer = <T>(value: T | Error): T => {
    if (value instanceof Error) throw value;
    return value;
  };
  const provided = provideActors(machine, {
    runStep: fromPromise<StepOutput, StepInput>(async ({ input }) => {
      calls.push(`run:${input.step}`);
      ran.push(input.step);
      return answer(next(script.run, input.step, { ok: true } as StepOutput | Error));
    }),
    runChecks: fromPromise<ChecksOutput, ChecksInput>(async ({ input }) => {
      calls.push(`checks:${input.step}:${input.set}`);
      return answer(next(script.checks, `${input.step}:${input.set}`, { ok: true } as ChecksOutput | Error));
    }),
    askOperator: fromPromise<AskOutput, AskInput>(async ({ input }) => {
      calls.push(`ask:${input.step}:${input.menu}`);
      return answer(next(script.ask, `${input.step}:${input.menu}`, { choice: input.menu === 'before' ? 'run' : 'abort' } as AskOutput | Error));
    }),
    confirmStep: fromPromise<{ confirmed: boolean }, StepInput>(async ({ input }) => {
      calls.push(`confirm:${input.step}`);
      return { confirmed: answer(next(script.confirm, input.step, true as boolean | Error)) };
    }),
    sleep: fromPromise<void, SleepInput>(async ({ input }) => {
      calls.push(`sleep:${input.step}:${input.ms}`);
    }),
  });
  const history: Record<string, string[]> = {};
  const note = (id: string, record: StepRecord) => {
    const list = (history[id] ??= []);
    if (list.at(-1) !== record.status) list.push(record.status);
  };
  // Each step runs on a machine of its own: its status changes are seen by inspecting every actor of the run.
  const actor = createActor(provided, {
    inspect: (inspected) => {
      if (inspected.type !== '@xstate.snapshot') return;
      const context = (inspected.snapshot as { context?: Partial<StepContext> }).context;
      if (context?.step !== undefined && context.record !== undefined) note(context.step, context.record);
    },
  });
  const finished: StepFinishedEvent[] = [];
  actor.on('step.finished', (event) => {
    finished.push(event as StepFinishedEvent);
    note((event as StepFinishedEvent).step, (event as StepFinishedEvent).record);
  });
  actor.start();
  actor.send(BEGIN);
  const snapshot = await waitFor(actor, (s) => s.status !== 'active', { timeout: 5_000 });
  actor.stop();
  const context = snapshot.context as RestoreContext;
  const steps = Object.fromEntries(finished.map((f) => [f.step, f.record]));
  if (context.current && context.record) steps[context.current] = context.record;
  return { value: snapshot.value, status: snapshot.status, context, steps, calls, ran, history, finished };
}

const statuses = (run: Run) => Object.fromEntries(Object.entries(run.steps).map(([id, r]) => [id, r.status]));

const TWO_PHASES = `
name: machine
phases:
  - id: services
    needs: [storage]
    steps:
      - { id: start-db, run: "systemctl start db" }
      - { id: start-web, run: "systemctl start web", needs: [start-db] }
  - id: storage
    steps:
      - { id: mount, run: "zfs mount -a", needs: [import] }
      - { id: import, run: "zpool import tank" }
`;

describe('the compiled machine executes', () => {
  it('runs every step once, in restore order, and finishes', async () => {
    const run = await drive(compileMachine(planOf(TWO_PHASES)));
    expect(run.ran).toEqual(['import', 'mount', 'start-db', 'start-web']);
    expect(run.calls).toEqual(['ask:import:before', 'run:import', 'ask:mount:before', 'run:mount', 'ask:start-db:before', 'run:start-db', 'ask:start-web:before', 'run:start-web']);
    expect(run.status).toBe('done');
    expect(run.value).toBe(FINISHED);
    expect(run.context.outcome).toBe('done');
    expect(run.history.import).toEqual(['awaiting', 'running', 'done']);
    expect(run.steps).toEqual({
      import: { status: 'done', attempts: 1 },
      mount: { status: 'done', attempts: 1 },
      'start-db': { status: 'done', attempts: 1 },
      'start-web': { status: 'done', attempts: 1 },
    });
  });

  it('a skipped step never runs, keeps the reason, and the restore goes on', async () => {
    const run = await drive(compileMachine(planOf(TWO_PHASES)), { ask: { 'mount:before': [{ choice: 'skip', reason: 'already mounted by hand' }] } });
    expect(run.ran).toEqual(['import', 'start-db', 'start-web']);
    expect(run.steps.mount).toEqual({ status: 'skipped', attempts: 0, reason: 'already mounted by hand' });
    expect(run.value).toBe(FINISHED);
  });

  it('steps left out by a selection are not in the machine at all', async () => {
    const run = await drive(compileMachine(planOf(TWO_PHASES, { only: ['storage'] })));
    expect(run.ran).toEqual(['import', 'mount']);
    expect(Object.keys(run.steps)).toEqual(['import', 'mount']);
    expect(run.value).toBe(FINISHED);

    const nothing = await drive(compileMachine(planOf(TWO_PHASES, { skip: ['storage', 'services'] })));
    expect(nothing.calls).toEqual([]);
    expect(nothing.value).toBe(FINISHED);
    expect(nothing.context.outcome).toBe('done');
  });

  it('on_failure: continue marks the step failed, with the reason, and moves on', async () => {
    const plan = planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: a, run: "true", on_failure: continue }
      - { id: b, run: "true", on_failure: continue }
      - { id: c, run: "true" }
`);
    const run = await drive(compileMachine(plan), { run: { a: [{ ok: false, reason: 'exit 3' }], b: [new Error('ssh: connection refused')] } });
    expect(run.ran).toEqual(['a', 'b', 'c']);
    expect(statuses(run)).toEqual({ a: 'failed', b: 'failed', c: 'done' });
    expect(run.steps.a!.reason).toBe('exit 3');
    expect(run.steps.b!.reason).toBe('ssh: connection refused');
    // No failure menu for a step that continues.
    expect(run.calls.filter((c) => c.endsWith(':failure'))).toEqual([]);
    expect(run.value).toBe(FINISHED);
  });

  it('by design, a run whose failed steps all continue ends with outcome "done"; the steps say "failed"', async () => {
    const plan = planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: a, run: "true", on_failure: continue }
      - { id: b, run: "true" }
`);
    const run = await drive(compileMachine(plan), { run: { a: [{ ok: false, reason: 'exit 1' }] } });
    expect(run.value).toBe(FINISHED);
    expect(run.status).toBe('done');
    expect(run.context.outcome).toBe('done');
    expect(run.steps.a).toEqual({ status: 'failed', attempts: 1, reason: 'exit 1' });
    expect(run.steps.b!.status).toBe('done');
  });

  describe('precheck', () => {
    const plan = () =>
      planOf(`
name: m
phases:
  - id: p
    steps:
      - id: import
        run: zpool import tank
        precheck: [{ run: zpool list tank, readonly: true }]
        verify: [{ run: zpool list -H -o health tank }]
      - { id: after, run: "true" }
`);

    it('when it passes the step is done via precheck, without asking or running', async () => {
      const run = await drive(compileMachine(plan()));
      expect(run.calls).toEqual(['checks:import:precheck', 'ask:after:before', 'run:after']);
      expect(run.steps.import).toEqual({ status: 'done', attempts: 0, via: 'precheck' });
    });

    it('when it fails (or errors) the step is asked about, run and verified', async () => {
      for (const outcome of [{ ok: false, failed: 'zpool list tank' }, new Error('timeout')]) {
        const run = await drive(compileMachine(plan()), { checks: { 'import:precheck': [outcome] } });
        expect(run.calls.slice(0, 4)).toEqual(['checks:import:precheck', 'ask:import:before', 'run:import', 'checks:import:verify']);
        expect(run.steps.import).toEqual({ status: 'done', attempts: 1 });
      }
    });
  });

  describe('retries', () => {
    const plan = () =>
      planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: ping, run: ping -c1 gw, retries: 2, retry_delay: 3s }
      - { id: after, run: "true" }
`);

    it('re-runs after a backoff until it succeeds', async () => {
      const run = await drive(compileMachine(plan()), { run: { ping: [{ ok: false }, new Error('unreachable')] } });
      expect(run.calls).toEqual(['ask:ping:before', 'run:ping', 'sleep:ping:3000', 'run:ping', 'sleep:ping:3000', 'run:ping', 'ask:after:before', 'run:after']);
      expect(run.steps.ping).toMatchObject({ status: 'done', attempts: 3 });
    });

    it('re-runs at most N more times, then asks the operator', async () => {
      const fail = { ok: false, reason: 'no answer' };
      const run = await drive(compileMachine(plan()), { run: { ping: [fail, fail, fail, fail] } });
      expect(run.ran).toEqual(['ping', 'ping', 'ping']);
      expect(run.calls.filter((c) => c.startsWith('sleep:'))).toEqual(['sleep:ping:3000', 'sleep:ping:3000']);
      expect(run.calls.at(-1)).toBe('ask:ping:failure');
      expect(run.steps.ping).toEqual({ status: 'failed', attempts: 3, reason: 'no answer' });
      expect(run.value).toBe(ABORTED);
    });

    it('a failing verify counts as a failed attempt and is retried too', async () => {
      const withVerify = planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: a, run: "true", retries: 1, retry_delay: 500ms, verify: [{ tcp: "nas:22" }] }
`);
      const run = await drive(compileMachine(withVerify), { checks: { 'a:verify': [{ ok: false, failed: 'tcp nas:22' }] } });
      expect(run.calls).toEqual(['ask:a:before', 'run:a', 'checks:a:verify', 'sleep:a:500', 'run:a', 'checks:a:verify']);
      // Done in the end: the first attempt's failure is no longer its reason.
      expect(run.steps.a).toEqual({ status: 'done', attempts: 2 });
    });

    it('without retries a failure goes straight to the operator, and "retry" runs it again', async () => {
      const once = planOf(`
name: m
phases: [{ id: p, steps: [{ id: a, run: "true" }] }]
`);
      const run = await drive(compileMachine(once), { run: { a: [{ ok: false }] }, ask: { 'a:failure': [{ choice: 'retry' }] } });
      expect(run.calls).toEqual(['ask:a:before', 'run:a', 'ask:a:failure', 'run:a']);
      expect(run.steps.a).toMatchObject({ status: 'done', attempts: 2 });
    });
  });

  // An answer a menu does not offer (only a broken prompter could give one) stops the run where
  // it is, resumable: the safe default, rather than guessing or asking in a loop.
  it('an answer the menu does not offer stops the restore, resumable', async () => {
    const run = await drive(compileMachine(planOf(TWO_PHASES)), { ask: { 'mount:before': [{ choice: 'retry' }] } });
    expect(run.value).toBe('_aborted');
    expect(run.context.outcome).toBe('aborted');
    expect(run.calls).not.toContain('run:mount');
  });

  describe('a prompt that breaks (no terminal left) aborts, resumable, instead of erroring the actor', () => {
    it('askOperator rejecting before a step', async () => {
      const run = await drive(compileMachine(planOf(TWO_PHASES)), { ask: { 'mount:before': [new Error('stdin closed')] } });
      expect(run.status).toBe('done');
      expect(run.value).toBe(ABORTED);
      expect(run.context.outcome).toBe('aborted');
      expect(run.ran).toEqual(['import']);
      expect(statuses(run)).toEqual({ import: 'done', mount: 'awaiting' });
    });

    it('askOperator rejecting in the failure menu', async () => {
      const run = await drive(compileMachine(planOf(TWO_PHASES)), { run: { mount: [{ ok: false, reason: 'exit 1' }] }, ask: { 'mount:failure': [new Error('stdin closed')] } });
      expect(run.status).toBe('done');
      expect(run.value).toBe(ABORTED);
      expect(run.steps.mount).toEqual({ status: 'failed', attempts: 1, reason: 'exit 1' });
    });

    it('confirmStep rejecting: nothing runs', async () => {
      const plan = planOf(`
name: m
phases: [{ id: p, steps: [{ id: wipe, run: "zpool destroy old", confirm: typed }] }]
`);
      const run = await drive(compileMachine(plan), { confirm: { wipe: [new Error('stdin closed')] } });
      expect(run.status).toBe('done');
      expect(run.value).toBe(ABORTED);
      expect(run.ran).toEqual([]);
      expect(run.steps.wipe!.status).toBe('awaiting');
    });
  });

  describe("the 'step.finished' event", () => {
    it('is emitted once per finished step, in order, with its final record', async () => {
      const plan = planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: pre, run: "true", precheck: [{ run: "true" }] }
      - { id: a, run: "true" }
      - { id: b, run: "true", on_failure: continue }
      - { id: c, run: "true" }
      - { id: d, run: "true", retries: 1 }
`);
      const run = await drive(compileMachine(plan), {
        run: { b: [{ ok: false, reason: 'exit 2' }], d: [{ ok: false, reason: 'flaky' }] },
        ask: { 'c:before': [{ choice: 'skip', reason: 'not needed' }] },
      });
      expect(run.value).toBe(FINISHED);
      expect(run.finished).toEqual([
        { type: 'step.finished', step: 'pre', record: { status: 'done', attempts: 0, via: 'precheck' } },
        { type: 'step.finished', step: 'a', record: { status: 'done', attempts: 1 } },
        { type: 'step.finished', step: 'b', record: { status: 'failed', attempts: 1, reason: 'exit 2' } },
        { type: 'step.finished', step: 'c', record: { status: 'skipped', attempts: 0, reason: 'not needed' } },
        // Done after a retry: the earlier failure is not its reason any more.
        { type: 'step.finished', step: 'd', record: { status: 'done', attempts: 2 } },
      ]);
    });

    it('is emitted before the next step starts', async () => {
      const order: string[] = [];
      const machine = provideActors(compileMachine(planOf(TWO_PHASES)), {
        runStep: fromPromise<StepOutput, StepInput>(async ({ input }) => {
          order.push(`run:${input.step}`);
          return { ok: true };
        }),
        askOperator: fromPromise<AskOutput, AskInput>(async () => ({ choice: 'run' })),
      });
      const actor = createActor(machine);
      actor.on('step.finished', (event) => {
        order.push(`finished:${(event as StepFinishedEvent).step}`);
      });
      actor.start();
      actor.send(BEGIN);
      await waitFor(actor, (s) => s.status !== 'active', { timeout: 5_000 });
      actor.stop();
      expect(order).toEqual(['run:import', 'finished:import', 'run:mount', 'finished:mount', 'run:start-db', 'finished:start-db', 'run:start-web', 'finished:start-web']);
    });

    it("a step's start comes before its actor starts, the first step's too (the actor runs nothing before BEGIN)", async () => {
      const order: string[] = [];
      const machine = provideActors(compileMachine(planOf(TWO_PHASES), { unattended: true }), {
        runStep: fromPromise<StepOutput, StepInput>(async ({ input }) => {
          order.push(`run:${input.step}`);
          return { ok: true };
        }),
      });
      const actor = createActor(machine);
      actor.on('step.started', (event) => {
        order.push(`started:${(event as StepStartedEvent).step}`);
      });
      actor.start();
      expect(order).toEqual([]);
      actor.send(BEGIN);
      await waitFor(actor, (s) => s.status !== 'active', { timeout: 5_000 });
      expect(order).toEqual(['started:import', 'run:import', 'started:mount', 'run:mount', 'started:start-db', 'run:start-db', 'started:start-web', 'run:start-web']);
    });

    it('is not emitted for a step that failed and waits for the operator, nor for an abort', async () => {
      const run = await drive(compileMachine(planOf(TWO_PHASES)), { run: { mount: [{ ok: false }] }, ask: { 'mount:failure': [{ choice: 'abort' }] } });
      expect(run.finished.map((e) => e.step)).toEqual(['import']);
    });

    it('follows a failure menu to its end: failed, then skipped by the operator', async () => {
      const run = await drive(compileMachine(planOf(TWO_PHASES)), {
        run: { mount: [{ ok: false, reason: 'busy' }] },
        ask: { 'mount:failure': [{ choice: 'skip', reason: 'later' }] },
      });
      expect(run.finished.map((e) => [e.step, e.record.status])).toEqual([
        ['import', 'done'],
        ['mount', 'skipped'],
        ['start-db', 'done'],
        ['start-web', 'done'],
      ]);
      expect(run.finished[1]!.record).toEqual({ status: 'skipped', attempts: 1, reason: 'later' });
    });
  });

  describe('abort', () => {
    it('before a step: ends in the _aborted final state and runs nothing more', async () => {
      const run = await drive(compileMachine(planOf(TWO_PHASES)), { ask: { 'mount:before': [{ choice: 'abort' }] } });
      expect(run.ran).toEqual(['import']);
      expect(run.value).toBe(ABORTED);
      expect(run.status).toBe('done');
      expect(run.context.outcome).toBe('aborted');
      expect(statuses(run)).toEqual({ import: 'done', mount: 'awaiting' });
    });

    it('after a failure', async () => {
      const run = await drive(compileMachine(planOf(TWO_PHASES)), { run: { mount: [{ ok: false }] }, ask: { 'mount:failure': [{ choice: 'abort' }] } });
      expect(run.ran).toEqual(['import', 'mount']);
      expect(run.value).toBe(ABORTED);
      expect(run.steps.mount!.status).toBe('failed');
    });
  });

  describe('mark-done', () => {
    const plan = () =>
      planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: checked, run: "true", verify: [{ path: /mnt/tank }] }
      - { id: unchecked, run: "true" }
`);

    it('runs the verify checks and ends done (by the operator) when they pass', async () => {
      const run = await drive(compileMachine(plan()), {
        run: { checked: [{ ok: false }] },
        ask: { 'checked:failure': [{ choice: 'mark-done' }] },
      });
      expect(run.calls.slice(0, 4)).toEqual(['ask:checked:before', 'run:checked', 'ask:checked:failure', 'checks:checked:verify']);
      expect(run.steps.checked).toMatchObject({ status: 'done', via: 'operator', attempts: 1 });
      expect(run.value).toBe(FINISHED);
    });

    it('does not end done when the checks fail: back to the failure menu', async () => {
      const run = await drive(compileMachine(plan()), {
        run: { checked: [{ ok: false }] },
        checks: { 'checked:verify': [{ ok: false, failed: 'exists /mnt/tank' }] },
        ask: { 'checked:failure': [{ choice: 'mark-done' }, { choice: 'skip', reason: 'check by hand later' }] },
      });
      expect(run.calls.slice(0, 6)).toEqual(['ask:checked:before', 'run:checked', 'ask:checked:failure', 'checks:checked:verify', 'ask:checked:failure', 'ask:unchecked:before']);
      // mark-done went through verifying and, the checks failing, back to failed: never done.
      expect(run.history.checked).toEqual(['awaiting', 'running', 'failed', 'verifying', 'failed', 'skipped']);
      expect(run.steps.checked).toEqual({ status: 'skipped', attempts: 1, reason: 'check by hand later' });
    });

    it('with no checks, the operator word is enough', async () => {
      const run = await drive(compileMachine(plan()), {
        run: { unchecked: [{ ok: false }] },
        ask: { 'unchecked:failure': [{ choice: 'mark-done' }] },
      });
      expect(run.calls.slice(-3)).toEqual(['ask:unchecked:before', 'run:unchecked', 'ask:unchecked:failure']);
      expect(run.steps.unchecked).toMatchObject({ status: 'done', via: 'operator' });
    });
  });

  describe('manual steps', () => {
    const plan = () =>
      planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: plug, manual: Plug the disks back in., verify: [{ path: /dev/disk/by-id/ata-1 }], retries: 3 }
      - { id: look, manual: Look at the lights. }
`);

    it('never call runStep; checks run once the operator says done', async () => {
      const run = await drive(compileMachine(plan()));
      expect(run.ran).toEqual([]);
      expect(run.calls).toEqual(['ask:plug:before', 'checks:plug:verify', 'ask:look:before']);
      expect(statuses(run)).toEqual({ plug: 'done', look: 'done' });
      expect(run.steps.plug!.attempts).toBe(0);
    });

    it('a failing check goes to the failure menu (no automatic retries), and "retry" asks again', async () => {
      const run = await drive(compileMachine(plan()), {
        checks: { 'plug:verify': [{ ok: false, failed: 'exists /dev/disk/by-id/ata-1' }] },
        ask: { 'plug:failure': [{ choice: 'retry' }] },
      });
      expect(run.ran).toEqual([]);
      expect(run.calls).toEqual(['ask:plug:before', 'checks:plug:verify', 'ask:plug:failure', 'ask:plug:before', 'checks:plug:verify', 'ask:look:before']);
      expect(run.calls.some((c) => c.startsWith('sleep:'))).toBe(false);
    });
  });

  describe('confirm', () => {
    const plan = () =>
      planOf(`
name: m
phases:
  - id: p
    steps:
      - { id: wipe, run: "zpool destroy old", confirm: typed }
      - { id: yes-no, run: "true", confirm: true }
      - { id: plain, run: "true" }
`);

    it('invokes confirmStep before running a confirm step, and only for those', async () => {
      const run = await drive(compileMachine(plan()));
      expect(run.calls).toEqual(['ask:wipe:before', 'confirm:wipe', 'run:wipe', 'ask:yes-no:before', 'confirm:yes-no', 'run:yes-no', 'ask:plain:before', 'run:plain']);
    });

    it('a refusal runs nothing and asks again', async () => {
      const run = await drive(compileMachine(plan()), {
        confirm: { wipe: [false] },
        ask: { 'wipe:before': [{ choice: 'run' }, { choice: 'skip', reason: 'not today' }] },
      });
      expect(run.calls.slice(0, 4)).toEqual(['ask:wipe:before', 'confirm:wipe', 'ask:wipe:before', 'ask:yes-no:before']);
      expect(run.steps.wipe).toEqual({ status: 'skipped', attempts: 0, reason: 'not today' });
      expect(run.ran).not.toContain('wipe');
    });
  });
});

describe('a resumed machine', () => {
  const record = (status: StepRecord['status']): StepRecord => ({ status, attempts: status === 'pending' ? 0 : 1 });

  it('does not walk the steps recorded as ended, and runs the rest', async () => {
    const plan = planOf(TWO_PHASES);
    const recorded = { import: record('done'), mount: record('skipped'), 'start-db': record('failed') };
    // A failed step (that does not go on after a failure) has not ended: it is walked again.
    expect(machineSteps(plan, recorded).map((s) => s.id)).toEqual(['start-db', 'start-web']);
    const run = await drive(compileMachine(plan, { recorded }));
    expect(run.ran).toEqual(['start-db', 'start-web']);
    expect(run.value).toBe(FINISHED);
    expect(run.context.tally).toEqual({ done: 2, skipped: 0, 'not-applicable': 0, failed: 0 });
  });

  it('recovers a step recorded as running, keeping its attempts; a failed one starts afresh', async () => {
    const plan = planOf(TWO_PHASES);
    const recorded = { import: record('done'), mount: { status: 'running', attempts: 2 } as StepRecord, 'start-db': { status: 'failed', attempts: 1, reason: 'exit 1' } as StepRecord };
    const provided = provideActors(compileMachine(plan, { recorded }), { recoverStep: fromPromise(async () => ({ ok: true })) });
    const run = await drive(provided);
    expect(run.ran).toEqual(['start-db', 'start-web']);
    expect(run.steps.mount).toEqual({ status: 'done', attempts: 2, via: 'recovered' });
    expect(run.steps['start-db']).toEqual({ status: 'done', attempts: 2 });
  });
});

describe('the machine does not grow with the plan', () => {
  const many = (n: number) => planOf(`name: m\nphases:\n  - id: p\n    steps:\n${Array.from({ length: n }, (_, i) => `      - { id: s${i}, run: "true" }\n`).join('')}`);

  it('a plan of 3 steps and one of 300 compile to machines of the same states', () => {
    const small = compileMachine(many(3));
    const large = compileMachine(many(300));
    const names = (m: AnyStateMachine) => [Object.keys(m.root.states), Object.keys((m.implementations.actors.stepLifecycle as AnyStateMachine).root.states)];
    expect(names(large)).toEqual(names(small));
    expect(JSON.stringify(compileConfig('m'))).toBe(JSON.stringify(compileConfig('m')));
  });

  it('the persisted snapshot is as small at the 300th step as at the 1st', async () => {
    const sizes: number[] = [];
    const actor = createActor(compileMachine(many(300), { actors: { runStep: fromPromise(async () => ({ ok: true })) }, unattended: true }));
    // Measured at every step's states (the run's state before BEGIN has no step yet).
    actor.subscribe((snapshot) => {
      if (snapshot.matches('steps')) sizes.push(JSON.stringify(actor.getPersistedSnapshot()).length);
    });
    actor.start();
    actor.send(BEGIN);
    await waitFor(actor, (s) => s.status !== 'active', { timeout: 5_000 });
    expect((actor.getSnapshot().context as RestoreContext).tally.done).toBe(300);
    // Positions and tallies gain digits; nothing else grows.
    expect(Math.max(...sizes)).toBeLessThan(sizes[0]! + 40);
  });
});

describe('the compiled config is plain data', () => {
  const RICH = `
name: rich
description: Everything at once
phases:
  - id: storage
    steps:
      - id: import
        run: zpool import tank
        precheck: [{ run: zpool list tank }]
        verify: [{ run: zpool status tank }]
        retries: 2
        confirm: { typed: tank }
      - { id: plug, manual: Plug it in., verify: [{ path: /dev/sda }] }
      - { id: maybe, run: "true", on_failure: continue }
      - { id: hold, wait: { until: [{ tcp: "nas:22" }], timeout: 1m } }
  - id: network
    needs: [storage]
    steps:
      - { id: link, run: ip link set eth0 up }
`;

  it('survives a JSON round trip unchanged', () => {
    const config = compileConfig(planOf(RICH).name);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    expect(config.context).toEqual(startContext());
  });

  it('references only named actors, guards and actions, every one of them', () => {
    const config = compileConfig();
    const actors = new Set<string>();
    const guards = new Set<string>();
    const actions = new Set<string>();
    const visit = (node: unknown, key?: string): void => {
      if (typeof node === 'function') throw new Error(`a function in the config at ${key}`);
      if (Array.isArray(node)) {
        for (const n of node) visit(n, key);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (typeof record.src === 'string') actors.add(record.src);
      const named = (value: unknown, into: Set<string>) => {
        for (const v of [value].flat()) {
          if (typeof v === 'string') into.add(v);
          else if (v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') into.add((v as { type: string }).type);
          else if (v !== undefined) throw new Error(`unnamed implementation ${JSON.stringify(v)}`);
        }
      };
      if ('guard' in record) named(record.guard, guards);
      for (const k of ['entry', 'exit', 'actions'] as const) if (k in record) named(record[k], actions);
      for (const [k, v] of Object.entries(record)) visit(v, k);
    };
    visit(config);
    visit(stepLifecycleConfig());
    expect([...actors].every((a) => (ACTOR_NAMES as readonly string[]).includes(a))).toBe(true);
    // Every actor is invoked by a config, except runItem: the spawnItems action spawns it by name (and the run spawns each step's machine).
    expect([...actors, 'runItem'].sort()).toEqual([...ACTOR_NAMES].sort());
    expect([...guards].sort()).toEqual([
      'allEnded',
      'applies',
      'asks',
      'canRetry',
      'choiceIs',
      'confirmed',
      'confirms',
      'continues',
      'fanOut',
      'halted',
      'hasPrecheck',
      'hasVerify',
      'hasWhen',
      'lastItem',
      'manual',
      'noItems',
      'passed',
      'recovers',
      'stopped',
      'succeeded',
      'tooManyFailed',
    ]);
    expect([...actions].sort()).toEqual([
      'endStep',
      'finish',
      'keepCaptures',
      'noteAbort',
      'noteExit',
      'noteFanFailure',
      'noteItem',
      'noteReason',
      'noteVia',
      'setStatus',
      'spawnItems',
      'startFan',
      'startSteps',
    ]);
    // And setup() names each of them: none is missing, none is left over (the run's own and each step's).
    const run = compileMachine(planOf(RICH)).implementations;
    const step = (run.actors.stepLifecycle as AnyStateMachine).implementations;
    expect(Object.keys(run.guards).sort()).toEqual(['allEnded', 'halted']);
    expect(Object.keys(run.actions).sort()).toEqual(['endStep', 'finish', 'keepCaptures', 'startSteps']);
    expect([...Object.keys(run.guards), ...Object.keys(step.guards)].sort()).toEqual([...guards].sort());
    expect([...new Set([...Object.keys(run.actions), ...Object.keys(step.actions)])].sort()).toEqual([...actions].sort());
  });

  it('the JSON form still executes', async () => {
    const plan = planOf(TWO_PHASES);
    const machine = machineFromConfig(JSON.parse(JSON.stringify(compileConfig(plan.name))) as object, stepTable(machineSteps(plan)));
    const run = await drive(machine);
    expect(run.ran).toEqual(['import', 'mount', 'start-db', 'start-web']);
    expect(run.value).toBe(FINISHED);
  });

  it('xstate createMachine accepts the machine of `lifeboat graph --format json`, which runs the order it prints', async () => {
    const result = await lifeboat(['graph', 'tests/fixtures/valid/homelab/runbook.yaml', '--steps', 'tests/fixtures/valid/homelab/steps', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { machine: config, order } = JSON.parse(result.stdout) as { machine: Record<string, unknown>; order: StepTraits[] };
    const machine = createMachine(config as Parameters<typeof createMachine>[0]);
    expect(machine.id).toBe('restore');
    expect(Object.keys(machine.root.states)).toEqual(['_ready', '_next', 'steps', FINISHED, ABORTED]);
    // The order is the plan's, each step with what chooses its way through the lifecycle.
    const shown = await lifeboat(['plan', 'tests/fixtures/valid/homelab/runbook.yaml', '--steps', 'tests/fixtures/valid/homelab/steps', '--json']);
    const view = JSON.parse(shown.stdout) as { phases: Array<{ steps: Array<{ id: string; selected: boolean; retries: number; precheck: unknown[] }> }> };
    const planned = view.phases.flatMap((p) => p.steps.filter((s) => s.selected));
    expect(order.map((s) => s.id)).toEqual(planned.map((s) => s.id));
    expect(order.map((s) => [s.retries, s.precheck])).toEqual(planned.map((s) => [s.retries, s.precheck.length > 0]));
    // And it runs, given the implementations and the order.
    const run = await drive(machineFromConfig(config, stepTable(order)));
    expect(run.value).toBe(FINISHED);
    expect(run.finished.map((f) => f.step)).toEqual(order.map((s) => s.id));
  });
});
