// `lifeboat run` with steps `on:` a host, against a real throwaway sshd on 127.0.0.1 (the "remote"
// is this machine, reached only through ssh). Real processes, loopback only.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, lifeboat } from '../helpers/cli.js';
import { eventsOf, eventually, filesUnder, readOnlyJournal, type Workspace, workspacesPerTest } from '../helpers/run-fixtures.js';
import { controlSocket, freePort, lifeboatControlDir, type Sshd, sessionCount, startSshd } from '../helpers/sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const ws = workspacesPerTest('lifeboat-ssh-');

/** Writes a runbook into the workspace, with host `r` being the test sshd; `head` goes before `hosts:`. */
function runbook(w: Workspace, body: string, head = ''): string {
  const file = w.path('runbook.yaml');
  writeFileSync(file, `format: 1\nname: ssh-test\n${head}hosts:\n  r: ${sshd.hostYaml()}\n${body}`);
  return file;
}

async function runYes(w: Workspace, file: string, extra: string[] = [], env: Record<string, string> = {}) {
  return lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', w.steps, ...extra], { cwd: w.dir, env });
}

/** The pids of processes whose command line contains `pattern` (pgrep -f), or ''. */
function pgrep(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/**
 * Live ssh processes of this server: clients started with its key, and the master of `socket`
 * (a master renames itself "ssh: SOCKET [mux]", so its command line no longer shows the key).
 */
function sshClientsOf(s: Sshd, socket: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const argv = cmdline.split('\0');
      if ((argv[0]?.endsWith('ssh') && argv.includes(s.identity)) || cmdline.startsWith(`ssh: ${socket} `)) pids.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return pids;
}

describe('remote steps run on the host over ssh', () => {
  it('streams remote stdout and stderr into the journal, and keeps exit codes (on_failure: continue keeps exit 3)', async () => {
    const w = ws();
    const file = runbook(
      w,
      `phases:
  - id: p
    on: r
    steps:
      - id: hello
        run: |
          echo "remote-out conn=$SSH_CONNECTION"
          echo "remote-err" >&2
          echo "pwd=$PWD" > ${w.path('hello.txt')}
      - id: three
        run: echo "about to fail"; exit 3
        on_failure: continue
      - id: after
        run: echo after > ${w.path('after.txt')}
`,
    );
    const r = await runYes(w, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { events } = readOnlyJournal(w.logs);
    // It ran through sshd: the session's SSH_CONNECTION names the server's loopback port.
    const out = eventsOf(events, 'step.output', 'hello');
    expect(
      out
        .filter((e) => e.stream === 'stdout')
        .map((e) => e.text)
        .join(''),
    ).toMatch(new RegExp(`^remote-out conn=127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`));
    expect(
      out
        .filter((e) => e.stream === 'stderr')
        .map((e) => e.text)
        .join(''),
    ).toBe('remote-err\n');
    expect(w.read('hello.txt')).toMatch(/^pwd=\//);
    expect(eventsOf(events, 'step.started', 'hello')[0]).toMatchObject({ host: 'r' });
    expect(eventsOf(events, 'step.exited').map((e) => [e.step, e.exitCode, e.error])).toEqual([
      ['hello', 0, undefined],
      ['three', 3, undefined],
      ['after', 0, undefined],
    ]);
    expect(
      eventsOf(events, 'step.output', 'three')
        .map((e) => e.text)
        .join(''),
    ).toBe('about to fail\n');
    expect(eventsOf(events, 'step.finished').map((e) => [e.step, e.status, e.exitCode])).toEqual([
      ['hello', 'done', 0],
      ['three', 'failed', 3],
      ['after', 'done', 0],
    ]);
    expect(w.read('after.txt')).toBe('after\n');
    expect(r.stdout).toContain('exited 3');
    expect(r.stdout).not.toMatch(/cannot reach|exited 255/);
  });

  it('one connection per host for a whole run of 10 remote steps and remote checks; none left afterwards', async () => {
    const w = ws();
    const accepted = sshd.acceptedCount();
    const sessions = sessionCount(sshd);
    const steps = Array.from(
      { length: 10 },
      (_, i) => `      - id: s${i + 1}
        run: echo s${i + 1} >> ${w.path('order.txt')}
        verify:
          - path: ${w.path('order.txt')}
          - run: grep -qx s${i + 1} ${w.path('order.txt')}
          - tcp: 127.0.0.1:${sshd.port}
            from: r
`,
    ).join('');
    const file = runbook(w, `phases:\n  - id: p\n    on: r\n    steps:\n${steps}`);
    const socket = controlSocket(sshd, lifeboatControlDir());
    expect(existsSync(socket)).toBe(false);
    const r = await runYes(w, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(w.read('order.txt')).toBe(Array.from({ length: 10 }, (_, i) => `s${i + 1}\n`).join(''));
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'check.passed')).toHaveLength(30);
    // One authenticated connection for the whole run...
    expect(sshd.acceptedCount() - accepted).toBe(1);
    // ...carrying every command: 10 steps and 30 checks, the path checks included (they run where the
    // step runs), and the `true` that opened it while Lifeboat started (the first step is remote).
    expect(sessionCount(sshd) - sessions).toBe(41);
    // The shared connection is closed at the end: no control socket, no master process left.
    expect(existsSync(socket)).toBe(false);
    await eventually(() => sshClientsOf(sshd, socket).length === 0, 'no ssh client of this run left running');
  });

  it('a remote step that times out leaves no remote process behind', async () => {
    const w = ws();
    const marker = `sleep 300.${randomBytes(3).readUIntBE(0, 3)}`;
    const file = runbook(
      w,
      `phases:
  - id: p
    on: r
    steps:
      - id: hang
        run: echo started > ${w.path('started.txt')}; ${marker}
        timeout: 1s
      - id: never
        run: echo never > ${w.path('never.txt')}
`,
    );
    const r = await runYes(w, file);
    expect(r.code).toBe(1);
    expect(w.read('started.txt')).toBe('started\n');
    expect(w.read('never.txt')).toBeUndefined();
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.exited', 'hang')[0]).toMatchObject({ timedOut: true });
    expect(eventsOf(events, 'step.exited', 'hang')[0]!.error).toBeUndefined();
    // The local ssh client was killed at once; the remote process is stopped through the connection.
    let left = '';
    await eventually(() => (left = pgrep(marker)) === '', `no "${marker}" process left`, 10_000).catch(() => undefined);
    // Whatever the outcome, this test's own leftovers are stopped, by pid.
    for (const pid of left.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    expect(left, `remote "${marker}" still running: pids ${left}`).toBe('');
    expect(existsSync(controlSocket(sshd, lifeboatControlDir()))).toBe(false);
  });
  it('Ctrl-C (SIGINT) during a remote step stops the remote process too; the run is interrupted (exit 3)', async () => {
    const w = ws();
    const marker = `sleep 300.${randomBytes(3).readUIntBE(0, 3)}`;
    const file = runbook(
      w,
      `phases:
  - id: p
    on: r
    steps:
      - id: hang
        run: echo started > ${w.path('started.txt')}; ${marker}
`,
    );
    const run = execa('node', [BIN, 'run', file, '--yes', '--logs', w.logs, '--steps', w.steps], { cwd: w.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
    await eventually(() => w.read('started.txt') !== undefined && pgrep(marker) !== '', 'the remote step to start');
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode).toBe(3);
    let left = '';
    await eventually(() => (left = pgrep(marker)) === '', `no "${marker}" process left`, 10_000).catch(() => undefined);
    for (const pid of left.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    expect(left, `remote "${marker}" still running: pids ${left}`).toBe('');
    expect(eventsOf(readOnlyJournal(w.logs).events, 'run.finished')[0]).toMatchObject({ status: 'interrupted' });
  });

  it('a remote command that itself exits 255 is the command failing, not a connection error', async () => {
    const w = ws();
    const file = runbook(w, `phases:\n  - id: p\n    on: r\n    steps:\n      - id: x\n        run: echo hi; exit 255\n`);
    const r = await runYes(w, file);
    expect(r.code).toBe(1);
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'step.exited', 'x')[0]).toMatchObject({ exitCode: 255 });
    expect(eventsOf(events, 'step.exited', 'x')[0]!.error).toBeUndefined();
    expect(
      eventsOf(events, 'step.output', 'x')
        .map((e) => e.text)
        .join(''),
    ).toBe('hi\n');
    expect(r.stdout).toContain('exited 255');
    expect(r.stdout).not.toContain('cannot reach');
  });

  // Guards against an earlier fault: the shared connection is keyed by ControlPath=/tmp/lifeboat-ssh-UID/%C,
  // i.e. by user, address and port only, so two runs on the same host at once (two runbooks: the run
  // lock is per runbook) share one master. When the shorter run ends, its close() sends `ssh -O exit`,
  // which closes the master under the other run: its running remote step ends with ssh exit 255
  // (after the pid marker, so it is reported as "`…` exited 255" and the run stops), and the remote
  // command is no longer watched. Expected: a run only ever closes connections it owns (e.g. a
  // ControlPath per run, such as `${controlDir}/%C-${pid}`), so run B's step finishes normally.
  it('two runs on one host at once: the end of one does not cut the other’s connection', twoRunsOnOneHost);

  it('a resume that goes on with a remote step opens its connection while it starts: one connection, one session more', async () => {
    const w = ws();
    const flag = w.path('fixed.flag');
    const file = runbook(w, `phases:\n  - id: p\n    on: r\n    steps:\n      - id: first\n        run: "true"\n      - id: second\n        run: test -e ${flag}\n`);
    expect((await runYes(w, file)).code).toBe(1);
    writeFileSync(flag, '');
    const accepted = sshd.acceptedCount();
    const sessions = sessionCount(sshd);
    const r = await lifeboat(['resume', '--yes', '--logs', w.logs], { cwd: w.dir });
    expect(r.code, r.stdout).toBe(0);
    expect(sshd.acceptedCount() - accepted).toBe(1);
    // `true` (opening the connection), then the step it stopped at; the finished step is not run again.
    expect(sessionCount(sshd) - sessions).toBe(2);
  });

  it('a run that finds its runbook locked (exit 4) leaves no connection behind, though it began opening one', async () => {
    const w = ws();
    const gate = w.path('gate');
    const file = runbook(w, `phases:\n  - id: p\n    on: r\n    steps:\n      - id: hold\n        run: touch ${w.path('started')}; until [ -e ${gate} ]; do sleep 0.05; done\n`);
    const first = execa('node', [BIN, 'run', file, '--yes', '--logs', w.logs], { cwd: w.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
    try {
      await eventually(() => w.read('started') !== undefined, 'the first run to start its remote step');
      const accepted = sshd.acceptedCount();
      const second = execa('node', [BIN, 'run', file, '--yes', '--logs', w.logs], { cwd: w.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
      const socket = controlSocket(sshd, `${lifeboatControlDir()}/${second.pid}`);
      const r = await second;
      expect(r.exitCode, r.stderr).toBe(4);
      // It began connecting as it started (its first step is remote): that connection, given up
      // half-way or made, is closed on its way out: no socket, no folder, no master left.
      expect(sshd.acceptedCount() - accepted).toBeLessThanOrEqual(1);
      expect(existsSync(`${lifeboatControlDir()}/${second.pid}`)).toBe(false);
      await eventually(
        () => sshClientsOf(sshd, socket).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`/${second.pid}/`)).length === 0,
        'no ssh process of the locked run left',
      );
    } finally {
      writeFileSync(gate, '');
    }
    expect((await first).exitCode).toBe(0);
  });

  it.each([
    ['a step to confirm that does not exist', ['--confirm', 'nosuch']],
    ['a concurrency out of range', ['--concurrency', '0']],
    ['an answer to no question', ['--answer', 'nosuch=x']],
  ])('a run refused for %s (exit 2) leaves no connection behind, though it began opening one', async (_what, extra) => {
    const w = ws();
    const file = runbook(w, `phases:\n  - id: p\n    on: r\n    steps:\n      - id: first\n        run: "true"\n`);
    const run = execa('node', [BIN, 'run', file, '--yes', '--logs', w.logs, ...extra], { cwd: w.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
    const dir = `${lifeboatControlDir()}/${run.pid}`;
    const r = await run;
    expect(r.exitCode, r.stderr).toBe(2);
    expect(existsSync(dir)).toBe(false);
    await eventually(
      () => sshClientsOf(sshd, controlSocket(sshd, dir)).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`/${run.pid}/`)).length === 0,
      'no ssh process of the refused run left',
    );
  });
});

describe('socket folders left by runs that were killed', () => {
  it('are removed by the next run; a live run’s folder is kept', async () => {
    const w = ws();
    const gone = execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim();
    const stale = `${lifeboatControlDir()}/${gone}`;
    const live = `${lifeboatControlDir()}/${process.pid}`;
    for (const dir of [stale, live]) {
      execFileSync('mkdir', ['-p', dir]);
      writeFileSync(`${dir}/left`, '');
    }
    try {
      const r = await runYes(w, runbook(w, `phases:\n  - id: p\n    steps:\n      - id: local\n        run: "true"\n`));
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(`${live}/left`)).toBe(true);
    } finally {
      execFileSync('rm', ['-rf', stale, live]);
    }
  });
});

async function twoRunsOnOneHost() {
  const a = ws();
  const b = ws();
  writeFileSync(
    b.path('rb.yaml'),
    `format: 1\nname: long\nhosts:\n  r: ${sshd.hostYaml()}\nphases:\n  - id: p\n    on: r\n    steps:\n      - id: slow\n        run: echo started > ${b.path('started')}; sleep 3; echo finished > ${b.path('finished')}\n`,
  );
  writeFileSync(a.path('rb.yaml'), `format: 1\nname: short\nhosts:\n  r: ${sshd.hostYaml()}\nphases:\n  - id: p\n    on: r\n    steps:\n      - id: quick\n        run: "true"\n`);
  const runB = execa('node', [BIN, 'run', b.path('rb.yaml'), '--yes', '--logs', b.logs], { cwd: b.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
  await eventually(() => b.read('started') !== undefined, 'run B to start its remote step');
  const ra = await execa('node', [BIN, 'run', a.path('rb.yaml'), '--yes', '--logs', a.logs], { cwd: a.dir, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
  expect(ra.exitCode).toBe(0);
  const rb = await runB;
  expect(rb.exitCode).toBe(0);
  expect(b.read('finished')).toBe('finished\n');
  expect(eventsOf(readOnlyJournal(b.logs).events, 'step.exited', 'slow')[0]).toMatchObject({ exitCode: 0 });
}

describe('secrets on a remote step', () => {
  it('the remote step gets the value, which never shows on a command line, in the logs or on stdout', async () => {
    const w = ws();
    const tok = `tok-${randomBytes(12).toString('hex')}`;
    const gate = w.path('gate');
    const file = runbook(
      w,
      `phases:
  - id: p
    on: r
    steps:
      - id: use
        run: |
          printf '%s' {{ secrets.tok }} > ${w.path('secret.txt')}
          echo "token is {{ secrets.tok }}"
          n=0; until [ -e ${gate} ] || [ $n -ge 600 ]; do sleep 0.05; n=$((n+1)); done
          sleep 2
`,
      'secrets:\n  tok:\n    env: LB_SSH_TOK\n',
    );
    const run = execa('node', [BIN, 'run', file, '--yes', '--logs', w.logs, '--steps', w.steps], {
      cwd: w.dir,
      env: { NO_COLOR: '1', LB_SSH_TOK: tok },
      reject: false,
      timeout: 60_000,
    });
    // While the step runs (it waits for the gate), no process anywhere has the value on its command line.
    await eventually(() => existsSync(w.path('secret.txt')) && readFileSync(w.path('secret.txt'), 'utf8') === tok, 'the remote step to write the secret');
    const scan = () => {
      const holders: string[] = [];
      for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        try {
          const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
          if (cmdline.includes(tok)) holders.push(`${name}: ${cmdline.replace(/\0/g, ' ')}`);
        } catch {
          /* gone */
        }
      }
      return holders;
    };
    const seen: string[] = [];
    // Several scans while the remote shell, sshd's session and the local ssh client all exist.
    for (let i = 0; i < 20; i++) seen.push(...scan());
    writeFileSync(gate, '');
    // And again during `sleep 2`.
    for (let i = 0; i < 5; i++) seen.push(...scan());
    const r = await run;
    expect(seen).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(w.read('secret.txt')).toBe(tok);
    expect(r.stdout).not.toContain(tok);
    expect(r.stderr).not.toContain(tok);
    const { events } = readOnlyJournal(w.logs);
    expect(
      eventsOf(events, 'step.output', 'use')
        .map((e) => e.text)
        .join(''),
    ).toBe('token is [secret:tok]\n');
    for (const f of filesUnder(w.logs)) expect(readFileSync(f, 'utf8'), f).not.toContain(tok);
  });
});

describe('checks `from:` a host', () => {
  it('tcp to the sshd port from the host passes; to a closed loopback port fails with a clear reason', async () => {
    const w = ws();
    const closed = await freePort();
    const file = runbook(
      w,
      `phases:
  - id: p
    steps:
      - id: open
        run: "true"
        verify:
          - tcp: 127.0.0.1:${sshd.port}
            from: r
      - id: shut
        run: "true"
        verify:
          - tcp: 127.0.0.1:${closed}
            from: r
            timeout: 3s
`,
    );
    const r = await runYes(w, file);
    expect(r.code).toBe(1);
    const { events } = readOnlyJournal(w.logs);
    expect(eventsOf(events, 'check.passed', 'open').map((e) => e.check)).toEqual([`tcp 127.0.0.1:${sshd.port}`]);
    const failed = eventsOf(events, 'check.failed', 'shut');
    expect(failed).toHaveLength(1);
    // The check's line names the address; the reason does not say it a second time.
    expect(failed[0]!.reason).toBe('no connection from r');
    expect(r.stdout).toContain(`tcp 127.0.0.1:${closed}: no connection from r`);
    expect(r.stdout).not.toContain(`127.0.0.1:${closed}: 127.0.0.1:${closed}`);
    expect(r.stdout).not.toContain('cannot reach r');
  });
});

describe('--inventory', () => {
  it('overrides a runbook host (port 1 in the runbook, the real port in the inventory) and the runbook var defaults', async () => {
    const w = ws();
    const file = w.path('runbook.yaml');
    writeFileSync(
      file,
      `format: 1
name: ssh-inventory
vars:
  where: runbook-default
  kept: from-runbook
hosts:
  r: { ssh: ${JSON.stringify(sshd.target)}, port: 1, identity: ${JSON.stringify(sshd.identity)}, known_hosts: ${JSON.stringify(sshd.knownHosts)} }
phases:
  - id: p
    on: r
    steps:
      - id: write
        run: echo {{ vars.where }} {{ vars.kept }} {{ hosts.r.port }} "$SSH_CONNECTION" > ${w.path('inventory.txt')}
`,
    );
    const inventory = w.path('inventory.yaml');
    writeFileSync(inventory, `hosts:\n  r: ${sshd.hostYaml()}\nvars:\n  where: from-inventory\n`);
    const r = await runYes(w, file, ['--inventory', inventory]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(w.read('inventory.txt')).toMatch(new RegExp(`^from-inventory from-runbook ${sshd.port} 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`));
    // Without the inventory, the runbook's port 1 is used, and refused.
    const w2 = ws();
    const r2 = await runYes(w2, file);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toContain('connection refused');
  });
});
