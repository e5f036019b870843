import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDryRunChecks } from '../../src/adapters/dry-run-checks.js';
import { createExecaRunner } from '../../src/adapters/execa-runner.js';
import { createLiveChecks } from '../../src/adapters/live-checks.js';
import { netProbe } from '../../src/adapters/net-probe.js';
import type { CommandRunner } from '../../src/ports/command-runner.js';
import { choicesOf, drive, finishedOf, of, oneStep, planOf } from '../helpers/engine-drive.js';

const TWO_STEPS = `      - id: first
        title: First step
        run: echo first
        verify:
          - run: test -f first
      - id: second
        title: Second step
        run: echo second
`;

// ---------------------------------------------------------------------------------------------

describe('every operator choice', () => {
  it('run: the command runs, then its verify checks, and the step is done', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      answers: [
        { menu: 'before', step: 'first', choice: 'run' },
        { menu: 'before', step: 'second', choice: 'run' },
      ],
    });
    expect(r.trace).toEqual(['ask:before:first', 'run:echo first', 'check:verify:test -f first', 'finished:first:done', 'ask:before:second', 'run:echo second', 'finished:second:done']);
    expect(choicesOf(r.events)).toEqual(['first:before:run', 'second:before:run']);
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 2, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } });
    expect(r.outcome.stoppedAt).toBeUndefined();
    expect(of(r.events, 'operator.choice').every((e) => e.by === 'operator')).toBe(true);
  });

  it('skip with a reason: nothing runs, the reason is recorded, and the run goes on', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      answers: [
        { menu: 'before', step: 'first', choice: 'skip', reason: 'done by hand yesterday' },
        { menu: 'before', step: 'second', choice: 'run' },
      ],
    });
    expect(r.trace).toEqual(['ask:before:first', 'finished:first:skipped', 'ask:before:second', 'run:echo second', 'finished:second:done']);
    expect(choicesOf(r.events)).toContain('first:before:skip:done by hand yesterday');
    expect(finishedOf(r.events, 'first')[0]).toMatchObject({ status: 'skipped', reason: 'done by hand yesterday', attempts: 0 });
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 1, skipped: 1, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('abort from the before-menu: nothing more runs; the run is aborted at that step', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      answers: [
        { menu: 'before', step: 'first', choice: 'run' },
        { menu: 'before', step: 'second', choice: 'abort', reason: 'stopped by the operator' },
      ],
    });
    expect(r.trace).toEqual(['ask:before:first', 'run:echo first', 'check:verify:test -f first', 'finished:first:done', 'ask:before:second']);
    expect(finishedOf(r.events, 'second')).toEqual([]);
    expect(r.outcome.status).toBe('aborted');
    expect(r.outcome.stoppedAt?.id).toBe('second');
    expect(r.outcome.message).toBe('stopped by the operator');
    expect(r.outcome.counts).toEqual({ done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 1 });
  });

  it('retry after a failure runs the command again; the second attempt passes', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ exitCode: 2, err: 'disk busy\n' }] },
      answers: [
        { menu: 'before', step: 'first', choice: 'run' },
        { menu: 'failure', step: 'first', choice: 'retry' },
      ],
    });
    expect(r.trace.slice(0, 6)).toEqual(['ask:before:first', 'run:echo first', 'ask:failure:first', 'run:echo first', 'check:verify:test -f first', 'finished:first:done']);
    expect(
      of(r.events, 'step.attempt')
        .filter((e) => e.step === 'first')
        .map((e) => e.attempt),
    ).toEqual([1, 2]);
    expect(finishedOf(r.events, 'first')[0]).toMatchObject({ status: 'done', attempts: 2, exitCode: 0 });
    // A step that ends done keeps no failure reason from an earlier attempt.
    expect(finishedOf(r.events, 'first')[0]!.reason).toBeUndefined();
    // The failure menu was told what failed, with the last output.
    // A one-line command is quoted in the summary; the fake runner says it took 5ms.
    expect(r.failures[0]!.failure).toEqual({ summary: '`echo first` exited 2 after 5ms', tail: ['disk busy'] });
    expect(r.outcome.status).toBe('done');
  });

  it('mark done with passing checks: the verify checks run and the step is done by the operator', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ exitCode: 1 }] },
      answers: [
        { menu: 'before', step: 'first', choice: 'run' },
        { menu: 'failure', step: 'first', choice: 'mark-done' },
      ],
    });
    expect(r.trace.slice(0, 5)).toEqual(['ask:before:first', 'run:echo first', 'ask:failure:first', 'check:verify:test -f first', 'finished:first:done:operator']);
    expect(finishedOf(r.events, 'first')[0]).toMatchObject({ status: 'done', via: 'operator', attempts: 1 });
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 2, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('mark done with failing checks is refused: the failure menu comes back', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ exitCode: 1 }] },
      checks: { 'verify:test -f first': [{ ok: false, reason: 'exited 1', output: 'no such file' }] },
      answers: [
        { menu: 'before', step: 'first', choice: 'run' },
        { menu: 'failure', step: 'first', choice: 'mark-done' },
        { menu: 'failure', step: 'first', choice: 'skip', reason: 'will fix later' },
      ],
    });
    expect(r.trace).toEqual([
      'ask:before:first',
      'run:echo first',
      'ask:failure:first',
      'check:verify:test -f first',
      'ask:failure:first',
      'finished:first:skipped',
      'ask:before:second',
      'run:echo second',
      'finished:second:done',
    ]);
    // The second failure menu says why marking done was refused.
    expect(r.failures[1]!.failure).toEqual({ summary: 'check failed: test -f first: exited 1', tail: ['no such file'] });
    expect(of(r.events, 'check.failed')).toHaveLength(1);
  });

  it('mark done on a step without verify checks needs no check', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo second': [{ exitCode: 1 }] },
      answers: [{ menu: 'failure', step: 'second', choice: 'mark-done' }],
    });
    expect(r.trace.slice(-3)).toEqual(['run:echo second', 'ask:failure:second', 'finished:second:done:operator']);
    expect(r.outcome.status).toBe('done');
  });

  it('skip after a failure records the reason and goes on', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ exitCode: 1 }] },
      answers: [{ menu: 'failure', step: 'first', choice: 'skip', reason: 'pool imported by hand' }],
    });
    expect(r.trace).toEqual(['ask:before:first', 'run:echo first', 'ask:failure:first', 'finished:first:skipped', 'ask:before:second', 'run:echo second', 'finished:second:done']);
    expect(finishedOf(r.events, 'first')[0]).toMatchObject({ status: 'skipped', reason: 'pool imported by hand', attempts: 1, exitCode: 1 });
    expect(choicesOf(r.events)).toContain('first:failure:skip:pool imported by hand');
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 1, skipped: 1, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('abort after a failure stops the run at the failed step (aborted by a person)', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ exitCode: 4 }] },
      answers: [{ menu: 'failure', step: 'first', choice: 'abort', reason: 'stopped by the operator' }],
    });
    expect(r.trace).toEqual(['ask:before:first', 'run:echo first', 'ask:failure:first']);
    expect(r.outcome).toMatchObject({ status: 'aborted', message: 'stopped by the operator', counts: { done: 0, skipped: 0, 'not-applicable': 0, failed: 1, pending: 1 } });
    expect(r.outcome.stoppedAt?.id).toBe('first');
  });

  it('abort after a failure, when nobody is there (--yes), is a failed run', async () => {
    const r = await drive({ plan: oneStep(TWO_STEPS), run: { 'echo first': [{ exitCode: 4 }] }, by: 'unattended' });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.stoppedAt?.id).toBe('first');
    expect(r.outcome.message).toBe('`echo first` exited 4 after 5ms');
    expect(choicesOf(r.events)).toEqual(['first:before:run', 'first:failure:abort:`echo first` exited 4 after 5ms']);
    expect(of(r.events, 'operator.choice').every((e) => e.by === 'unattended')).toBe(true);
  });

  describe('confirmation', () => {
    const DANGER = `      - id: wipe
        title: Wipe the scratch disk
        run: wipefs -a /dev/null
        confirm: true
`;
    it('confirm: true, accepted: asked after Run, then the command runs', async () => {
      const r = await drive({
        plan: oneStep(DANGER),
        answers: [
          { menu: 'before', choice: 'run' },
          { menu: 'confirm', confirmed: true },
        ],
      });
      expect(r.trace).toEqual(['ask:before:wipe', 'confirm:wipe', 'run:wipefs -a /dev/null', 'finished:wipe:done']);
      expect(r.confirms).toEqual([{ step: 'wipe', word: undefined }]);
      expect(choicesOf(r.events)).toEqual(['wipe:before:run', 'wipe:confirm:confirmed']);
    });

    it('confirm: true, declined: nothing runs and the step menu comes back', async () => {
      const r = await drive({
        plan: oneStep(DANGER),
        answers: [
          { menu: 'before', choice: 'run' },
          { menu: 'confirm', confirmed: false },
          { menu: 'before', choice: 'skip', reason: 'not today' },
        ],
      });
      expect(r.trace).toEqual(['ask:before:wipe', 'confirm:wipe', 'ask:before:wipe', 'finished:wipe:skipped']);
      expect(r.specs).toEqual([]);
      expect(choicesOf(r.events)).toEqual(['wipe:before:run', 'wipe:confirm:declined', 'wipe:before:skip:not today']);
    });

    it('typed confirmation asks for the step id (confirm: typed), accepted', async () => {
      const r = await drive({
        plan: oneStep(DANGER.replace('confirm: true', 'confirm: typed')),
        answers: [
          { menu: 'before', choice: 'run' },
          { menu: 'confirm', confirmed: true },
        ],
      });
      expect(r.confirms).toEqual([{ step: 'wipe', word: 'wipe' }]);
      expect(r.trace).toContain('run:wipefs -a /dev/null');
    });

    it('typed confirmation of an interpolated word, declined then aborted', async () => {
      const plan = oneStep(
        `      - id: force
        run: zpool import -f {{ vars.pool }}
        confirm:
          typed: "{{ vars.pool }}"
          message: This takes the pool over.
`,
        'vars:\n  pool: tank\n',
      );
      const r = await drive({
        plan,
        answers: [
          { menu: 'before', choice: 'run' },
          { menu: 'confirm', confirmed: false },
          { menu: 'before', choice: 'abort', reason: 'stopped by the operator' },
        ],
      });
      expect(r.confirms).toEqual([{ step: 'force', word: 'tank' }]);
      expect(r.specs).toEqual([]);
      expect(r.outcome).toMatchObject({ status: 'aborted' });
      expect(r.outcome.stoppedAt?.id).toBe('force');
    });

    it('a precheck that passes skips the step without asking for confirmation', async () => {
      const r = await drive({ plan: oneStep(`${DANGER}        precheck:\n          - path: /\n`) });
      expect(r.trace).toEqual(['check:precheck:exists /', 'finished:wipe:done:precheck']);
    });
  });
});

