// Hostile values tried as an attacker would, over a throwaway sshd on 127.0.0.1 (the "remote" is
// this machine, so a command run there would leave its marker file here): in a remote step's
// command, in every quoting place; in checks made `from:` a host; in env values and secrets that
// travel to the host; in host entries; in the arguments of a script step that reaches a host.
// Each value either reaches the command as exactly its text, or is refused (exit 2,
// file:line:col, no stack trace); the marker a payload would create never exists.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { eventsOf, processRuns, readOnlyJournal, workspacesPerTest, type Workspace } from '../helpers/run-fixtures.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

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

/** A value with a NUL byte: no command can carry it, so it must be refused, never cut short. */
const nulPayload = (marker: string) => `safe\0; touch ${marker}`;

/** The position of a refused value, without a stack trace. */
function expectRefused(result: { code: number; stdout: string; stderr: string }, file = 'runbook.yaml') {
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stdout + result.stderr).toMatch(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+`));
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
}

/** Writes the runbook with host `r` (the test sshd) and the value as var `v` in a vars file (so a NUL can travel). */
function setup(w: Workspace, payload: string, body: string, head = '', on = 'r'): { file: string; args: string[] } {
  const file = w.path('runbook.yaml');
  writeFileSync(file, `format: 1\nname: inj-remote\nvars: { v: "1" }\n${head}hosts:\n  r: ${sshd.hostYaml()}\nphases:\n  - id: p\n${on ? `    on: ${on}\n` : ''}    steps:\n${body}`);
  // A JSON string is a YAML double-quoted scalar: every byte of the payload, NUL and CR included.
  writeFileSync(w.path('v.yaml'), `v: ${JSON.stringify(payload)}\n`);
  return { file, args: ['run', file, '--yes', '--logs', w.logs, '--steps', w.steps, '--vars', w.path('v.yaml')] };
}

/** Forgets the last run (its logs and what its steps wrote), keeping the workspace for the next payload. */
function fresh(w: Workspace): void {
  rmSync(w.logs, { recursive: true, force: true });
  for (const name of readdirSync(w.dir)) if (name.startsWith('out-')) rmSync(w.path(name), { force: true });
}

/** A step of the runbook body. */
function step(id: string, lines: string): string {
  return `      - id: ${id}\n${lines
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n')}\n`;
}

describe('a value reaches a remote command as exactly its text', () => {
  it.each([
    ['on a host', 'r'],
    ['here', ''],
  ])('in every quoting place of a step %s, in env values and in secrets', { timeout: 300_000 }, async (_, on) => {
    const w = ws();
    const out = (name: string) => w.path(`out-${name}`);
    const places: Array<[string, string]> = [
      ['word', `printf '%s' {{ vars.v }} > ${out('word')}`],
      ['single', `printf '%s' '{{ vars.v }}' > ${out('single')}`],
      ['double', `printf '%s' "{{ vars.v }}" > ${out('double')}`],
      ['mixed', `printf '%s' x"{{ vars.v }}"'{{ vars.v }}'{{ vars.v }} > ${out('mixed')}`],
      ['subst', `x="$(printf '%s' "{{ vars.v }}")"; printf '%s' "$x" > ${out('subst')}`],
      ['assign', `v={{ vars.v }}; printf '%s' "$v" > ${out('assign')}`],
      ['herestring', `cat <<< {{ vars.v }} > ${out('herestring')}`],
      ['secret-word', `printf '%s' {{ secrets.s }} > ${out('secret-word')}`],
      ['secret-single', `printf '%s' '{{ secrets.s }}' > ${out('secret-single')}`],
      ['secret-double', `printf '%s' "{{ secrets.s }}" > ${out('secret-double')}`],
    ];
    const expected = (name: string, payload: string) => (name === 'mixed' ? `x${payload}${payload}${payload}` : name === 'herestring' ? `${payload}\n` : payload);
    const names = [...places.map(([name]) => name), 'env', 'env-secret'];
    for (const payload of payloads(w.path('PWNED'))) {
      // One step holds every place (a line each), another the env values: fewer round trips, the same parsing.
      const body =
        step('places', `run: |\n${places.map(([, run]) => `  ${run}`).join('\n')}`) +
        step('env', `run: ${JSON.stringify(`printf '%s' "$V" > ${out('env')}; printf '%s' "$S" > ${out('env-secret')}; printf '%s' "$SSH_CONNECTION" > ${out('where')}`)}\nenv:\n  V: "{{ vars.v }}"\n  S: "{{ secrets.s }}"`);
      const { args } = setup(w, payload, body, `secrets:\n  s: { file: ${JSON.stringify(w.path('secret.txt'))} }\n`, on);
      // A secret file's last line break is not part of the secret.
      writeFileSync(w.path('secret.txt'), `${payload}\n`);
      const result = await lifeboat(args, { cwd: w.dir });
      expect(existsSync(w.path('PWNED')), JSON.stringify(payload)).toBe(false);
      expect(result.code, `${JSON.stringify(payload)}\n${result.stdout}${result.stderr}`).toBe(0);
      const steps = eventsOf(readOnlyJournal(w.logs).events, 'step.finished');
      expect(steps.every((e) => e.status === 'done')).toBe(true);
      // On a host, the steps ran there: ssh's own variable says so.
      if (on) expect(readFileSync(out('where'), 'utf8')).toMatch(/^127\.0\.0\.1 /);
      for (const name of names) expect(readFileSync(out(name), 'utf8'), `${name} with ${JSON.stringify(payload)}`).toBe(expected(name, payload));
      fresh(w);
    }
  });

  it('a value with a NUL byte is refused at validate with its position; nothing reaches the host', async () => {
    const w = ws();
    for (const run of [`printf '%s' {{ vars.v }} > ${w.path('out')}`, `printf '%s' "{{ vars.v }}"`, `echo '{{ vars.v }}'`]) {
      const { args } = setup(w, nulPayload(w.path('PWNED')), step('s', `run: ${JSON.stringify(run)}`));
      const result = await lifeboat(args, { cwd: w.dir });
      // The NUL is in the vars file: that is where its position points.
      expectRefused(result, 'v.yaml');
      expect(result.stdout + result.stderr).toContain('NUL');
      expect(existsSync(w.path('PWNED'))).toBe(false);
      expect(existsSync(w.path('out'))).toBe(false);
    }
    // In an env value too: the remote script would be cut at the NUL.
    const { args } = setup(w, nulPayload(w.path('PWNED')), step('s', `run: "true"\nenv:\n  V: "{{ vars.v }}"`));
    const result = await lifeboat(args, { cwd: w.dir });
    expect(existsSync(w.path('PWNED'))).toBe(false);
    expect([1, 2], result.stdout + result.stderr).toContain(result.code);
    expect(result.stdout + result.stderr).toContain('NUL');
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('env names never become code on the host', () => {
  it.each([';touch MARK;#', 'A;touch MARK;B', 'A=$(touch MARK)', 'A B', '-x', 'A\ntouch MARK'])('env name %j: refused, nothing runs', { timeout: 60_000 }, async (written) => {
    const w = ws();
    const name = written.replace('MARK', w.path('PWNED'));
    const { args } = setup(w, 'x', step('s', `run: touch ${w.path('RAN')}\nenv:\n  ${JSON.stringify(name)}: "1"`));
    const result = await lifeboat(args, { cwd: w.dir });
    expect(existsSync(w.path('PWNED'))).toBe(false);
    expect(existsSync(w.path('RAN'))).toBe(false);
    // Refused at validate (exit 2), or, at the latest, by the runner before the script is sent (exit 1).
    expect([1, 2], result.stdout + result.stderr).toContain(result.code);
    if (result.code === 2) expectRefused(result);
    else expect(result.stdout + result.stderr).toContain('not a shell identifier');
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
  it.each(SCRIPTS)('%s: each payload stays text or is refused with exit 2', { timeout: 300_000 }, async (script) => {
    const w = ws();
    const marker = w.path('PWNED');
    for (const payload of payloads(marker)) {
      const { args } = setup(w, payload, step('s', `run: |\n${script.split('\n').map((l) => `  ${l}`).join('\n')}`));
      const result = await lifeboat(args, { cwd: w.dir });
      expect(existsSync(marker), `${script} with ${JSON.stringify(payload)}`).toBe(false);
      expect([0, 1, 2], result.stdout + result.stderr).toContain(result.code);
      if (result.code === 2) expectRefused(result);
      else expect(readOnlyJournal(w.logs).events.some((e) => e.kind === 'step.exited')).toBe(true);
      fresh(w);
    }
  });
});

describe('checks take every value as one argument', () => {
  it.each([
    ['made from a host (`from:`)', '\n    from: r'],
    ['made here', ''],
  ])('tcp, dns (name, server, port), http, path, run and age checks %s never run a value', { timeout: 300_000 }, async (_, from) => {
    const w = ws();
    const marker = w.path('PWNED');
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
      "age: { run: \"printf '%s\\\\n' {{ vars.v }}\" }\nmax_age: 1d",
    ];
    const stepOf = (i: number) => step(`c${i + 1}`, `run: "true"\nverify:\n  - ${checks[i]!.replace(/\n/g, '\n    ')}${from}\n    timeout: 3s\non_failure: continue`);
    // The value comes back as itself: the run check prints it, and `stdout` matches it literally.
    const echo = step('echo', `run: "true"\nverify:\n  - run: "printf '%s' '{{ vars.v }}'"\n    name: echoes\n    stdout: "^{{ vars.v }}$"${from}`);
    for (const payload of payloads(marker)) {
      // Checks whose target cannot be a host, port or URL are refused at validate, each with its position.
      const all = checks.map((_, i) => i);
      const first = await lifeboat(setup(w, payload, all.map(stepOf).join('') + echo, '', '').args, { cwd: w.dir });
      expect(existsSync(marker), JSON.stringify(payload)).toBe(false);
      expect(first.stdout + first.stderr).not.toMatch(/\n\s+at /);
      const refused = new Set([...(first.stdout + first.stderr).matchAll(/at phases\[0\]\.steps\[(\d+)\]/g)].map((m) => Number(m[1])));
      if (first.code === 2) {
        expect(refused.size, `${JSON.stringify(payload)}\n${first.stdout}${first.stderr}`).toBeGreaterThan(0);
        expect(first.stdout + first.stderr).toMatch(/runbook\.yaml:\d+:\d+/);
      }
      fresh(w);
      // The others run, and each fails saying why.
      const kept = all.filter((i) => !refused.has(i));
      const { args } = setup(w, payload, kept.map(stepOf).join('') + echo, '', '');
      const result = await lifeboat(args, { cwd: w.dir });
      expect(existsSync(marker), JSON.stringify(payload)).toBe(false);
      expect([0, 1], `${JSON.stringify(payload)}\n${result.stdout}${result.stderr}`).toContain(result.code);
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
      const events = readOnlyJournal(w.logs).events;
      expect(eventsOf(events, 'check.passed', 'echo').map((e) => e.check), JSON.stringify(payload)).toEqual(['echoes']);
      // Not one of the probes found anything with a hostile value: each failed, saying why.
      for (const i of kept) expect(eventsOf(events, 'check.failed', `c${i + 1}`).length, `c${i + 1} ${checks[i]} with ${JSON.stringify(payload)}`).toBe(1);
      fresh(w);
    }
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
      const { args } = setup(w, `x[1-3]{a,b}`, step('s', `run: "true"\nverify:\n  - http: "http://127.0.0.1:${port}/{{ vars.v }}"\n    from: r\n    timeout: 5s`));
      const result = await lifeboat(args, { cwd: w.dir });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(paths).toEqual(['/x[1-3]{a,b}']);
    } finally {
      server.close();
    }
  });
});

describe('output from the host never steers Lifeboat', () => {
  it('a command printing the wrapper\'s pid line cannot choose what a timeout kills', { timeout: 120_000 }, async () => {
    const { spawn } = await import('node:child_process');
    // A process of its own group on the "remote" (this machine), which the spoofed line names.
    const decoy = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
    decoy.unref();
    try {
      const w = ws();
      const { args } = setup(w, 'x', step('s', `run: "printf '\\\\036lifeboat-pid %s\\\\n' ${decoy.pid} >&2; echo spoofed; sleep 30"\ntimeout: 2s`));
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
  it.each([
    ['-oProxyCommand=touch PWNED', /not a host name or address/],
    ['root@-oProxyCommand=touch PWNED', /not a host name or address/],
    ['-l root 127.0.0.1', /not a host name or address/],
    ['127.0.0.1 -oProxyCommand=touch PWNED', /not a host name or address/],
    ['-oProxyCommand=touch PWNED@127.0.0.1', /not a user name/],
    ['root@127.0.0.1\n-oProxyCommand=touch PWNED', /not a host name or address/],
    ['root@127.0.0.1:2222', /port: 2222/],
    ['127.0.0.1:2222', /port: 2222/],
    ['root@[::1]:2222', /port: 2222/],
  ])('ssh: %j is refused at validate, before anything runs', { timeout: 60_000 }, async (ssh, says) => {
    const w = ws();
    const file = w.path('runbook.yaml');
    writeFileSync(file, `format: 1\nname: bad-host\nhosts:\n  r: { ssh: ${JSON.stringify(ssh)} }\nphases:\n  - id: p\n    on: r\n    steps:\n      - id: s\n        run: touch ${w.path('RAN')}\n`);
    const result = await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir });
    expectRefused(result);
    expect(result.stdout + result.stderr).toMatch(says);
    expect(result.stdout + result.stderr).toMatch(/runbook\.yaml:4:\d+/);
    expect(existsSync(w.path('PWNED'))).toBe(false);
    expect(existsSync(w.path('RAN'))).toBe(false);
    // The same host from an inventory is refused the same way, at the inventory's line.
    const inventory = w.path('inventory.yaml');
    writeFileSync(inventory, `hosts:\n  r: { ssh: ${JSON.stringify(ssh)} }\n`);
    writeFileSync(file, `format: 1\nname: bad-host\nhosts:\n  r: { ssh: root@192.0.2.1 }\nphases:\n  - id: p\n    on: r\n    steps:\n      - id: s\n        run: touch ${w.path('RAN')}\n`);
    const viaInventory = await lifeboat(['run', file, '--inventory', inventory, '--yes', '--logs', w.logs], { cwd: w.dir });
    expectRefused(viaInventory, 'inventory.yaml');
    expect(viaInventory.stdout + viaInventory.stderr).toMatch(says);
    expect(existsSync(w.path('RAN'))).toBe(false);
  });

  it('identity and known_hosts values are only ever file names to ssh', { timeout: 120_000 }, async () => {
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
      writeFileSync(
        file,
        `format: 1\nname: odd-host\nhosts:\n  r: ${sshd.hostYaml({ [field]: value })}\nphases:\n  - id: p\n    on: r\n    steps:\n      - id: s\n        run: "true"\n`,
      );
      const result = await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir });
      expect(existsSync(marker), `${field}: ${JSON.stringify(value)}`).toBe(false);
      expect([0, 1, 2], result.stdout + result.stderr).toContain(result.code);
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
      fresh(w);
    }
  });
});

describe('a script step that reaches a host itself', () => {
  it('proxmox/start-guests.mjs refuses an --ssh value that is not [user@]host: no ProxyCommand runs', { timeout: 300_000 }, async () => {
    const w = ws();
    const marker = w.path('PWNED');
    for (const payload of [...payloads(marker), `root@127.0.0.1 -oProxyCommand=touch ${marker}`]) {
      const file = w.path('runbook.yaml');
      writeFileSync(
        file,
        `format: 1\nname: script-args\nvars: { v: "1" }\nhosts:\n  r: ${sshd.hostYaml()}\nphases:\n  - id: p\n    steps:\n      - id: by-arg\n        script: proxmox/start-guests.mjs\n        args: ["--ssh={{ vars.v }}", "--port={{ vars.v }}", "--timeout=1", "vm:101"]\n        on_failure: continue\n      - id: by-host\n        on: r\n        script: proxmox/start-guests.mjs\n        args: ["{{ vars.v }}", "vm:101"]\n        on_failure: continue\n`,
      );
      writeFileSync(w.path('v.yaml'), `v: ${JSON.stringify(payload)}\n`);
      const result = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', SHIPPED_STEPS, '--vars', w.path('v.yaml')], { cwd: w.dir });
      expect(existsSync(marker), JSON.stringify(payload)).toBe(false);
      expect([0, 1], result.stdout + result.stderr).toContain(result.code);
      const exited = eventsOf(readOnlyJournal(w.logs).events, 'step.exited');
      // Bad arguments: the script says so (exit 2) instead of handing them to ssh.
      expect(exited.find((e) => e.step === 'by-arg')?.exitCode, JSON.stringify(payload)).toBe(2);
      expect(exited.find((e) => e.step === 'by-host')?.exitCode, JSON.stringify(payload)).not.toBe(0);
      fresh(w);
    }
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
