// Hostile values tried as an attacker would, over a throwaway sshd on 127.0.0.1 (the "remote" is
// this machine, so a command run there would leave its marker file here): in a remote step's
// command, in every quoting place; in checks made `from:` a host; in env values and secrets that
// travel to the host; in host entries; in the arguments of a script step that reaches a host.
// Each value either reaches the command as exactly its text, or is refused (exit 2,
// file:line:col, no stack trace); the marker a payload would create never exists.
//
// The values are tried in batches (tests/helpers/batched-runs.ts): one run holds a step per
// (place, value), each value a var of its own with its own marker file, so that a failure names
// the place and the value, without starting the CLI and ssh once per value.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchOutcome, type BatchStep, batchOutput, problemBlocks, runBatch, stepYaml } from '../helpers/batched-runs.js';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { eventsOf, processRuns, readOnlyJournal, type Workspace, workspace, workspacesPerTest } from '../helpers/run-fixtures.js';
import { type Sshd, startSshd } from '../helpers/sshd.js';

const ws = workspacesPerTest('lifeboat-inj-remote-');
const SHIPPED_STEPS = join(ROOT, 'steps');

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

/** Payloads that would create `marker` if any shell, here or on the host, took them for code. */
function payloads(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `;touch ${marker};#`,
    `a[$(touch ${marker})]`,
    `x\ntouch ${marker}`,
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    `\\'; touch ${marker}; #`,
    `\\"; touch ${marker}; #\\`,
    `-oProxyCommand=touch ${marker}`,
    `$'\\n'touch ${marker}`,
    `x\rtouch ${marker}`,
  ];
}

/** The payloads, the i-th (from 0) creating `marker(i)` if it were run: a marker file per value in a batch. */
function markedPayloads(marker: (i: number) => string): string[] {
  return payloads('').map((_, i) => payloads(marker(i))[i]!);
}

/** A value with a NUL byte: no command can carry it, so it must be refused, never cut short. */
const nulPayload = (marker: string) => `safe\0; touch ${marker}`;

const STACK = /\n\s+at /;