describe('every step status', () => {
  it('pending → precheck → awaiting → running → verifying → done', async () => {
    const r = await drive({
      plan: oneStep(`      - id: import
        run: zpool import tank
        precheck:
          - run: zpool list tank
        verify:
          - run: zpool status tank
`),
      checks: { 'precheck:zpool list tank': [{ ok: false, reason: 'exited 1' }] },
    });
    expect(r.trace).toEqual(['check:precheck:zpool list tank', 'ask:before:import', 'run:zpool import tank', 'check:verify:zpool status tank', 'finished:import:done']);
    expect(of(r.events, 'check.failed')[0]).toMatchObject({ set: 'precheck', check: 'zpool list tank' });
    expect(of(r.events, 'check.passed')[0]).toMatchObject({ set: 'verify', check: 'zpool status tank' });
    expect(finishedOf(r.events, 'import')[0]).toMatchObject({ status: 'done', attempts: 1, exitCode: 0, position: '1.1' });
  });

  it('done via precheck: neither asked nor run', async () => {
    const r = await drive({
      plan: oneStep(`      - id: import
        run: zpool import tank
        precheck:
          - run: zpool list tank
          - path: /
        verify:
          - run: zpool status tank
`),
    });
    expect(r.trace).toEqual(['check:precheck:zpool list tank', 'check:precheck:exists /', 'finished:import:done:precheck']);
    expect(finishedOf(r.events, 'import')[0]).toMatchObject({ status: 'done', via: 'precheck', attempts: 0 });
    expect(of(r.events, 'step.attempt')).toEqual([]);
    expect(of(r.events, 'operator.choice')).toEqual([]);
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('a precheck that throws is "not done yet": the step is offered as usual', async () => {
    const r = await drive({
      plan: oneStep(`      - id: import
        run: zpool import tank
        precheck:
          - run: zpool list tank
`),
      checks: { 'precheck:zpool list tank': [{ throws: 'probe crashed' }] },
    });
    expect(r.trace).toEqual(['check:precheck:zpool list tank', 'ask:before:import', 'run:zpool import tank', 'finished:import:done']);
  });

  it('skipped', async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      answers: [
        { menu: 'before', choice: 'skip', reason: 'r1' },
        { menu: 'before', choice: 'skip', reason: 'r2' },
      ],
    });
    expect(of(r.events, 'step.finished').map((e) => [e.step, e.status, e.reason])).toEqual([
      ['first', 'skipped', 'r1'],
      ['second', 'skipped', 'r2'],
    ]);
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 0, skipped: 2, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('failed with on_failure: continue: no menu, the failure is recorded, the run goes on', async () => {
    const r = await drive({
      plan: oneStep(`      - id: scrub
        run: zpool scrub tank
        on_failure: continue
        verify:
          - run: zpool status -x
${TWO_STEPS.split('\n').slice(5).join('\n')}`),
      run: { 'zpool scrub tank': [{ exitCode: 3, out: 'scrub in progress\n' }] },
    });
    expect(r.trace).toEqual(['ask:before:scrub', 'run:zpool scrub tank', 'finished:scrub:failed', 'ask:before:second', 'run:echo second', 'finished:second:done']);
    expect(finishedOf(r.events, 'scrub')[0]).toMatchObject({ status: 'failed', exitCode: 3, attempts: 1, reason: 'exited 3 after 5ms' });
    expect(r.failures).toEqual([]);
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 1, pending: 0 } });
    expect(r.outcome.stoppedAt).toBeUndefined();
  });

  it('failed verify with on_failure: continue records the failing check as the reason', async () => {
    const r = await drive({
      plan: oneStep(`      - id: scrub
        run: zpool scrub tank
        on_failure: continue
        verify:
          - run: zpool status -x
`),
      checks: { 'verify:zpool status -x': [{ ok: false, reason: 'exited 1' }] },
    });
    expect(finishedOf(r.events, 'scrub')[0]).toMatchObject({ status: 'failed', exitCode: 0, reason: 'check failed: zpool status -x' });
  });

  it('backoff then done: retries wait retry_delay between attempts and ask nobody', async () => {
    const r = await drive({
      plan: oneStep(`      - id: mount
        run: mount -a
        retries: 2
        retry_delay: 3s
        verify:
          - path: /mnt/media
`),
      run: { 'mount -a': [{ exitCode: 32 }] },
      checks: { 'verify:exists /mnt/media': [{ ok: false, reason: 'does not exist' }] },
    });
    expect(r.trace).toEqual([
      'ask:before:mount',
      'run:mount -a',
      'sleep:3000',
      'run:mount -a',
      'check:verify:exists /mnt/media',
      'sleep:3000',
      'run:mount -a',
      'check:verify:exists /mnt/media',
      'finished:mount:done',
    ]);
    expect(of(r.events, 'step.attempt').map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(finishedOf(r.events, 'mount')[0]).toMatchObject({ status: 'done', attempts: 3 });
    expect(finishedOf(r.events, 'mount')[0]!.reason).toBeUndefined();
    expect(r.failures).toEqual([]);
  });

  it('retries used up: the failure menu comes after retries + 1 attempts', async () => {
    const r = await drive({
      plan: oneStep(`      - id: mount
        run: mount -a
        retries: 1
        retry_delay: 500ms
`),
      run: { 'mount -a': [{ exitCode: 32 }, { exitCode: 32 }] },
      by: 'unattended',
    });
    expect(r.trace).toEqual(['ask:before:mount', 'run:mount -a', 'sleep:500', 'run:mount -a', 'ask:failure:mount']);
    expect(r.outcome).toMatchObject({ status: 'failed', counts: { done: 0, skipped: 0, 'not-applicable': 0, failed: 1, pending: 0 } });
  });

  it('a command that cannot start (runner error) fails with that error', async () => {
    const r = await drive({ plan: oneStep(TWO_STEPS), run: { 'echo first': [{ exitCode: undefined, error: 'spawn bash ENOENT' }] }, by: 'unattended' });
    expect(r.failures[0]!.failure.summary).toBe('spawn bash ENOENT');
    expect(r.outcome).toMatchObject({ status: 'failed', message: 'spawn bash ENOENT' });
  });

  it('a runner that throws fails the step (the failure menu is offered)', async () => {
    const r = await drive({ plan: oneStep(TWO_STEPS), run: { 'echo first': [{ throws: 'ssh: Could not resolve hostname nas' }] }, by: 'unattended' });
    expect(r.trace.slice(0, 3)).toEqual(['ask:before:first', 'run:echo first', 'ask:failure:first']);
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.stoppedAt?.id).toBe('first');
  });

  it('a runner that throws: the failure menu, the exit event and the outcome say why', async () => {
    const r = await drive({ plan: oneStep(TWO_STEPS), run: { 'echo first': [{ throws: 'ssh: Could not resolve hostname nas' }] }, by: 'unattended' });
    expect(r.failures).toEqual([{ step: 'first', failure: { summary: 'ssh: Could not resolve hostname nas', tail: [] } }]);
    expect(of(r.events, 'step.exited')).toEqual([
      { kind: 'step.exited', step: 'first', attempt: 1, exitCode: undefined, signal: undefined, timedOut: false, durationMs: 0, error: 'ssh: Could not resolve hostname nas' },
    ]);
    expect(r.outcome).toMatchObject({ status: 'failed', message: 'ssh: Could not resolve hostname nas' });
    expect(r.outcome.stoppedAt?.id).toBe('first');
  });

  it('a multi-line command is summed up by its line count, a one-line one is quoted; durations as people read them', async () => {
    const r = await drive({
      plan: oneStep(`      - id: resilver
        run: |
          echo "looking for the new disk"
          echo "disk /dev/sdz is missing" >&2
          exit 4
`),
      run: {
        'echo "looking for the new disk"\necho "disk /dev/sdz is missing" >&2\nexit 4\n': [{ exitCode: 4, durationMs: 36.6, out: 'looking for the new disk\n', err: 'disk /dev/sdz is missing\n' }],
      },
      by: 'unattended',
    });
    expect(r.specs).toHaveLength(1);
    // Three lines (the YAML block's trailing newline makes no fourth); the event's duration is a whole number of ms.
    expect(r.failures[0]!.failure).toEqual({ summary: 'its 3-line command exited 4 after 37ms', tail: ['looking for the new disk', 'disk /dev/sdz is missing'] });
    expect(of(r.events, 'step.exited')[0]).toMatchObject({ exitCode: 4, durationMs: 37 });
    expect(r.outcome.message).toBe('its 3-line command exited 4 after 37ms');

    const slow = await drive({ plan: oneStep(TWO_STEPS), run: { 'echo first': [{ exitCode: 2, durationMs: 7_140.2 }] }, by: 'unattended' });
    expect(slow.failures[0]!.failure.summary).toBe('`echo first` exited 2 after 7.1s');
    expect(of(slow.events, 'step.exited')[0]).toMatchObject({ exitCode: 2, durationMs: 7140 });
  });

  it("a verify check that printed nothing is explained by the last output of the step's own command", async () => {
    const r = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ out: 'creating first\nfirst: permission denied\n' }] },
      checks: { 'verify:test -f first': [{ ok: false, reason: 'exited 1' }] },
      by: 'unattended',
    });
    expect(r.failures[0]!.failure).toEqual({ summary: 'check failed: test -f first: exited 1', tail: ['creating first', 'first: permission denied'] });
    // A check that printed something is explained by what it printed.
    const own = await drive({
      plan: oneStep(TWO_STEPS),
      run: { 'echo first': [{ out: 'creating first\n' }] },
      checks: { 'verify:test -f first': [{ ok: false, reason: 'exited 1', output: 'test: first: not found' }] },
      by: 'unattended',
    });
    expect(own.failures[0]!.failure).toEqual({ summary: 'check failed: test -f first: exited 1', tail: ['test: first: not found'] });
  });

  it('a timed-out command fails, saying its process group was killed', async () => {
    const r = await drive({
      plan: oneStep(`      - id: slow\n        run: sleep 300\n        timeout: 2s\n`),
      run: { 'sleep 300': [{ exitCode: undefined, signal: 'SIGTERM', timedOut: true }] },
      by: 'unattended',
    });
    expect(r.specs[0]!.timeoutMs).toBe(2000);
    expect(r.failures[0]!.failure.summary).toBe('timed out after 2.0s; its process group was killed');
    expect(r.outcome.message).toBe('timed out after 2.0s; its process group was killed');
    expect(of(r.events, 'step.exited')[0]).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
  });
});

