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

async function runWith(declared: Record<string, PretendAttempt[]>) {
  const events: RunEvent[] = [];
  const ports = createDeclaredOutputs(declared);
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
    { runId: 't', plan: PLAN, secrets: new Map(), stepsDir: '/nonexistent', nodePath: process.execPath, unattended: true },
  );
  return observedRun(['info', 'vote', 'restore', 'cable', 'boot'], events, { status: outcome.status, message: outcome.message, stoppedAt: outcome.stoppedAt?.id });
}

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