/** The position of a refused value, without a stack trace. */
function expectRefused(result: { code: number; stdout: string; stderr: string }, file = 'runbook.yaml') {
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stdout + result.stderr).toMatch(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+`));
  expect(result.stdout + result.stderr).not.toMatch(STACK);
}

/** The vars file of a batch: var `name` holds `values[name]` (a JSON string is a YAML double-quoted scalar: every byte, NUL and CR included). */
function writeVars(w: Workspace, values: Record<string, string>): string {
  const file = w.path('v.yaml');
  writeFileSync(
    file,
    Object.entries(values)
      .map(([name, value]) => `${name}: ${JSON.stringify(value)}\n`)
      .join(''),
  );
  return file;
}

/**
 * Writes the runbook with host `r` (the test sshd), the given vars declared (their values in a vars
 * file, so that a NUL can travel) and the steps' YAML as the one phase's steps.
 */
function setup(w: Workspace, values: Record<string, string>, body: string, head = '', on = 'r', steps = w.steps): { file: string; args: string[] } {
  const file = w.path('runbook.yaml');
  const declared = Object.keys(values)
    .map((name) => `${name}: "1"`)
    .join(', ');
  writeFileSync(file, `format: 1\nname: inj-remote\nvars: { ${declared} }\n${head}hosts:\n  r: ${sshd.hostYaml()}\nphases:\n  - id: p\n${on ? `    on: ${on}\n` : ''}    steps:\n${body}`);
  return { file, args: ['run', file, '--yes', '--logs', w.logs, '--steps', steps, '--vars', writeVars(w, values)] };
}

/** A step of the runbook body. */
function step(id: string, yaml: string): string {
  return stepYaml({ id, yaml });
}

describe('a value reaches a remote command as exactly its text', () => {
  it.each([
    ['on a host', 'r'],
    ['here', ''],
  ])('in every quoting place of a step %s, in env values and in secrets', { timeout: 300_000 }, async (_, on) => {
    const w = ws();
    const out = (name: string, n: number) => w.path(`out-${name}-${n}`);
    const places: Array<[string, (v: string, n: number) => string]> = [
      ['word', (v, n) => `printf '%s' {{ vars.${v} }} > ${out('word', n)}`],
      ['single', (v, n) => `printf '%s' '{{ vars.${v} }}' > ${out('single', n)}`],
      ['double', (v, n) => `printf '%s' "{{ vars.${v} }}" > ${out('double', n)}`],
      ['mixed', (v, n) => `printf '%s' x"{{ vars.${v} }}"'{{ vars.${v} }}'{{ vars.${v} }} > ${out('mixed', n)}`],
      ['subst', (v, n) => `x="$(printf '%s' "{{ vars.${v} }}")"; printf '%s' "$x" > ${out('subst', n)}`],
      ['assign', (v, n) => `v={{ vars.${v} }}; printf '%s' "$v" > ${out('assign', n)}`],
      ['herestring', (v, n) => `cat <<< {{ vars.${v} }} > ${out('herestring', n)}`],
      ['secret-word', (_v, n) => `printf '%s' {{ secrets.s${n} }} > ${out('secret-word', n)}`],
      ['secret-single', (_v, n) => `printf '%s' '{{ secrets.s${n} }}' > ${out('secret-single', n)}`],
      ['secret-double', (_v, n) => `printf '%s' "{{ secrets.s${n} }}" > ${out('secret-double', n)}`],
    ];
    const expected = (name: string, payload: string) => (name === 'mixed' ? `x${payload}${payload}${payload}` : name === 'herestring' ? `${payload}\n` : payload);
    const names = [...places.map(([name]) => name), 'env', 'env-secret'];
    // Payload n is var vn and secret sn; its marker is PWNED-n; its steps places-n and env-n.
    const values = markedPayloads((i) => w.path(`PWNED-${i + 1}`));
    const vars: Record<string, string> = {};
    let body = '';
    let secrets = 'secrets:\n';
    values.forEach((payload, i) => {
      const n = i + 1;
      vars[`v${n}`] = payload;
      // One step holds every place (a line each), another the env values: fewer round trips, the same parsing.
      body +=
        step(`places-${n}`, `run: |\n${places.map(([, run]) => `  ${run(`v${n}`, n)}`).join('\n')}`) +
        step(
          `env-${n}`,
          `run: ${JSON.stringify(`printf '%s' "$V" > ${out('env', n)}; printf '%s' "$S" > ${out('env-secret', n)}; printf '%s' "$SSH_CONNECTION" > ${out('where', n)}`)}\nenv:\n  V: "{{ vars.v${n} }}"\n  S: "{{ secrets.s${n} }}"`,
        );
      secrets += `  s${n}: { file: ${JSON.stringify(w.path(`secret-${n}.txt`))} }\n`;
      // A secret file's last line break is not part of the secret.
      writeFileSync(w.path(`secret-${n}.txt`), `${payload}\n`);
    });
    const { args } = setup(w, vars, body, secrets, on);
    const result = await lifeboat(args, { cwd: w.dir, timeoutMs: 240_000 });
    values.forEach((payload, i) => {
      expect(existsSync(w.path(`PWNED-${i + 1}`)), JSON.stringify(payload)).toBe(false);
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const finished = eventsOf(readOnlyJournal(w.logs).events, 'step.finished');
    values.forEach((payload, i) => {
      const n = i + 1;
      for (const id of [`places-${n}`, `env-${n}`]) expect(finished.find((e) => e.step === id)?.status, `${id} with ${JSON.stringify(payload)}`).toBe('done');
      // On a host, the steps ran there: ssh's own variable says so.
      if (on) expect(readFileSync(out('where', n), 'utf8'), JSON.stringify(payload)).toMatch(/^127\.0\.0\.1 /);
      for (const name of names) expect(readFileSync(out(name, n), 'utf8'), `${name} with ${JSON.stringify(payload)}`).toBe(expected(name, payload));
    });
  });

  it('a value with a NUL byte is refused at validate with its position; nothing reaches the host', async () => {
    const w = ws();
    for (const run of [`printf '%s' {{ vars.v }} > ${w.path('out')}`, `printf '%s' "{{ vars.v }}"`, `echo '{{ vars.v }}'`]) {
      const { args } = setup(w, { v: nulPayload(w.path('PWNED')) }, step('s', `run: ${JSON.stringify(run)}`));
      const result = await lifeboat(args, { cwd: w.dir });
      // The NUL is in the vars file: that is where its position points.
      expectRefused(result, 'v.yaml');
      expect(result.stdout + result.stderr).toContain('NUL');
      expect(existsSync(w.path('PWNED'))).toBe(false);
      expect(existsSync(w.path('out'))).toBe(false);
    }
    // In an env value too: the remote script would be cut at the NUL.
    const { args } = setup(w, { v: nulPayload(w.path('PWNED')) }, step('s', `run: "true"\nenv:\n  V: "{{ vars.v }}"`));
    const result = await lifeboat(args, { cwd: w.dir });
    expect(existsSync(w.path('PWNED'))).toBe(false);
    expect([1, 2], result.stdout + result.stderr).toContain(result.code);
    expect(result.stdout + result.stderr).toContain('NUL');
    expect(result.stdout + result.stderr).not.toMatch(STACK);
  });
});

/**
 * Asserts what a batch says of one step: refused at validate (exit 2) with a file:line:col of
 * runbook.yaml in its refusal, or else run by the run of the steps left, which exited 0 or 1
 * (every step has `on_failure: continue`); `ran` then checks the step's own events.
 */
function expectRefusedOrRan(batch: BatchOutcome, id: string, what: string, ran: (run: NonNullable<BatchOutcome['ran']>) => void): void {
  const refusal = batch.refused.get(id);
  if (refusal) {
    expect(batch.first.code, `${what}\n${batchOutput(batch)}`).toBe(2);
    expect(refusal.join('\n'), what).toMatch(/runbook\.yaml:\d+:\d+/);
    expect(batch.first.stdout + batch.first.stderr, what).not.toMatch(STACK);
    return;
  }
  expect(batch.ran, `${what}: neither refused nor run\n${batchOutput(batch)}`).toBeDefined();
  expect([0, 1], `${what}\n${batchOutput(batch)}`).toContain(batch.ran!.code);
  expect(batch.ran!.stdout + batch.ran!.stderr, what).not.toMatch(STACK);
  ran(batch.ran!);
}

describe('env names never become code on the host', () => {
  const NAMES = [';touch MARK;#', 'A;touch MARK;B', 'A=$(touch MARK)', 'A B', '-x', 'A\ntouch MARK'];
  // Every name in one batch: name i is step e<i>, its marker PWNED-<i>, the file its command would touch RAN-<i>.
  let w: Workspace;
  let batch: BatchOutcome;
  beforeAll(async () => {
    w = workspace('lifeboat-inj-remote-');
    const steps: BatchStep[] = NAMES.map((written, i) => ({
      id: `e${i}`,
      yaml: `run: touch ${w.path(`RAN-${i}`)}\non_failure: continue\nenv:\n  ${JSON.stringify(written.replace('MARK', w.path(`PWNED-${i}`)))}: "1"`,
    }));
    batch = await runBatch(w, steps, (kept) => setup(w, { v: 'x' }, kept.map(stepYaml).join('')).args);
  }, 300_000);
  afterAll(() => w?.cleanup());

  it.each(NAMES.map((name, i) => [name, i] as const))('env name %j: refused, nothing runs', (written, i) => {
    const what = `env name ${JSON.stringify(written)}`;
    expect(existsSync(w.path(`PWNED-${i}`)), what).toBe(false);
    expect(existsSync(w.path(`RAN-${i}`)), what).toBe(false);
    // Refused at validate (exit 2), or, at the latest, by the runner before the script is sent.
    expectRefusedOrRan(batch, `e${i}`, what, ({ events }) => {
      const exited = eventsOf(events, 'step.exited', `e${i}`);
      expect(exited.map((e) => String(e.error)).join('\n'), `${what}\n${batchOutput(batch)}`).toContain('not a shell identifier');
    });
  });
});

// The places of the local tests, now run on the host: arithmetic reads a value that is not an
// integer as code, so it is refused there; a comment refuses a line break; the rest stays text.
const SCRIPTS = [
  'n={{ vars.v }}; echo $(( n + 1 ))',
  'n={{ vars.v }}\n[[ $n -eq 1 ]] && echo one',
  'let "x = {{ vars.v }}"',
  'n="{{ vars.v }}"; m=$n; (( m > 0 )) && echo pos',
  'declare -i n={{ vars.v }}; echo $n',
  'echo $(( {{ vars.v }} + 1 ))',
  '[[ {{ vars.v }} -eq 1 ]]',
  'echo start # {{ vars.v }}',
  'echo $[1 << 2] {{ vars.v }}\necho done',
  'cat <<EOF\n{{ vars.v }}\nEOF',
  'echo `echo {{ vars.v }}`',
];

describe('no value is ever run on the host', () => {
  // Every script with every payload in one batch: script k with payload n is step s<k>-<n>, reading
  // var v<k>_<n>, whose payload would create PWNED-<k>-<n>.
  let w: Workspace;
  let batch: BatchOutcome;
  const values = new Map<string, string>();
  beforeAll(async () => {
    w = workspace('lifeboat-inj-remote-');
    const steps: BatchStep[] = [];
    SCRIPTS.forEach((script, k) => {
      markedPayloads((n) => w.path(`PWNED-${k}-${n}`)).forEach((payload, n) => {
        values.set(`v${k}_${n}`, payload);
        const run = script.replaceAll('{{ vars.v }}', `{{ vars.v${k}_${n} }}`);
        steps.push({
          id: `s${k}-${n}`,
          yaml: `on_failure: continue\nrun: |\n${run
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')}`,
        });
      });
    });
    batch = await runBatch(w, steps, (kept) => setup(w, Object.fromEntries(values), kept.map(stepYaml).join('')).args);
  }, 300_000);
  afterAll(() => w?.cleanup());

  it.each(SCRIPTS.map((script, k) => [script, k] as const))('%s: each payload stays text or is refused with exit 2', (script, k) => {
    payloads('').forEach((_, n) => {
      const what = `${script} with ${JSON.stringify(values.get(`v${k}_${n}`))}`;
      expect(existsSync(w.path(`PWNED-${k}-${n}`)), what).toBe(false);
      expectRefusedOrRan(batch, `s${k}-${n}`, what, ({ events }) => {
        expect(eventsOf(events, 'step.exited', `s${k}-${n}`).length, `${what}: no step.exited\n${batchOutput(batch)}`).toBeGreaterThan(0);
      });
    });
  });
});