describe('a rehearsal (dry-run checks, without --probe)', () => {
  it('checks that were not run are reported as assumed: prechecks as not done yet, verify and wait checks as passed', async () => {
    const r = await drive({
      plan: oneStep(`      - id: import
        run: zpool import tank
        precheck:
          - run: zpool list tank
        verify:
          - run: zpool status tank
      - id: boot
        wait:
          until:
            - tcp: 127.0.0.1:9
          timeout: 10s
`),
      checkRunner: createDryRunChecks(undefined),
    });
    expect(r.outcome.status).toBe('done');
    expect(of(r.events, 'check.failed')).toEqual([
      { kind: 'check.failed', step: 'import', set: 'precheck', check: 'zpool list tank', durationMs: 0, reason: 'not checked in a dry run', output: undefined, assumed: true },
    ]);
    expect(of(r.events, 'check.passed')).toEqual([
      { kind: 'check.passed', step: 'import', set: 'verify', check: 'zpool status tank', durationMs: 0, assumed: true },
      { kind: 'check.passed', step: 'boot', set: 'wait', check: 'tcp 127.0.0.1:9', durationMs: 0, assumed: true },
    ]);
    // An assumed pass does not wait.
    expect(r.clock.slept).toEqual([]);
  });
});

describe('manual steps', () => {
  const MANUAL = `      - id: power
        title: Power on the switch
        manual: Press the switch's power button.
        verify:
          - tcp: 127.0.0.1:9
`;
  it('Done runs the checks (nothing is executed)', async () => {
    // A person answers Done (the `run` choice of a manual step).
    const r = await drive({ plan: oneStep(MANUAL), answers: [{ menu: 'before', choice: 'run' }] });
    expect(r.trace).toEqual(['ask:before:power', 'check:verify:tcp 127.0.0.1:9', 'finished:power:done']);
    expect(r.specs).toEqual([]);
    expect(of(r.events, 'step.attempt')).toEqual([]);
    expect(finishedOf(r.events, 'power')[0]).toMatchObject({ status: 'done', attempts: 0 });
  });

  it('failing checks bring the failure menu; Retry goes back to the instructions', async () => {
    const r = await drive({
      plan: oneStep(MANUAL),
      checks: { 'verify:tcp 127.0.0.1:9': [{ ok: false, reason: 'ECONNREFUSED' }] },
      answers: [
        { menu: 'before', choice: 'run' },
        { menu: 'failure', choice: 'retry' },
        { menu: 'before', choice: 'run' },
      ],
    });
    expect(r.trace).toEqual(['ask:before:power', 'check:verify:tcp 127.0.0.1:9', 'ask:failure:power', 'ask:before:power', 'check:verify:tcp 127.0.0.1:9', 'finished:power:done']);
    expect(r.failures[0]!.failure.summary).toBe('check failed: tcp 127.0.0.1:9: ECONNREFUSED');
  });

  it('without checks, Done is done', async () => {
    const r = await drive({ plan: oneStep(`      - id: label\n        manual: Label the cables.\n`), answers: [{ menu: 'before', choice: 'run' }] });
    expect(r.trace).toEqual(['ask:before:label', 'finished:label:done']);
  });

  it('unattended: stop (the default) aborts the run at the manual step', async () => {
    const r = await drive({ plan: oneStep(`      - id: label\n        manual: Label the cables.\n`), by: 'unattended' });
    expect(r.outcome.status).toBe('aborted');
    expect(r.outcome.stoppedAt?.id).toBe('label');
    expect(r.outcome.message).toMatch(/manual step 1\.1 needs a person/);
  });

  it('unattended: verify lets the checks decide', async () => {
    const r = await drive({ plan: oneStep(`${MANUAL}        unattended: verify\n`), by: 'unattended' });
    expect(r.trace).toEqual(['ask:before:power', 'check:verify:tcp 127.0.0.1:9', 'finished:power:done']);
    const failing = await drive({ plan: oneStep(`${MANUAL}        unattended: verify\n`), by: 'unattended', checks: { 'verify:tcp 127.0.0.1:9': [{ ok: false, reason: 'ECONNREFUSED' }] } });
    expect(failing.outcome.status).toBe('failed');
  });

  it('unattended: skip passes over it', async () => {
    const r = await drive({ plan: oneStep(`${MANUAL}        unattended: skip\n`), by: 'unattended' });
    expect(r.trace).toEqual(['ask:before:power', 'finished:power:skipped']);
    expect(r.outcome.status).toBe('done');
  });
});

