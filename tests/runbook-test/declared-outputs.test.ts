import { describe, expect, it } from 'vitest';
import { createDeclaredOutputs } from '../../src/adapters/declared-outputs.js';
import { createScriptedPrompter, unattendedPolicyFor } from '../../src/adapters/scripted-prompter.js';
import { createVirtualClock } from '../../src/adapters/system-clock.js';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { observedRun } from '../../src/core/runbook-test/observed-run.js';
import type { PretendAttempt } from '../../src/core/runbook-test/test-case.js';
import { executeRun } from '../../src/engine/execute-run.js';
import { oneStep } from '../helpers/engine-drive.js';

// The real engine over declared outputs: captures, conditions, checks and retries follow what a case declares.

const PLAN = oneStep(`      - id: info
        run: pvecm nodes
        capture:
          nodes: { regex: 'count (\\d+)' }
      - id: vote
        when:
          - value: "{{ steps.info.nodes }}"
            greater_than: 1
        run: pvecm expected 1
      - id: restore
        run: qmrestore {{ steps.info.nodes }}
        retries: 2
        precheck:
          - run: qm status 101
        verify:
          - run: qm status 101 | grep running
      - id: cable
        manual: Plug the backup disk in.
        unattended: skip
      - id: boot
        wait:
          until:
            - tcp: pve1:22
          timeout: 5m
`);

/** Runs `plan` unattended against declared outputs (per step, and per foreach item), observed as `lifeboat test` observes it. */
async function runPlan(plan: typeof PLAN, order: string[], declared: Record<string, PretendAttempt[]>, items: Record<string, Record<string, PretendAttempt[]>> = {}) {
  const events: RunEvent[] = [];
  const ports = createDeclaredOutputs(declared, items);
  const outcome = await executeRun(
    {
      runner: ports.runner,
      checks: ports.checks,
      prompter: createScriptedPrompter(unattendedPolicyFor(new Set())),
      sink: {
        emit(event) {
          ports.observe(event);
          events.push(event);
        },
      },
      clock: createVirtualClock(0),
    },
    { runId: 't', plan, secrets: new Map(), stepsDir: '/nonexistent', nodePath: process.execPath, unattended: true },
  );
  return observedRun(order, events, { status: outcome.status, message: outcome.message, stoppedAt: outcome.stoppedAt?.id });
}

const runWith = (declared: Record<string, PretendAttempt[]>) => runPlan(PLAN, ['info', 'vote', 'restore', 'cable', 'boot'], declared);

describe('declared outputs', () => {
  it('a step not named exits 0 with nothing: its capture cannot be read, so it fails', async () => {
    const run = await runWith({});
    expect(run.status).toBe('failed');
    expect(run.steps.info!.status).toBe('failed');
    expect(run.steps.vote!.status).toBe('not-reached');
  });

  it('what a step prints is captured and decides a later condition, both ways', async () => {
    const cluster = await runWith({ info: [{ stdout: 'count 2\n' }] });
    expect(cluster.status).toBe('done');
    expect(cluster.steps.info!.captured).toEqual({ nodes: '2' });
    expect(cluster.steps.vote!.status).toBe('done');
    expect(cluster.steps.restore!.commands).toEqual(['qmrestore 2']);
    const alone = await runWith({ info: [{ stdout: 'count 1\n' }] });
    expect(alone.steps.vote!.status).toBe('not-applicable');
  });

  it('a precheck declared to pass means done already: nothing runs', async () => {
    const run = await runWith({ info: [{ stdout: 'count 1' }], restore: [{ precheck: ['pass'] }] });
    expect(run.steps.restore).toMatchObject({ status: 'done', commands: [] });
  });

  it('attempts are read in order, the last repeating: a failure, a failed verification, then success', async () => {
    const run = await runWith({ info: [{ stdout: 'count 1' }], restore: [{ exit: 1 }, { verify: ['fail'] }, {}] });
    expect(run.status).toBe('done');
    expect(run.steps.restore!.commands).toHaveLength(3);
    const failing = await runWith({ info: [{ stdout: 'count 1' }], restore: [{ exit: 4 }] });
    expect(failing.status).toBe('failed');
    expect(failing.steps.restore).toMatchObject({ status: 'failed', commands: ['qmrestore 1', 'qmrestore 1', 'qmrestore 1'] });
  });

  it("a wait's checks are read one poll at a time: it waits, without taking any time, until the declared pass", async () => {
    const run = await runWith({ info: [{ stdout: 'count 1' }], boot: [{ wait: ['fail', 'fail', 'pass'] }] });
    expect(run.status).toBe('done');
    expect(run.steps.boot!.status).toBe('done');
    // Unattended, as with --yes: a manual step does what its `unattended:` says.
    expect(run.steps.cable!.status).toBe('skipped');
    const never = await runWith({ info: [{ stdout: 'count 1' }], boot: [{ wait: ['fail'] }] });
    expect(never.status).toBe('failed');
    expect(never.steps.boot!.status).toBe('failed');
  });
});

// A foreach step: each item pretends what its key declares, else what the step declares, even
// while several run at once.
const FAN = oneStep(`      - id: restore
        foreach: [101, 102, 200]
        concurrency: 2
        retries: 1
        run: qmrestore {{ item }}
        precheck:
          - run: qm status {{ item }}
        verify:
          - run: qm status {{ item }} | grep running
`);

const fanWith = (declared: Record<string, PretendAttempt[]>, items: Record<string, Record<string, PretendAttempt[]>>) => runPlan(FAN, ['restore'], declared, items);

describe('declared outputs of foreach items', () => {
  it('without items declared, every item pretends what its step does', async () => {
    const run = await fanWith({}, {});
    expect(run.status).toBe('done');
    expect(run.steps.restore!.items).toEqual({
      '101': { status: 'done', commands: ['qmrestore 101'] },
      '102': { status: 'done', commands: ['qmrestore 102'] },
      '200': { status: 'done', commands: ['qmrestore 200'] },
    });
  });

  it('an item declared to be done already runs nothing; one declared to fail fails alone, on every pass', async () => {
    const run = await fanWith({}, { restore: { '101': [{ precheck: ['pass'] }], '102': [{ exit: 1, stderr: 'storage offline\n' }] } });
    expect(run.status).toBe('failed');
    expect(run.steps.restore!.status).toBe('failed');
    expect(run.steps.restore!.items).toEqual({
      '101': { status: 'done', commands: [] },
      // retries: 1 is a second pass over the failed item only
      '102': { status: 'failed', commands: ['qmrestore 102', 'qmrestore 102'] },
      '200': { status: 'done', commands: ['qmrestore 200'] },
    });
  });

  it("an item's attempts are the step's passes: failed on the first, done on the retry; its checks read per item", async () => {
    const run = await fanWith({ restore: [{ verify: ['fail'] }] }, { restore: { '200': [{ exit: 1 }, { verify: ['pass'] }] } });
    // The step's verify fails every other item on every pass; item 200 passes its second.
    expect(run.steps.restore!.items!['200']).toEqual({ status: 'done', commands: ['qmrestore 200', 'qmrestore 200'] });
    expect(run.steps.restore!.items!['101']!.status).toBe('failed');
    const fixed = await fanWith({}, { restore: { '200': [{ exit: 1 }, {}] } });
    expect(fixed.status).toBe('done');
    expect(fixed.steps.restore!.items!['200']!.commands).toHaveLength(2);
  });
});