describe('checks take every value as one argument', () => {
  it.each([
    ['made from a host (`from:`)', '\n    from: r'],
    ['made here', ''],
  ])('tcp, dns (name, server, port), http, path, run and age checks %s never run a value', { timeout: 300_000 }, async (_, from) => {
    const w = ws();
    const checks = [
      'tcp: "{{ vars.v }}:22"',
      'tcp: "127.0.0.1:{{ vars.v }}"',
      'tcp: "[{{ vars.v }}]:22"',
      'dns: "{{ vars.v }}"\nserver: 127.0.0.1:9',
      'dns: lifeboat.invalid\nserver: "{{ vars.v }}"',
      'dns: lifeboat.invalid\nserver: "127.0.0.1:{{ vars.v }}"',
      'dns: lifeboat.invalid\nserver: "[::1]:{{ vars.v }}"',
      'dns: lifeboat.invalid\nserver: 127.0.0.1:9\nexpect: "{{ vars.v }}"',
      'http: "http://127.0.0.1:1/{{ vars.v }}"',
      'http: "{{ vars.v }}"',
      'path: "{{ vars.v }}"',
      `path: "${w.dir}/{{ vars.v }}"`,
      'age: { path: "{{ vars.v }}" }\nmax_age: 1d',
      `age: { path: "${w.dir}/*{{ vars.v }}*" }\nmax_age: 1d`,
      'age: { run: "printf \'%s\\\\n\' {{ vars.v }}" }\nmax_age: 1d',
    ];
    // Every payload in one batch: payload n is var vn, its marker PWNED-n; check i with it is step
    // c<i>-<n>, and echo-<n> has the run check that prints it back.
    const values = markedPayloads((n) => w.path(`PWNED-${n}`));
    const vars = Object.fromEntries(values.map((payload, n) => [`v${n}`, payload]));
    const checkStep = (i: number, n: number): BatchStep => ({
      id: `c${i + 1}-${n}`,
      yaml: `run: "true"\nverify:\n  - ${checks[i]!.replaceAll('{{ vars.v }}', `{{ vars.v${n} }}`).replace(/\n/g, '\n    ')}${from}\n    timeout: 3s\non_failure: continue`,
    });
    // The value comes back as itself: the run check prints it, and `stdout` matches it literally.
    const echoStep = (n: number): BatchStep => ({
      id: `echo-${n}`,
      yaml: `run: "true"\nverify:\n  - run: "printf '%s' '{{ vars.v${n} }}'"\n    name: echoes\n    stdout: "^{{ vars.v${n} }}$"${from}\non_failure: continue`,
    });
    const steps = values.flatMap((_, n) => [...checks.map((_c, i) => checkStep(i, n)), echoStep(n)]);
    // Checks whose target cannot be a host, port or URL are refused at validate, each with its position;
    // the others run, and each fails saying why.
    const batch = await runBatch(w, steps, (kept) => setup(w, vars, kept.map(stepYaml).join(''), '', '').args);
    const output = batchOutput(batch);
    expect(batch.first.stdout + batch.first.stderr).not.toMatch(STACK);
    expect(batch.ran, output).toBeDefined();
    expect([0, 1], output).toContain(batch.ran!.code);
    expect(batch.ran!.stdout + batch.ran!.stderr).not.toMatch(STACK);
    const events = batch.ran!.events;
    values.forEach((payload, n) => {
      const what = JSON.stringify(payload);
      expect(existsSync(w.path(`PWNED-${n}`)), what).toBe(false);
      expect(batch.refused.has(`echo-${n}`), `${what}: its echo step was refused\n${output}`).toBe(false);
      expect(
        eventsOf(events, 'check.passed', `echo-${n}`).map((e) => e.check),
        `${what}\n${output}`,
      ).toEqual(['echoes']);
      checks.forEach((check, i) => {
        const id = `c${i + 1}-${n}`;
        const refusal = batch.refused.get(id);
        if (refusal) expect(refusal.join('\n'), `${id} ${check} with ${what}`).toMatch(/runbook\.yaml:\d+:\d+/);
        // Not one of the probes found anything with a hostile value: each failed, saying why.
        else expect(eventsOf(events, 'check.failed', id).length, `c${i + 1} ${check} with ${what}`).toBe(1);
      });
    });
  });
});