describe('wait steps', () => {
  const WAIT = `      - id: boot
        title: Wait for the NAS
        wait:
          until:
            - tcp: 127.0.0.1:9
            - path: /
          timeout: 5m
          interval: 5s
`;
  it('passes after N polls, backing off gently between them', async () => {
    const r = await drive({
      plan: oneStep(WAIT),
      checks: {
        'wait:tcp 127.0.0.1:9': [
          { ok: false, reason: 'ECONNREFUSED' },
          { ok: false, reason: 'ECONNREFUSED' },
          { ok: false, reason: 'ECONNREFUSED' },
        ],
      },
    });
    expect(r.trace).toEqual([
      'ask:before:boot',
      'check:wait:tcp 127.0.0.1:9',
      'sleep:5000',
      'check:wait:tcp 127.0.0.1:9',
      'sleep:7500',
      'check:wait:tcp 127.0.0.1:9',
      'sleep:11250',
      'check:wait:tcp 127.0.0.1:9',
      'check:wait:exists /',
      'finished:boot:done',
    ]);
    expect(of(r.events, 'step.attempt')[0]).toMatchObject({ command: 'wait up to 300s', attempt: 1 });
    // The polls that fail are not reported: only the outcome is.
    expect(of(r.events, 'check.failed')).toEqual([]);
    // Each check is reported passed once, when all pass at once, with its own duration.
    expect(of(r.events, 'check.passed')).toEqual([
      { kind: 'check.passed', step: 'boot', set: 'wait', check: 'tcp 127.0.0.1:9', durationMs: 1 },
      { kind: 'check.passed', step: 'boot', set: 'wait', check: 'exists /', durationMs: 1 },
    ]);
    expect(finishedOf(r.events, 'boot')[0]).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('times out: the step fails, naming the check that still fails', async () => {
    const always = Array.from({ length: 50 }, () => ({ ok: false, reason: 'ECONNREFUSED', output: 'connection refused' }));
    const r = await drive({ plan: oneStep(WAIT.replace('timeout: 5m', 'timeout: 20s')), checks: { 'wait:tcp 127.0.0.1:9': always }, by: 'unattended' });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.failure).toEqual({ summary: 'still failing after 20.0s: tcp 127.0.0.1:9', tail: ['connection refused'] });
    expect(r.outcome).toMatchObject({ status: 'failed', message: 'still failing after 20.0s: tcp 127.0.0.1:9' });
    expect(of(r.events, 'check.passed')).toEqual([]);
    // One check.failed, for the check that still fails at the deadline, with what it said then.
    expect(of(r.events, 'check.failed')).toEqual([{ kind: 'check.failed', step: 'boot', set: 'wait', check: 'tcp 127.0.0.1:9', durationMs: 1, reason: 'ECONNREFUSED', output: 'connection refused' }]);
  });

  it('names the check that fails at the deadline when an earlier one passes by then', async () => {
    const r = await drive({
      plan: oneStep(WAIT.replace('timeout: 5m', 'timeout: 20s')),
      checks: {
        'wait:tcp 127.0.0.1:9': [
          { ok: false, reason: 'ECONNREFUSED' },
          { ok: false, reason: 'ECONNREFUSED' },
        ],
        'wait:exists /': Array.from({ length: 10 }, () => ({ ok: false, reason: 'does not exist' })),
      },
      by: 'unattended',
    });
    expect(r.outcome).toMatchObject({ status: 'failed', message: 'still failing after 20.0s: exists /' });
    expect(of(r.events, 'check.failed').map((e) => [e.check, e.reason])).toEqual([['exists /', 'does not exist']]);
    expect(of(r.events, 'check.passed')).toEqual([]);
  });

  it('a wait keeps polling until its whole timeout has passed, the last poll on the deadline', async () => {
    const always = Array.from({ length: 50 }, () => ({ ok: false, reason: 'ECONNREFUSED' }));
    const r = await drive({ plan: oneStep(WAIT.replace('timeout: 5m', 'timeout: 20s')), checks: { 'wait:tcp 127.0.0.1:9': always }, by: 'unattended' });
    // Polls at 0, 5s, 12.5s and 20s: the last sleep is cut to the time left.
    expect(r.clock.slept).toEqual([5000, 7500, 7500]);
    expect(r.clock.time - r.clock.start).toBe(20_000);
    expect(r.trace.filter((t) => t.startsWith('check:'))).toEqual(Array.from({ length: 4 }, () => 'check:wait:tcp 127.0.0.1:9'));
    expect(r.outcome).toMatchObject({ status: 'failed', message: 'still failing after 20.0s: tcp 127.0.0.1:9' });

    // A short timeout, shorter than the interval: a poll at once, then one at the deadline.
    const short = await drive({ plan: oneStep(WAIT.replace('timeout: 5m', 'timeout: 2s')), checks: { 'wait:tcp 127.0.0.1:9': [...always] }, by: 'unattended' });
    expect(short.clock.slept).toEqual([2000]);
    expect(short.outcome.message).toBe('still failing after 2.0s: tcp 127.0.0.1:9');
  });

  it('checks that pass on the poll at the deadline: the step is done', async () => {
    const r = await drive({
      plan: oneStep(WAIT.replace('timeout: 5m', 'timeout: 20s')),
      checks: { 'wait:tcp 127.0.0.1:9': Array.from({ length: 3 }, () => ({ ok: false, reason: 'ECONNREFUSED' })) },
      by: 'unattended',
    });
    expect(r.clock.time - r.clock.start).toBe(20_000);
    expect(r.outcome.status).toBe('done');
    expect(of(r.events, 'check.failed')).toEqual([]);
    expect(of(r.events, 'check.passed').map((e) => e.check)).toEqual(['tcp 127.0.0.1:9', 'exists /']);
  });

  it('checks that pass on the first poll are reported passed once', async () => {
    const r = await drive({ plan: oneStep(`      - id: boot\n        wait:\n          until:\n            - path: /\n          timeout: 2s\n`) });
    expect(of(r.events, 'check.passed')).toEqual([{ kind: 'check.passed', step: 'boot', set: 'wait', check: 'exists /', durationMs: 1 }]);
    expect(r.clock.slept).toEqual([]);
    expect(r.outcome.status).toBe('done');
  });

  it('the interval grows by half each poll and stops growing at 30s', async () => {
    const fails = Array.from({ length: 12 }, () => ({ ok: false, reason: 'ECONNREFUSED' }));
    const r = await drive({ plan: oneStep(WAIT.replace('timeout: 5m', 'timeout: 1h')), checks: { 'wait:tcp 127.0.0.1:9': fails } });
    expect(r.clock.slept.slice(0, 6)).toEqual([5000, 7500, 11250, 16875, 25312.5, 30000]);
    expect(Math.max(...r.clock.slept)).toBe(30000);
    expect(r.outcome.status).toBe('done');
  });
});

describe('script steps, with real bash and node', () => {
  let stepsDir: string;
  beforeAll(() => {
    stepsDir = mkdtempSync(join(tmpdir(), 'lifeboat-engine-steps-'));
    mkdirSync(join(stepsDir, 'demo'));
    writeFileSync(
      join(stepsDir, 'demo/args.mjs'),
      "console.log(JSON.stringify(process.argv.slice(2)));\nconsole.log('host=' + (process.env.LIFEBOAT_HOST ?? '-') + ' mode=' + (process.env.MODE ?? '-'));\nconsole.error('to stderr');\n",
    );
    writeFileSync(join(stepsDir, 'demo/fail.mjs'), "console.log('checking the pool');\nconsole.error('pool tank is FAULTED');\nprocess.exit(5);\n");
  });
  afterAll(() => rmSync(stepsDir, { recursive: true, force: true }));

  const live = () => {
    const runner = createExecaRunner();
    return { runner, checkRunner: createLiveChecks(runner, netProbe, new Map()) };
  };

  it('runs the script with node, each arg one argument after interpolation, env passed', async () => {
    const plan = planOf(
      `name: scripts
vars:
  pool: my tank
phases:
  - id: p
    steps:
      - id: args
        script: demo/args.mjs
        args: [--pool, "{{ vars.pool }}", "it's; $(rm -rf /)", 3]
        env:
          MODE: rehearsal
`,
      ['demo/args.mjs'],
    );
    const r = await drive({ plan, stepsDir, ...live() });
    expect(r.outcome.status).toBe('done');
    const out = of(r.events, 'step.output');
    expect(
      out
        .filter((e) => e.stream === 'stdout')
        .map((e) => e.text)
        .join(''),
    ).toBe(`${JSON.stringify(['--pool', 'my tank', "it's; $(rm -rf /)", '3'])}\nhost=- mode=rehearsal\n`);
    expect(
      out
        .filter((e) => e.stream === 'stderr')
        .map((e) => e.text)
        .join(''),
    ).toBe('to stderr\n');
    expect(of(r.events, 'step.attempt')[0]!.command).toBe("zx demo/args.mjs --pool my tank it's; $(rm -rf /) 3");
    expect(of(r.events, 'step.exited')[0]).toMatchObject({ exitCode: 0, timedOut: false });
  });

  it('a failing script fails the step with its exit code and last output', async () => {
    const plan = planOf(`name: scripts\nphases:\n  - id: p\n    steps:\n      - id: fail\n        script: demo/fail.mjs\n`, ['demo/fail.mjs']);
    const r = await drive({ plan, stepsDir, by: 'unattended', ...live() });
    expect(r.outcome.status).toBe('failed');
    expect(of(r.events, 'step.exited')[0]).toMatchObject({ exitCode: 5 });
    expect(r.failures[0]!.failure.tail).toEqual(expect.arrayContaining(['checking the pool', 'pool tank is FAULTED']));
    expect(r.failures[0]!.failure.summary).toMatch(/exited 5 after/);
  });
});

describe('events, in order, for each step (real bash)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-engine-order-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('step.started < step.attempt < step.spawned < step.output < step.exited < check.* < step.finished', async () => {
    const runner = createExecaRunner();
    const plan = oneStep(`      - id: make
        run: echo made > ${dir}/made; echo "line one"; echo "line two" >&2
        precheck:
          - path: ${dir}/made
        verify:
          - path: ${dir}/made
          - run: test -s ${dir}/made
      - id: next
        run: cat ${dir}/made
`);
    const r = await drive({ plan, runner, checkRunner: createLiveChecks(runner, netProbe, new Map()) });
    expect(r.outcome).toMatchObject({ status: 'done', counts: { done: 2, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } });
    for (const step of ['make', 'next']) {
      const kinds = r.events.filter((e) => 'step' in e && e.step === step).map((e) => (e.kind === 'check.passed' || e.kind === 'check.failed' ? `${e.kind}:${e.set}` : e.kind));
      const squeezed = kinds.filter((k, i) => k !== kinds[i - 1]);
      expect(squeezed).toEqual(
        step === 'make'
          ? ['step.started', 'check.failed:precheck', 'operator.choice', 'step.attempt', 'step.spawned', 'step.output', 'step.exited', 'check.passed:verify', 'step.finished']
          : ['step.started', 'operator.choice', 'step.attempt', 'step.spawned', 'step.output', 'step.exited', 'step.finished'],
      );
    }
    // Each step finishes before the next one starts.
    const starts = r.events.map((e, i) => (e.kind === 'step.started' ? i : -1)).filter((i) => i >= 0);
    const ends = r.events.map((e, i) => (e.kind === 'step.finished' ? i : -1)).filter((i) => i >= 0);
    expect(ends[0]!).toBeLessThan(starts[1]!);
    // Output comes in whole lines, from the right stream; the spawned pid is the process group.
    const out = of(r.events, 'step.output').filter((e) => e.step === 'make');
    expect(out.map((e) => [e.stream, e.text]).sort()).toEqual([
      ['stderr', 'line two\n'],
      ['stdout', 'line one\n'],
    ]);
    const spawned = of(r.events, 'step.spawned')[0]!;
    expect(spawned.pgid).toBe(spawned.pid);
    expect(spawned.pid).toBeGreaterThan(1);
    expect(
      of(r.events, 'step.output')
        .filter((e) => e.step === 'next')
        .map((e) => e.text),
    ).toEqual(['made\n']);
  });

  it('an output line cut across chunks arrives whole (so masking sees it whole)', async () => {
    const runner = createExecaRunner();
    const plan = oneStep(`      - id: slow-print\n        run: printf 'abc'; sleep 0.2; printf 'def\\nghi'\n`);
    const r = await drive({ plan, runner });
    expect(of(r.events, 'step.output').map((e) => e.text)).toEqual(['abcdef\n', 'ghi\n']);
  });
});

