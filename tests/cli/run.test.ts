import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, lifeboat, ROOT } from '../helpers/cli.js';
import {
  eventsOf,
  eventually,
  filesUnder,
  groupMembers,
  lifeboatWithOpenStdin,
  processRuns,
  RUN_FIXTURES,
  readOnlyJournal,
  repeatedKeys,
  runArgs,
  runDirs,
  type Workspace,
  workspacesPerTest,
} from '../helpers/run-fixtures.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const ws = workspacesPerTest();

/** `lifeboat run FIXTURE --yes` in a fresh workspace. */
async function runYes(w: Workspace, fixture: string, ...extra: string[]) {
  return lifeboat([...runArgs(w, fixture, '--yes'), ...extra], { cwd: w.dir });
}

describe('lifeboat run --yes, with real bash', () => {
  it('runs every step once, in restore order (phase needs, step needs, script steps)', async () => {
    const w = ws();
    const r = await runYes(w, 'order.yaml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(w.read('order.txt')).toBe('import-pool\nmount\nstart-db\nstart-app\n');
    expect(r.stdout).toMatch(/done after .*: 4 done, 0 skipped, 0 failed, 0 not reached/);
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.finished').map((e) => [e.position, e.step, e.status])).toEqual([
      ['1.1', 'import-pool', 'done'],
      ['1.2', 'mount', 'done'],
      ['2.1', 'start-db', 'done'],
      ['2.2', 'start-app', 'done'],
    ]);
    // The script step ran the steps folder's script with node, its args one by one.
    expect(eventsOf(events, 'step.output', 'start-db').map((e) => e.text)).toEqual(['appended start-db\n']);
    expect(eventsOf(events, 'step.attempt', 'start-db')[0]!.command).toBe('zx demo/append.mjs start-db order.txt');
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'done', counts: { done: 4, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } });
  });

  it('--from and --skip run only the selected steps, and run.started records the selection', async () => {
    const w = ws();
    const r = await runYes(w, 'order.yaml', '--from', 'mount', '--skip', 'start-db');
    expect(r.code).toBe(0);
    expect(w.read('order.txt')).toBe('mount\nstart-app\n');
    expect(r.stdout).toContain('2 steps in 2 phases');
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'run.started')[0]).toMatchObject({ selection: { from: 'mount', skip: ['start-db'] }, steps: 2, phases: 2 });
    expect(eventsOf(events, 'step.finished').map((e) => [e.position, e.step])).toEqual([
      ['1.2', 'mount'],
      ['2.2', 'start-app'],
    ]);
  });

  it('a failing verify stops the run: exit 1, later steps not run, the message names the step and how to resume', async () => {
    const w = ws();
    const r = await runYes(w, 'verify-fails.yaml');
    expect(r.code).toBe(1);
    expect(w.read('order.txt')).toBe('import-pool\nmount\n');
    const { runId, events } = readOnlyJournal(w.logs);
    expect(r.stdout).toContain('check   ✖ test -f mounted.flag: exited 1');
    expect(r.stdout).toMatch(/failed after .*: 1 done, 0 skipped, 1 failed, 2 not reached/);
    expect(r.stdout).toContain(`Stopped at 1.2 Mount the datasets: check failed: test -f mounted.flag: exited 1. Continue with: node ${BIN} resume ${runId}`);
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'failed', stoppedAt: 'mount', counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 1, pending: 2 } });
    expect(eventsOf(events, 'step.started').map((e) => e.step)).toEqual(['import-pool', 'mount']);
    expect(r.stdout).toContain(`Run log: ${join(w.logs, runId)}/events.jsonl`);
  });

  it('a step whose precheck passes is not run; one whose precheck fails is', async () => {
    const w = ws();
    writeFileSync(w.path('already.flag'), '');
    writeFileSync(w.path('state.txt'), 'yes\n');
    const r = await runYes(w, 'precheck.yaml');
    expect(r.code).toBe(0);
    expect(w.read('ran.txt')).toBe('needed\n');
    // Said as "already done", with no duration: it was no work.
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\.1 {3}already +already done: its precheck passed$/m);
    expect(r.stdout).not.toMatch(/1\.1 .*done +0ms/);
    // A precheck that fails is "not yet", not a failure.
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\.1 {3}check {3}✔ exists already\.flag$/m);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\.3 {3}check {3}· not yet: exists never\.flag: does not exist$/m);
    expect(r.stdout).not.toContain('✖');
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.finished').map((e) => [e.step, e.status, e.via, e.attempts])).toEqual([
      ['already', 'done', 'precheck', 0],
      ['already-cmd', 'done', 'precheck', 0],
      ['needed', 'done', undefined, 1],
    ]);
    expect(eventsOf(events, 'step.attempt').map((e) => e.step)).toEqual(['needed']);
  });

  it('retries: a command that fails the first time and passes the second is done, after 2 attempts', async () => {
    const w = ws();
    const r = await runYes(w, 'retries.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('try 2   ');
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.attempt').map((e) => e.attempt)).toEqual([1, 2]);
    expect(eventsOf(events, 'step.exited').map((e) => e.exitCode)).toEqual([32, 0]);
    expect(eventsOf(events, 'step.finished')[0]).toMatchObject({ step: 'flaky', status: 'done', attempts: 2, exitCode: 0 });
    expect(eventsOf(events, 'step.finished')[0]!.reason).toBeUndefined();
    expect(eventsOf(events, 'step.output').map((e) => [e.stream, e.text])).toEqual([
      ['stderr', 'device busy\n'],
      ['stdout', 'mounted on try 2\n'],
    ]);
    // Nobody was asked: retries are not a failure menu.
    // Unattended, nobody is asked before a step that is not manual: no choice to record.
    expect(eventsOf(events, 'operator.choice')).toEqual([]);
  });

  it('a timeout kills the whole process tree: bash and both its children', async () => {
    const w = ws();
    const r = await runYes(w, 'timeout.yaml');
    expect(r.code).toBe(1);
    expect(w.read('after.txt')).toBeUndefined();
    const pids = w.read('pids')!.trim().split('\n').map(Number);
    expect(pids).toHaveLength(3);
    const { runId, events } = readOnlyJournal(w.logs);
    // The reason names the step's timeout (1s, as formatDuration writes it); the exit line, how long it really ran.
    expect(r.stdout).toContain(
      `Stopped at 1.1 A command that hangs with children: timed out after 1.0s; its process group was killed. Continue with: node ${BIN} resume ${runId} --logs ${w.logs} --yes`,
    );
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\.1 {3}exited {2}timed out after \d+\.\ds$/m);
    // The exit line is separate from the 3 commands' `$` line, which has no dangling ⏎.
    expect(r.stdout).toMatch(/ \$ {7}echo \$\$ >> pids ⏎ sleep 300 & echo \$! >> pids ⏎ sleep 300 & echo \$! >> pids ⏎ wait$/m);
    const spawned = eventsOf(events, 'step.spawned', 'hang')[0]!;
    expect(spawned.pid).toBe(pids[0]);
    const exited = eventsOf(events, 'step.exited', 'hang')[0]!;
    expect(exited).toMatchObject({ timedOut: true });
    // It ran its whole 1s timeout, and the journal keeps whole milliseconds.
    expect(Number.isInteger(exited.durationMs)).toBe(true);
    expect(exited.durationMs as number).toBeGreaterThanOrEqual(1000);
    // Killed processes may linger a moment as zombies until reaped: wait (bounded) until none runs.
    await eventually(() => pids.every((pid) => !processRuns(pid)), `pids ${pids.join(', ')} to be gone`, 10_000);
    expect(groupMembers(spawned.pgid as number)).toEqual([]);
  });

  it('a timeout kills a tree that ignores SIGTERM too (SIGKILL after the grace period)', async () => {
    const w = ws();
    const r = await runYes(w, 'timeout-ignores-term.yaml');
    expect(r.code).toBe(1);
    const pids = w.read('pids')!.trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    await eventually(() => pids.every((pid) => !processRuns(pid)), `pids ${pids.join(', ')} to be gone`, 10_000);
    const { events } = readOnlyJournal(w.logs);
    expect(groupMembers(eventsOf(events, 'step.spawned')[0]!.pgid as number)).toEqual([]);
  });

  it('on_failure: continue records the failure and goes on: exit 0', async () => {
    const w = ws();
    const r = await runYes(w, 'continue.yaml');
    expect(r.code).toBe(0);
    expect(w.read('order.txt')).toBe('checked\nafter\n');
    expect(r.stdout).toMatch(/done after .*: 1 done, 0 skipped, 2 failed, 0 not reached/);
    expect(r.stdout).toContain('2 steps failed and the run went on past them (on_failure: continue).');
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.finished').map((e) => [e.step, e.status, e.exitCode])).toEqual([
      ['scrub', 'failed', 3],
      ['check-scrub', 'failed', 0],
      ['after', 'done', 0],
    ]);
    expect(eventsOf(events, 'step.finished', 'scrub')[0]!.reason).toMatch(/^exited 3 after/);
    expect(eventsOf(events, 'step.finished', 'check-scrub')[0]!.reason).toBe('check failed: test -f scrub.flag');
    expect(eventsOf(events, 'operator.choice').filter((e) => e.menu === 'failure')).toEqual([]);
  });

  it('a quick failure does not say it took 0.0s: the exit line and the reason give the same duration', async () => {
    const w = ws();
    const r = await runYes(w, 'continue.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('after 0.0s');
    const exitedLine = /^\d\d:\d\d:\d\d 1\.1 {3}exited {2}exit 3 after (\d+ms|\d+\.\ds)$/m.exec(r.stdout);
    const failedLine = /^\d\d:\d\d:\d\d 1\.1 {3}failed {2}(?:\d+ms|\d+\.\ds) · exited 3 after (\d+ms|\d+\.\ds)$/m.exec(r.stdout);
    expect(exitedLine, r.stdout).not.toBeNull();
    expect(failedLine, r.stdout).not.toBeNull();
    expect(failedLine![1]).toBe(exitedLine![1]);
    const { events } = readOnlyJournal(w.logs);
    const exited = eventsOf(events, 'step.exited', 'scrub')[0]!;
    expect(Number.isInteger(exited.durationMs)).toBe(true);
    expect(eventsOf(events, 'step.finished', 'scrub')[0]!.reason).toBe(`exited 3 after ${exitedLine![1]}`);
  });

  describe('a manual step under --yes', () => {
    it('unattended: stop (the default) stops the run there with a clear message', async () => {
      const w = ws();
      const r = await runYes(w, 'manual-stop.yaml');
      expect(r.code).toBe(1);
      expect(w.read('order.txt')).toBe('before\n');
      const { runId } = readOnlyJournal(w.logs);
      // It says what to do about it.
      expect(r.stdout).toContain(
        `Stopped at 1.2 Power on the switch: manual step 1.2 needs a person: run without --yes, or give it \`unattended: verify\` (its checks decide) or \`unattended: skip\`. Continue with: node ${BIN} resume ${runId} --logs ${w.logs}`,
      );
      expect(r.stdout).toMatch(/aborted after .*: 1 done, 0 skipped, 0 failed, 2 not reached/);
      // What it asks of a person is on screen and in the journal, for whoever picks the run up.
      expect(r.stdout).toMatch(/^\S+ 1\.2 +do +Press the switch's power button and wait for its port lights\.$/m);
      expect(eventsOf(readOnlyJournal(w.logs).events, 'step.started', 'power-switch')[0]).toMatchObject({
        action: 'manual',
        instructions: "Press the switch's power button and wait for its port lights.",
      });
    });

    it('unattended: verify lets its checks decide (passing)', async () => {
      const w = ws();
      writeFileSync(w.path('switch-on.flag'), '');
      const r = await runYes(w, 'manual-verify.yaml');
      expect(r.code).toBe(0);
      expect(w.read('order.txt')).toBe('before\nafter\n');
      const { events } = readOnlyJournal(w.logs);
      expect(eventsOf(events, 'check.passed', 'power-switch')).toHaveLength(1);
      expect(eventsOf(events, 'step.finished', 'power-switch')[0]).toMatchObject({ status: 'done', attempts: 0 });
    });

    it('unattended: verify lets its checks decide (failing stops the run)', async () => {
      const w = ws();
      const r = await runYes(w, 'manual-verify.yaml');
      expect(r.code).toBe(1);
      expect(w.read('order.txt')).toBe('before\n');
      expect(r.stdout).toContain('Stopped at 1.2 Power on the switch: check failed: exists switch-on.flag: does not exist');
    });

    it('unattended: skip passes over it and the run goes on', async () => {
      const w = ws();
      const r = await runYes(w, 'manual-skip.yaml');
      expect(r.code).toBe(0);
      expect(w.read('order.txt')).toBe('before\nafter\n');
      const { events } = readOnlyJournal(w.logs);
      expect(eventsOf(events, 'step.finished', 'power-switch')[0]).toMatchObject({ status: 'skipped', reason: 'manual step skipped unattended' });
      // The checks of a skipped manual step do not run.
      expect(eventsOf(events, 'check.failed')).toEqual([]);
    });
  });

  it('interrupted (SIGTERM): the running command tree is killed, exit 3, resume command shown', async () => {
    const w = ws();
    const child = execa('node', [BIN, ...runArgs(w, 'interrupt.yaml', '--yes')], { cwd: w.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
    await eventually(() => w.read('started.flag') !== undefined, 'the step to start');
    child.kill('SIGTERM');
    const result = await child;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(3);
    const pids = w.read('pids')!.trim().split('\n').map(Number);
    await eventually(() => pids.every((pid) => !processRuns(pid)), `pids ${pids.join(', ')} to be gone`, 10_000);
    expect(w.read('after.txt')).toBeUndefined();
    const { runId, events } = readOnlyJournal(w.logs);
    expect(result.stdout).toContain(`Interrupted at 1.1 A long copy. Continue with: node ${BIN} resume ${runId}`);
    expect(eventsOf(events, 'run.finished')[0]).toMatchObject({ status: 'interrupted', stoppedAt: 'long' });
  });
});

describe('the journal', () => {
  it('records the run: run.started with its provenance, every step event, run.finished; one JSON object per line; private', async () => {
    const w = ws();
    const file = join(RUN_FIXTURES, 'journal.yaml');
    const r = await runYes(w, 'journal.yaml', '--var', 'label=from the command line');
    expect(r.code).toBe(0);
    const { runDir, runId, file: journal, lines, events } = readOnlyJournal(w.logs);

    // One JSON object per line, each an event of the run.
    expect(lines.length).toBe(events.length);
    for (const [i, e] of events.entries()) {
      expect(typeof e, `line ${i + 1}`).toBe('object');
      expect(Array.isArray(e)).toBe(false);
      expect(e.runId).toBe(runId);
      expect(typeof e.kind).toBe('string');
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }

    expect(events[0]).toMatchObject({
      kind: 'run.started',
      runId,
      runbook: { name: 'journal', path: file, hash: createHash('sha256').update(readFileSync(file, 'utf8')).digest('hex') },
      vars: { pool: 'tank', label: 'from the command line' },
      operator: userInfo().username,
      hostname: hostname(),
      version: VERSION,
      mode: 'unattended',
      dryRun: false,
      steps: 2,
      phases: 1,
    });
    expect(events.at(-1)).toMatchObject({ kind: 'run.finished', status: 'done', counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 1, pending: 0 } });

    const kinds = new Set(events.map((e) => e.kind));
    for (const kind of ['step.started', 'step.attempt', 'step.spawned', 'step.output', 'step.exited', 'check.passed', 'check.failed', 'step.finished']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(eventsOf(events, 'step.started', 'hello')[0]).toMatchObject({ position: '1.1', title: 'Say hello to tank', phase: 'p', action: 'run' });
    expect(eventsOf(events, 'step.output', 'hello').map((e) => [e.stream, e.text])).toEqual(
      expect.arrayContaining([
        ['stdout', 'hello from the command line\n'],
        ['stderr', 'to stderr\n'],
      ]),
    );
    expect(eventsOf(events, 'check.failed', 'hello')[0]).toMatchObject({ set: 'precheck', check: 'exists never.flag', reason: 'does not exist' });
    expect(eventsOf(events, 'check.passed', 'hello')[0]).toMatchObject({ set: 'verify', check: 'true' });
    expect(eventsOf(events, 'check.failed', 'optional')[0]).toMatchObject({ set: 'verify', check: 'the optional flag is there', reason: 'exited 1', output: 'looking for optional.flag' });
    // Unattended, only real decisions are recorded as choices (a skip, an abort); none here.
    expect(eventsOf(events, 'operator.choice', 'hello')).toEqual([]);
    expect(eventsOf(events, 'step.finished', 'optional')[0]).toMatchObject({ status: 'failed', level: 'warn' });

    // Per step: started, attempt, spawned, output, exited, checks, finished.
    for (const step of ['hello', 'optional']) {
      const order = events.filter((e) => e.step === step).map((e) => e.kind);
      const first = (kind: string) => order.indexOf(kind);
      const last = (kind: string) => order.lastIndexOf(kind);
      expect(first('step.started')).toBe(0);
      expect(first('step.attempt')).toBeLessThan(first('step.spawned'));
      expect(first('step.spawned')).toBeLessThan(first('step.output'));
      expect(last('step.output')).toBeLessThan(first('step.exited'));
      expect(first('step.exited')).toBeLessThan(Math.max(last('check.passed'), last('check.failed')));
      expect(last('step.finished')).toBe(order.length - 1);
    }

    // Private: the run folder 0700, the journal 0600.
    expect(statSync(runDir).mode & 0o777).toBe(0o700);
    expect(statSync(journal).mode & 0o777).toBe(0o600);
  });

  it('no journal line repeats a key; every line has the runId once', async () => {
    const w = ws();
    const r = await runYes(w, 'order.yaml');
    expect(r.code).toBe(0);
    const { runId, lines } = readOnlyJournal(w.logs);
    expect(repeatedKeys('{"a":1,"b":{"a":2},"a":3}')).toEqual(['a']);
    for (const line of lines) {
      expect(repeatedKeys(line), line).toEqual([]);
      expect(line.match(/"runId":/g), line).toEqual([`"runId":`]);
      expect(line).toContain(`"runId":"${runId}"`);
    }
  });
});

describe('--dry-run', () => {
  it('executes nothing, prints every command, records nothing', async () => {
    const w = ws();
    writeFileSync(w.path('keep.txt'), 'keep');
    const r = await lifeboat(runArgs(w, 'dry-run.yaml', '--dry-run'), { cwd: w.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['made-by-run.txt', 'destroyed.txt', 'script.txt', 'wait-check-ran.txt']) expect(w.read(name), name).toBeUndefined();
    expect(w.read('keep.txt')).toBe('keep');
    expect(r.stdout).toContain('DRY RUN: nothing is executed');
    expect(r.stdout).toMatch(/\$ {7}touch made-by-run\.txt$/m);
    expect(r.stdout).toMatch(/\$ {7}echo destroyed > destroyed\.txt ⏎ rm -f keep\.txt/m);
    expect(r.stdout).toMatch(/\$ {7}zx demo\/append\.mjs script-ran script\.txt$/m);
    expect(r.stdout).toMatch(/\$ {7}wait up to 10s$/m);
    // A manual step's instructions are part of the rehearsal.
    expect(r.stdout).toMatch(/ do {6}Press the button\.$/m);
    expect(r.stdout).toContain('Rehearsal: what a real run would do now');
    expect(r.stdout).toContain('0 satisfied, 5 would run, 0 blocked. Nothing was executed.');
    expect(runDirs(w.logs)).toEqual([]);
  });

  it('--probe really runs the read-only prechecks and waits: satisfied, would run, blocked', async () => {
    const w = ws();
    writeFileSync(w.path('pool.flag'), '');
    writeFileSync(w.path('state.txt'), 'mounted\n');
    const r = await lifeboat(runArgs(w, 'probe.yaml', '--dry-run', '--probe'), { cwd: w.dir });
    expect(r.code).toBe(0);
    const summary = r.stdout.slice(r.stdout.indexOf('Rehearsal: what a real run would do now'));
    expect(summary).toMatch(/^ {2}1\.1 {3}satisfied {2}Already imported$/m);
    expect(summary).toMatch(/^ {2}1\.2 {3}satisfied {2}Already mounted$/m);
    expect(summary).toMatch(/^ {2}1\.3 {3}would run {2}Not served yet$/m);
    // Nothing was looked at: never "would run".
    expect(summary).toMatch(
      /^ {2}1\.4 {3}unknown {4}Its precheck is not read-only, so it is not probed \(`touch unsafe-precheck-ran\.txt; false` is not marked `readonly: true`: a probe does not run it\)$/m,
    );
    expect(summary).toMatch(/^ {2}1\.5 {3}blocked {4}Wait for the NAS \(not yet: exists nas-up\.flag: does not exist\)$/m);
    // What was probed shows as checked; a precheck that was not probed shows as not run, not as failed.
    expect(r.stdout).toMatch(/ 1\.1 {3}check {3}✔ exists pool\.flag$/m);
    expect(r.stdout).toMatch(/ 1\.3 {3}check {3}· not yet: test -f served\.flag: exited 1$/m);
    expect(r.stdout).toMatch(/ 1\.4 {3}check {3}· touch unsafe-precheck-ran\.txt; false \(not run: dry run\)$/m);
    expect(r.stdout).toMatch(/ 1\.5 {3}check {3}✖ exists nas-up\.flag: does not exist$/m);
    expect(summary).toContain('2 satisfied, 1 would run, 1 blocked, 1 unknown. Nothing was executed; only read-only checks ran.');
    // Nothing ran: no step, and no precheck that could change anything.
    for (const name of ['import-ran.txt', 'mount-ran.txt', 'serve-ran.txt', 'unsafe-step-ran.txt', 'unsafe-precheck-ran.txt']) expect(w.read(name), name).toBeUndefined();
    expect(runDirs(w.logs)).toEqual([]);
  });

  it('a dry run does not show checks it did not run as passed', async () => {
    const w = ws();
    const r = await lifeboat(runArgs(w, 'dry-run.yaml', '--dry-run'), { cwd: w.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\.1 {3}check {3}· exists made-by-run\.txt \(not run: dry run\)$/m);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\.5 {3}check {3}· test -f booted\.flag && touch wait-check-ran\.txt \(not run: dry run\)$/m);
    expect(r.stdout).not.toContain('✔');
    expect(r.stdout).not.toContain('✖');
    expect(w.read('wait-check-ran.txt')).toBeUndefined();
  });

  it('a multi-line command has no dangling ⏎ on its $ line', async () => {
    const w = ws();
    const r = await lifeboat(runArgs(w, 'dry-run.yaml', '--dry-run'), { cwd: w.dir });
    expect(r.stdout).toMatch(/\$ {7}echo destroyed > destroyed\.txt ⏎ rm -f keep\.txt$/m);
  });

  it('--probe without --dry-run is refused (exit 2)', async () => {
    const w = ws();
    const r = await lifeboat(runArgs(w, 'order.yaml', '--yes', '--probe'), { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--probe goes with --dry-run');
    expect(w.read('order.txt')).toBeUndefined();
  });
});

describe('without a terminal', () => {
  it('without --yes: exit 2 at once with a message, without waiting for input on an open stdin', async () => {
    const w = ws();
    const r = await lifeboatWithOpenStdin(runArgs(w, 'order.yaml'), { cwd: w.dir, timeoutMs: 10_000 });
    expect(r.timedOut, 'lifeboat waited for input that never comes').toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no terminal to ask questions on');
    expect(r.stderr).toContain('--yes');
    expect(r.stdout).toBe('');
    expect(w.read('order.txt')).toBeUndefined();
    expect(runDirs(w.logs)).toEqual([]);
  });

  it('a secret that must be typed at a prompt stops an unattended run before anything runs (exit 2)', async () => {
    const w = ws();
    const r = await lifeboatWithOpenStdin(runArgs(w, 'prompt-secret.yaml', '--yes'), { cwd: w.dir, timeoutMs: 10_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ipmi: asked for at a prompt, and this run has no terminal');
    expect(w.read('ran.txt')).toBeUndefined();
  });
});

describe('secrets leave no trace', () => {
  it('a secret echoed, quoted, split, in errors and in failing checks appears nowhere under logs/ nor on stdout/stderr', async () => {
    const w = ws();
    const tok = `s3cr3t-${randomBytes(16).toString('hex')}`;
    const pw = `pw-${randomBytes(12).toString('hex')}`;
    const r = await lifeboat(runArgs(w, 'secrets.yaml', '--yes'), { cwd: w.dir, env: { TOK: tok, PW: pw } });
    expect(r.code).toBe(1);
    // The commands did see the values (else this test proves nothing): the masks stand where they were printed.
    expect(r.stdout).toContain('out     [secret:tok]');
    expect(r.stdout).toContain('token=[secret:tok]; pw=[secret:pw]');
    expect(r.stdout).toContain('single [secret:tok] quoted');
    expect(r.stdout).toContain('error: authentication failed for token [secret:tok]');
    expect(r.stdout).toContain('checking [secret:tok] and [secret:pw]');
    expect(r.stdout).toContain('still wrong [secret:tok]');
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.output', 'split').map((e) => e.text)).toEqual(['[secret:tok]\n']);
    expect(
      eventsOf(events, 'step.output', 'env')
        .map((e) => e.text)
        .sort(),
    ).toEqual(['[secret:tok]\n', '[secret:tok]\n']);

    const files = filesUnder(w.logs);
    expect(files.some((f) => f.endsWith('events.jsonl'))).toBe(true);
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      for (const [name, value] of [
        ['tok', tok],
        ['pw', pw],
      ] as const) {
        expect(text.includes(value), `${name} in ${file}`).toBe(false);
        // Not half of it either (a line cut in two would leak it in pieces).
        expect(text.includes(value.slice(0, value.length / 2 + 1)), `half of ${name} in ${file}`).toBe(false);
        expect(text.includes(value.slice(value.length / 2 - 1)), `second half of ${name} in ${file}`).toBe(false);
      }
    }
    for (const [stream, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
    ] as const) {
      expect(text.includes(tok), `tok on ${stream}`).toBe(false);
      expect(text.includes(pw), `pw on ${stream}`).toBe(false);
    }
  });
});