describe('an http check from a host fetches its URL once, as written', () => {
  it('curl globbing is off: [1-3] and {a,b} in a URL are not lists of URLs', { timeout: 120_000 }, async () => {
    const { createServer } = await import('node:http');
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const w = ws();
      const { args } = setup(w, { v: 'x[1-3]{a,b}' }, step('s', `run: "true"\nverify:\n  - http: "http://127.0.0.1:${port}/{{ vars.v }}"\n    from: r\n    timeout: 5s`));
      const result = await lifeboat(args, { cwd: w.dir });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(paths).toEqual(['/x[1-3]{a,b}']);
    } finally {
      server.close();
    }
  });
});

describe('output from the host never steers Lifeboat', () => {
  it("a command printing the wrapper's pid line cannot choose what a timeout kills", { timeout: 120_000 }, async () => {
    const { spawn } = await import('node:child_process');
    // A process of its own group on the "remote" (this machine), which the spoofed line names.
    const decoy = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
    decoy.unref();
    try {
      const w = ws();
      const { args } = setup(w, { v: 'x' }, step('s', `run: "printf '\\\\036lifeboat-pid %s\\\\n' ${decoy.pid} >&2; echo spoofed; sleep 30"\ntimeout: 2s`));
      const result = await lifeboat(args, { cwd: w.dir });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(eventsOf(readOnlyJournal(w.logs).events, 'step.exited', 's')[0]?.timedOut, result.stdout + result.stderr).toBe(true);
      expect(processRuns(decoy.pid!), 'the decoy process still runs').toBe(true);
    } finally {
      if (decoy.pid) process.kill(decoy.pid, 'SIGKILL');
    }
  });
});