describe('the RunOutcome', () => {
  const FOUR = `name: outcome
phases:
  - id: one
    title: One
    steps:
      - id: a
        run: echo a
      - id: b
        run: echo b
  - id: two
    title: Two
    needs: [one]
    steps:
      - id: c
        run: echo c
      - id: d
        run: echo d
`;
  it('done: every step counted, nothing stopped', async () => {
    const r = await drive({ plan: planOf(FOUR) });
    expect(r.outcome).toEqual({ status: 'done', counts: { done: 4, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('failed at the third step: one done... the failed step and the one after it', async () => {
    const r = await drive({ plan: planOf(FOUR), run: { 'echo c': [{ exitCode: 1 }] }, answers: [{ menu: 'before', step: 'a', choice: 'skip', reason: 'x' }], by: 'unattended' });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.stoppedAt?.id).toBe('c');
    expect(r.outcome.stoppedAt?.position).toBe('2.1');
    expect(r.outcome.counts).toEqual({ done: 1, skipped: 1, 'not-applicable': 0, failed: 1, pending: 1 });
  });

  it('the prompt context says where the run is', async () => {
    const r = await drive({ plan: planOf(FOUR) });
    const d = r.contexts.find((c) => c.step === 'd')!.context;
    expect(d).toMatchObject({ runId: 'test-run', runbook: 'outcome', phaseNumber: 2, phaseCount: 2, phaseTitle: 'Two', stepNumber: 2, stepCount: 2 });
    expect(d.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it("resumed, the header's elapsed time goes on from the run's first start, not from zero", async () => {
    const r = await drive({ plan: planOf(FOUR), runStartedAt: 1_700_000_000_000 - 3_600_000 });
    // The fake clock stands still unless slept: the first step is asked exactly an hour in.
    expect(r.contexts[0]!.context.elapsedMs).toBe(3_600_000);
    const fresh = await drive({ plan: planOf(FOUR) });
    expect(fresh.contexts[0]!.context.elapsedMs).toBe(0);
  });

  it('interrupted by the signal while a command runs: the command is stopped, the run is interrupted there', async () => {
    const controller = new AbortController();
    let sawSignal = false;
    const runner: CommandRunner = {
      async run(spec, hooks = {}) {
        if (spec.script !== 'echo b') return { exitCode: 0, timedOut: false, aborted: false, durationMs: 1, output: '', stdout: '' };
        hooks.onSpawn?.(777);
        setImmediate(() => controller.abort());
        await new Promise<void>((resolve) => hooks.signal?.addEventListener('abort', () => resolve(), { once: true }));
        sawSignal = true;
        return { exitCode: undefined, signal: 'SIGTERM', timedOut: false, aborted: true, durationMs: 1, output: '', stdout: '' };
      },
    };
    const r = await drive({ plan: planOf(FOUR), runner, signal: controller.signal });
    expect(sawSignal).toBe(true);
    expect(r.outcome.status).toBe('interrupted');
    expect(r.outcome.stoppedAt?.id).toBe('b');
    expect(r.outcome.counts).toEqual({ done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 3 });
    expect(finishedOf(r.events, 'b')).toEqual([]);
  });

  it('a prompter that breaks stops the run where it is (aborted, resumable)', async () => {
    const r = await drive({ plan: planOf(FOUR), promptThrowsAt: 'b' });
    expect(r.outcome.status).toBe('aborted');
    expect(r.outcome.stoppedAt?.id).toBe('b');
    expect(r.outcome.counts).toEqual({ done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 3 });
  });

  it('a prompter that breaks says why in the outcome', async () => {
    const r = await drive({ plan: planOf(FOUR), promptThrowsAt: 'b' });
    expect(r.outcome.message).toBe('the question could not be asked: the terminal went away');
    // No answer was given, so none is recorded.
    expect(choicesOf(r.events)).toEqual(['a:before:run']);
  });
});

describe('secrets reach commands but not events', () => {
  it('a secret is passed in the environment, never in the script text or the shown command', async () => {
    const plan = oneStep(`      - id: unlock\n        run: zfs load-key tank <<<{{ secrets.key }}\n`, 'secrets:\n  key:\n    env: ZKEY\n');
    const r = await drive({ plan, secrets: new Map([['key', 'hunter2-long-value']]) });
    expect(r.specs[0]!.script).not.toContain('hunter2');
    expect(Object.values(r.specs[0]!.env)).toContain('hunter2-long-value');
    expect(JSON.stringify(r.events)).not.toContain('hunter2');
    expect(of(r.events, 'step.attempt')[0]!.command).toContain('[secret:key]');
  });
});