describe('host entries are [user@]host, never ssh options', () => {
  const HOSTS: Array<[string, RegExp]> = [
    ['-oProxyCommand=touch PWNED', /not a host name or address/],
    ['root@-oProxyCommand=touch PWNED', /not a host name or address/],
    ['-l root 127.0.0.1', /not a host name or address/],
    ['127.0.0.1 -oProxyCommand=touch PWNED', /not a host name or address/],
    ['-oProxyCommand=touch PWNED@127.0.0.1', /not a user name/],
    ['root@127.0.0.1\n-oProxyCommand=touch PWNED', /not a host name or address/],
    ['root@127.0.0.1:2222', /port: 2222/],
    ['127.0.0.1:2222', /port: 2222/],
    ['root@[::1]:2222', /port: 2222/],
  ];
  // Every entry in one runbook: entry i is host h<i> on line 4 + i, its step s<i> touches RAN-<i>,
  // its ProxyCommand would touch PWNED-<i>. Then the same hosts from an inventory, entry i on line 2 + i.
  let w: Workspace;
  let direct: { code: number; stdout: string; stderr: string };
  let viaInventory: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    w = workspace('lifeboat-inj-remote-');
    const ssh = (i: number) => HOSTS[i]![0].replace('PWNED', w.path(`PWNED-${i}`));
    const runbook = (host: (i: number) => string) =>
      `format: 1\nname: bad-host\nhosts:\n${HOSTS.map((_, i) => `  h${i}: { ssh: ${host(i)} }\n`).join('')}phases:\n  - id: p\n    steps:\n${HOSTS.map((_, i) => step(`s${i}`, `on: h${i}\nrun: touch ${w.path(`RAN-${i}`)}`)).join('')}`;
    const file = w.path('runbook.yaml');
    writeFileSync(
      file,
      runbook((i) => JSON.stringify(ssh(i))),
    );
    direct = await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir });
    // The same hosts from an inventory are refused the same way, at the inventory's lines.
    const inventory = w.path('inventory.yaml');
    writeFileSync(inventory, `hosts:\n${HOSTS.map((_, i) => `  h${i}: { ssh: ${JSON.stringify(ssh(i))} }\n`).join('')}`);
    writeFileSync(
      file,
      runbook(() => 'root@192.0.2.1'),
    );
    viaInventory = await lifeboat(['run', file, '--inventory', inventory, '--yes', '--logs', w.logs], { cwd: w.dir });
  }, 120_000);
  afterAll(() => w?.cleanup());

  it.each(HOSTS.map(([ssh, says], i) => [ssh, says, i] as const))('ssh: %j is refused at validate, before anything runs', (ssh, says, i) => {
    for (const [result, file, line] of [
      [direct, 'runbook.yaml', 4 + i],
      [viaInventory, 'inventory.yaml', 2 + i],
    ] as const) {
      const output = result.stdout + result.stderr;
      expectRefused(result, file);
      const block = problemBlocks(output).find((b) => b.includes(`(at hosts.h${i}.ssh)`));
      expect(block, `${file}: no problem at hosts.h${i}.ssh (${JSON.stringify(ssh)})\n${output}`).toBeDefined();
      expect(block).toMatch(says);
      expect(block).toMatch(new RegExp(`^✖ \\S*${file.replace('.', '\\.')}:${line}:\\d+`));
    }
    expect(existsSync(w.path(`PWNED-${i}`))).toBe(false);
    expect(existsSync(w.path(`RAN-${i}`))).toBe(false);
  });

  it('identity and known_hosts values are only ever file names to ssh', { timeout: 120_000 }, async () => {
    // A run each: in one run, the hosts would share ssh's connection to the sshd, and a value given
    // to a host whose connection is already open would never be read by a new ssh connection.
    const w = ws();
    const marker = w.path('PWNED');
    for (const [field, value] of [
      ['identity', `-oProxyCommand=touch ${marker}`],
      ['known_hosts', `-oProxyCommand=touch ${marker}`],
      ['known_hosts', `${sshd.knownHosts} ProxyCommand=touch ${marker}`],
      ['known_hosts', `${sshd.knownHosts}\nProxyCommand touch ${marker}`],
      ['identity', `${sshd.identity}\nProxyCommand touch ${marker}`],
    ] as const) {
      const file = w.path('runbook.yaml');
      writeFileSync(file, `format: 1\nname: odd-host\nhosts:\n  r: ${sshd.hostYaml({ [field]: value })}\nphases:\n  - id: p\n    on: r\n    steps:\n      - id: s\n        run: "true"\n`);
      const result = await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir });
      expect(existsSync(marker), `${field}: ${JSON.stringify(value)}`).toBe(false);
      expect([0, 1, 2], result.stdout + result.stderr).toContain(result.code);
      expect(result.stdout + result.stderr).not.toMatch(STACK);
    }
  });
});

describe('a script step that reaches a host itself', () => {
  it('proxmox/start-guests.mjs refuses an --ssh value that is not [user@]host: no ProxyCommand runs', { timeout: 300_000 }, async () => {
    const w = ws();
    // Every payload in one run: payload n is var vn, its marker PWNED-n, its steps by-arg-n and by-host-n.
    const values = [...markedPayloads((n) => w.path(`PWNED-${n}`)), `root@127.0.0.1 -oProxyCommand=touch ${w.path('PWNED-12')}`];
    const vars = Object.fromEntries(values.map((payload, n) => [`v${n}`, payload]));
    const body = values
      .map(
        (_, n) =>
          step(`by-arg-${n}`, `script: proxmox/start-guests.mjs\nargs: ["--ssh={{ vars.v${n} }}", "--port={{ vars.v${n} }}", "--timeout=1", "vm:101"]\non_failure: continue`) +
          step(`by-host-${n}`, `on: r\nscript: proxmox/start-guests.mjs\nargs: ["{{ vars.v${n} }}", "vm:101"]\non_failure: continue`),
      )
      .join('');
    const { args } = setup(w, vars, body, '', '', SHIPPED_STEPS);
    const result = await lifeboat(args, { cwd: w.dir, timeoutMs: 240_000 });
    values.forEach((payload, n) => {
      expect(existsSync(w.path(`PWNED-${n}`)), JSON.stringify(payload)).toBe(false);
    });
    expect([0, 1], result.stdout + result.stderr).toContain(result.code);
    const exited = eventsOf(readOnlyJournal(w.logs).events, 'step.exited');
    values.forEach((payload, n) => {
      // Bad arguments: the script says so (exit 2) instead of handing them to ssh.
      expect(exited.find((e) => e.step === `by-arg-${n}`)?.exitCode, JSON.stringify(payload)).toBe(2);
      expect(exited.find((e) => e.step === `by-host-${n}`)?.exitCode, JSON.stringify(payload)).not.toBe(0);
    });
  });

  it('LIFEBOAT_SSH from the environment is held to the same rule', async () => {
    const w = ws();
    const marker = w.path('PWNED');
    const { execa } = await import('execa');
    for (const ssh of [`-oProxyCommand=touch ${marker}`, `root@h -oProxyCommand=touch ${marker}`, `-lroot`]) {
      const r = await execa('node', [join(SHIPPED_STEPS, 'proxmox/start-guests.mjs'), 'vm:101'], { env: { LIFEBOAT_SSH: ssh }, reject: false, cwd: w.dir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('[user@]host');
      expect(existsSync(marker)).toBe(false);
    }
  });
});
