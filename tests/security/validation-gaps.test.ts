// Broken runbooks that used to pass validate and fail later at run time: each is refused by the
// CLI with exit 2, the file, line and column, what was expected, what arrived and a hint, all
// problems at once, and no stack trace. `validate` goes through the CLI's own entry point in this
// process (tests/helpers/cli-in-process.ts: the same parsing, report and exit code, without
// starting node once per runbook); `run` and `plan` refusing before anything runs are real processes.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { type Workspace, workspace } from '../helpers/run-fixtures.js';

let w: Workspace;
afterEach(() => w?.cleanup());

interface Reported {
  file: string;
  line: number;
  column: number;
  message: string;
  expected?: string;
  got?: string;
  hint?: string;
}

/** The problems of a validate report, each with its position and its expected/got/hint lines. */
function problems(output: string): Reported[] {
  const out: Reported[] = [];
  for (const line of output.split('\n')) {
    const head = /^✖ (.+?):(\d+):(\d+): (.*)$/.exec(line);
    if (head) out.push({ file: head[1]!, line: Number(head[2]), column: Number(head[3]), message: head[4]!.replace(/ \(at [^)]*\)$/, '') });
    const detail = /^ {2}(expected|got|hint): +(.*)$/.exec(line);
    if (detail && out.length) out[out.length - 1]![detail[1] as 'expected' | 'got' | 'hint'] = detail[2]!;
  }
  return out;
}

/** Runs validate and checks what every refusal shares: exit 2, no stack trace, each problem complete. */
async function refused(args: string[], cwd: string): Promise<Reported[]> {
  const result = await lifeboatInProcess(['validate', ...args], { cwd });
  const output = result.stdout + result.stderr;
  expect(result.code, output).toBe(2);
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toContain('Error:');
  const found = problems(result.stdout);
  expect(found.length, output).toBeGreaterThan(0);
  for (const p of found) {
    expect(p.expected, `${p.line}:${p.column} ${p.message}`).toBeTruthy();
    expect(p.got, `${p.line}:${p.column} ${p.message}`).toBeTruthy();
  }
  return found;
}

/** The problem reported at a line, with its hint. */
function at(found: Reported[], line: number, file = 'rb.yaml'): Reported {
  const hit = found.find((p) => p.line === line && p.file.endsWith(file));
  expect(hit, `no problem at ${file}:${line} in\n${found.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`).join('\n')}`).toBeDefined();
  return hit!;
}

function write(name: string, text: string | Uint8Array): string {
  const file = w.path(name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('timeouts and intervals', () => {
  it('refuses zero, negative, endless and overlong timers wherever they are written, all at once', async () => {
    w = workspace('lifeboat-gaps-');
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a', //                    5
        '        run: "true"',
        '        timeout: 0', //                7
        '      - id: b',
        '        run: "true"',
        '        timeout: 0s', //              10
        '        retry_delay: 0', //           11: a pause of zero is meaningful
        '      - id: c',
        '        run: "true"',
        '        timeout: 0ms 0s', //          14
        '        verify:',
        '          - run: "true"',
        '            timeout: 0', //           17
        '          - tcp: "127.0.0.1:22"',
        '            timeout: 0h', //          19
        '      - id: d',
        '        wait:',
        '          until: [{ run: "true" }]',
        '          timeout: 0', //             23
        '          interval: 0s', //           24
        '      - id: e',
        '        run: "true"',
        '        timeout: -5', //              27
        '      - id: f',
        '        run: "true"',
        '        timeout: 1000h', //           30
        '      - id: g',
        '        run: "true"',
        '        timeout: .inf', //            33
        '      - id: h',
        '        run: "true"',
        '        retry_delay: -1s', //         36
        '      - id: i',
        '        run: "true"',
        '        timeout: 30s', //             39: fine
        '',
      ].join('\n'),
    );
    const found = await refused([rb, '--steps', w.steps], w.dir);
    for (const line of [7, 10, 14, 17, 19, 23, 24]) {
      const p = at(found, line);
      expect(p.message).toMatch(/zero/);
      expect(p.expected).toContain('greater than zero');
      expect(p.hint).toBeTruthy();
    }
    expect(at(found, 30).message).toMatch(/longer than/);
    for (const line of [27, 33, 36]) expect(at(found, line).message).toMatch(/invalid duration/);
    expect(found.some((p) => p.line === 11 || p.line === 39)).toBe(false);
  });

  it('checks a timer given by a var, a vars file or --var once interpolated', async () => {
    w = workspace('lifeboat-gaps-');
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'vars: { t: 30s }',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        '        run: "true"',
        '        verify:',
        '          - run: "true"',
        '            timeout: "{{ vars.t }}"',
        '',
      ].join('\n'),
    );
    for (const value of ['0', '0s', '0ms', '0h0m', '-1s', '999h', 'soon']) {
      const found = await refused([rb, '--steps', w.steps, '--var', `t=${value}`], w.dir);
      const p = at(found, 10);
      expect(p.column).toBe(22);
      expect(p.got).toContain(`(from {{ vars.t }})`);
    }
    write('vars.yaml', 't: 0s\n');
    at(await refused([rb, '--steps', w.steps, '--vars', w.path('vars.yaml')], w.dir), 10);
    const fine = await lifeboatInProcess(['validate', rb, '--steps', w.steps, '--var', 't=5s'], { cwd: w.dir });
    expect(fine.code, fine.stdout).toBe(0);
  });

  it('checks a duration param of a template where the template uses it as a timeout', async () => {
    w = workspace('lifeboat-gaps-');
    write('steps/demo/limited.yaml', ['params:', '  limit: { type: duration, default: 5m }', 'step:', '  run: "true"', '  timeout: "{{ params.limit }}"', ''].join('\n'));
    for (const value of ['0', '0s', '"0ms"', '700h']) {
      const rb = write('rb.yaml', ['name: gaps', 'phases:', '  - id: p', '    steps:', '      - uses: demo/limited', `        with: { limit: ${value} }`, ''].join('\n'));
      const found = await refused([rb, '--steps', w.steps], w.dir);
      const p = at(found, 5, 'limited.yaml');
      expect(p.message).toMatch(/timeout/);
      expect(p.got).toContain('{{ params.limit }}');
    }
  });

  it('run refuses before anything runs', async () => {
    w = workspace('lifeboat-gaps-');
    const marker = w.path('RAN');
    const rb = write(
      'rb.yaml',
      ['name: gaps', 'phases:', '  - id: p', '    steps:', '      - id: a', `        run: touch ${marker}`, '      - id: b', '        run: "true"', '        timeout: 0', ''].join('\n'),
    );
    const result = await lifeboat(['run', rb, '--yes', '--logs', w.logs, '--steps', w.steps], { cwd: w.dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/rb\.yaml:9:18/);
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(marker)).toBe(false);
    const plan = await lifeboat(['plan', rb, '--steps', w.steps], { cwd: w.dir });
    expect(plan.code).toBe(2);
  });
});

describe('tcp checks and other network targets', () => {
  const TARGETS: Array<[string, RegExp]> = [
    ['nas', /port is missing/],
    ['192.168.10.20', /port is missing/],
    ['"[::1]"', /port is missing/],
    ['"nas:"', /not a port/],
    ['"nas:0"', /outside 1-65535/],
    ['"nas:65536"', /outside 1-65535/],
    ['"nas:99999"', /outside 1-65535/],
    ['"nas:ssh"', /not a port/],
    ['"nas:-22"', /not a port/],
    ['"::1:22"', /brackets/],
    ['":22"', /host is missing/],
    ['"n a s:22"', /not a host name/],
    ['"$(touch x):22"', /not a host name/],
    ['"-oProxyCommand=x:22"', /not a host name/],
  ];

  it('refuses a tcp target without a valid host and port, written in place', async () => {
    w = workspace('lifeboat-gaps-');
    const checks = TARGETS.map(([t]) => `          - tcp: ${t}`);
    const rb = write('rb.yaml', ['name: gaps', 'phases:', '  - id: p', '    steps:', '      - id: a', '        run: "true"', '        verify:', ...checks, ''].join('\n'));
    const found = await refused([rb, '--steps', w.steps], w.dir);
    TARGETS.forEach(([target, why], i) => {
      const p = at(found, 8 + i);
      expect(p.message, target).toBe('a tcp check needs host:port');
      expect(p.column).toBe(18);
      expect(p.hint, target).toMatch(why);
    });
  });

  it('checks a target once vars, --var, a vars file or an inventory filled it in', async () => {
    w = workspace('lifeboat-gaps-');
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'vars: { ip: "10.0.0.1", port: "22" }',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        '        run: "true"',
        '        verify:',
        '          - tcp: "{{ vars.ip }}"',
        '          - tcp: "nas:{{ vars.port }}"',
        '',
      ].join('\n'),
    );
    // Line 9 takes the whole target from ip: without a port it is refused.
    let p = at(await refused([rb, '--steps', w.steps], w.dir), 9);
    expect(p.got).toBe('"10.0.0.1" (from {{ vars.ip }})');
    for (const ip of ['[::1]', 'nas', '10.0.0.1:0', 'nas:70000', 'a b:22']) at(await refused([rb, '--steps', w.steps, '--var', `ip=${ip}`], w.dir), 9);
    for (const port of ['0', '65536', 'ssh', '22;touch x', '']) {
      p = at(await refused([rb, '--steps', w.steps, '--var', 'ip=nas:22', '--var', `port=${port}`], w.dir), 10);
      expect(p.got).toContain('(from nas:{{ vars.port }})');
    }
    write('inv.yaml', 'vars:\n  ip: "[fe80::1]"\n');
    at(await refused([rb, '--steps', w.steps, '--inventory', w.path('inv.yaml')], w.dir), 9);
    write('vars.yaml', 'port: 123456\n');
    at(await refused([rb, '--steps', w.steps, '--var', 'ip=nas:22', '--vars', w.path('vars.yaml')], w.dir), 10);
    for (const ip of ['nas:22', '[::1]:22', '10.0.0.1:65535']) {
      const fine = await lifeboatInProcess(['validate', rb, '--steps', w.steps, '--var', `ip=${ip}`], { cwd: w.dir });
      expect(fine.code, `${ip}\n${fine.stdout}`).toBe(0);
    }
  });

  it('refuses a dns server that is not an address with an optional port, and an http URL with a bad port', async () => {
    w = workspace('lifeboat-gaps-');
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'vars: { srv: "127.0.0.1" }',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        '        run: "true"',
        '        verify:',
        '          - dns: nas.lan',
        '            server: "{{ vars.srv }}"', // 10
        '          - dns: nas.lan',
        '            server: "127.0.0.1:53;touch x;#"', // 12
        '          - http: "http://nas:99999/"', // 13
        '          - http: "http://{{ vars.srv }}/"', // 14
        '          - dns: nas.lan',
        '            server: "::1"', // 16: fine
        '',
      ].join('\n'),
    );
    const found = await refused([rb, '--steps', w.steps, '--var', 'srv=1.2.3.4:0'], w.dir);
    expect(at(found, 10).message).toMatch(/dns server/);
    expect(at(found, 12).hint).toMatch(/not a port/);
    expect(at(found, 13).message).toMatch(/http check needs a URL/);
    expect(at(found, 14).got).toContain('(from http://{{ vars.srv }}/)');
    expect(found.some((p) => p.line === 16)).toBe(false);
  });
});

describe('bytes that are not UTF-8', () => {
  // [bytes after "echo ", what arrives, column of the first bad byte]
  const PAYLOADS: Array<[number[], string]> = [
    [[0xe9, 0x20, 0x6f, 0x6b], '0xE9'], // latin-1 é
    [[0xff], '0xFF'],
    [[0x80], '0x80'], // a continuation byte alone
    [[0xc0, 0xaf], '0xC0'], // an overlong '/'
    [[0xed, 0xa0, 0x80], '0xED'], // a UTF-16 surrogate
    [[0xf4, 0x90, 0x80, 0x80], '0xF4'], // past U+10FFFF
    [[0xe2, 0x82], '0xE2'], // cut short
  ];

  function bytes(...parts: Array<string | number[]>): Uint8Array {
    return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  }

  it.each(PAYLOADS)('refuses a runbook holding %j at the first bad byte', async (payload, shown) => {
    w = workspace('lifeboat-gaps-');
    // "é" and "✓" before the bad byte: the column counts characters, not bytes.
    const rb = write('rb.yaml', bytes('name: gaps\nphases:\n  - id: p\n    steps:\n      - id: a\n        run: echo é✓ ', payload, '\n'));
    const found = await refused([rb, '--steps', w.steps], w.dir);
    const p = at(found, 6);
    expect(p.column).toBe(22);
    expect(p.message).toBe('the file is not UTF-8 text');
    expect(p.got).toContain(shown);
    expect(p.hint).toMatch(/UTF-8/);
  });

  it('refuses a template, a vars file and an inventory that are not UTF-8, with the other problems', async () => {
    w = workspace('lifeboat-gaps-');
    write('steps/demo/latin.yaml', bytes('step:\n  run: echo caf', [0xe9], '\n'));
    write('vars.yaml', bytes('v: "', [0xff, 0xfe], '"\n'));
    write('inv.yaml', bytes('vars:\n  v: x\nhosts:\n  nas: { ssh: "root@n', [0xe4], 's" }\n'));
    const rb = write(
      'rb.yaml',
      ['name: gaps', 'vars: { v: "1" }', 'phases:', '  - id: p', '    steps:', '      - uses: demo/latin', '      - id: b', '        run: "true"', '        timeout: 0', ''].join('\n'),
    );
    const found = await refused([rb, '--steps', w.steps, '--vars', w.path('vars.yaml'), '--inventory', w.path('inv.yaml')], w.dir);
    expect(at(found, 2, 'latin.yaml').column).toBe(16);
    expect(at(found, 1, 'vars.yaml').column).toBe(5);
    expect(at(found, 4, 'inv.yaml').column).toBe(22);
    // The runbook's own problem is reported in the same answer.
    expect(at(found, 9).message).toMatch(/zero/);
  });
});

describe('environment variable names', () => {
  const NAMES = ['FOO-BAR', 'A;touch x', 'A B', '1ABC', '', 'A=B', '$(id)', 'Ä', 'a.b', 'LIFEBOAT_SECRET_x'];

  it('refuses step env names a shell cannot export, each at its key', async () => {
    w = workspace('lifeboat-gaps-');
    const env = NAMES.map((n) => `          ${JSON.stringify(n)}: "1"`);
    const rb = write('rb.yaml', ['name: gaps', 'phases:', '  - id: p', '    steps:', '      - id: a', '        run: "true"', '        env:', ...env, '          GOOD_name_1: "1"', ''].join('\n'));
    const found = await refused([rb, '--steps', w.steps], w.dir);
    NAMES.forEach((name, i) => {
      const p = at(found, 8 + i);
      expect(p.column).toBe(11);
      expect(p.got).toBe(JSON.stringify(name));
    });
    expect(found.some((p) => p.line === 8 + NAMES.length)).toBe(false);
  });

  it('refuses the same names in a template and as a secret source, and a code-reading variable filled from a var', async () => {
    w = workspace('lifeboat-gaps-');
    write('steps/demo/env.yaml', ['step:', '  run: "true"', '  env:', '    "X-Y": "1"', ''].join('\n'));
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'vars: { x: /tmp/evil }',
        'secrets:',
        '  k: { env: "NAS-KEY" }', // 4
        '  j: { env: "A;B" }', // 5
        'phases:',
        '  - id: p',
        '    steps:',
        '      - uses: demo/env',
        '      - id: b',
        '        run: "true"',
        '        env:',
        '          BASH_ENV: "{{ vars.x }}"', // 13
        '          LD_PRELOAD: "{{ vars.x }}"', // 14
        '          PATH: "/usr/sbin:{{ vars.x }}"', // 15
        '          NODE_OPTIONS: "--require {{ vars.x }}"', // 16
        '          SAFE: "{{ vars.x }}"', // 17: fine
        '          PATH_X: /usr/bin', // 18: fine
        '',
      ].join('\n'),
    );
    const found = await refused([rb, '--steps', w.steps], w.dir);
    expect(at(found, 4, 'env.yaml').got).toBe('"X-Y"');
    expect(at(found, 4).column).toBe(13);
    expect(at(found, 5).column).toBe(13);
    for (const line of [13, 14, 15, 16]) expect(at(found, line).message).toMatch(/cannot take its value from a reference/);
    expect(found.some((p) => p.line === 17 || p.line === 18)).toBe(false);
  });
});

describe('values that would do nothing or can never be met', () => {
  it('refuses empty commands, texts, paths and names, impossible exit codes and a wait without checks, all at once', async () => {
    w = workspace('lifeboat-gaps-');
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'secrets:',
        '  k: { file: "" }', // 3
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        '        run: ""', // 8
        '      - id: b',
        '        run: "  "', // 10
        '      - id: c',
        '        manual: ""', // 12
        '      - id: d',
        '        run: "true"',
        '        confirm: { typed: " " }', // 15
        '        verify:',
        '          - run: ""', // 17
        '          - run: "true"',
        '            exit: 256', // 19
        '          - run: "true"',
        '            exit: -1', // 21
        '          - path: ""', // 22
        '          - dns: " "', // 23
        '          - run: "true"',
        '            exit: 255', // 25: fine
        '      - id: e',
        '        wait:',
        '          until: []', // 28
        '',
      ].join('\n'),
    );
    const found = await refused([rb, '--steps', w.steps], w.dir);
    for (const line of [3, 8, 10, 12, 15, 17, 19, 21, 22, 23, 28]) expect(at(found, line).hint).toBeTruthy();
    expect(at(found, 19).message).toMatch(/can never happen/);
    expect(found.some((p) => p.line === 25)).toBe(false);
  });

  it('refuses a path or dns name that a var leaves empty', async () => {
    w = workspace('lifeboat-gaps-');
    const rb = write(
      'rb.yaml',
      [
        'name: gaps',
        'vars: { p: /tmp, n: nas.lan }',
        'phases:',
        '  - id: p',
        '    steps:',
        '      - id: a',
        '        run: "true"',
        '        verify:',
        '          - path: "{{ vars.p }}"',
        '          - dns: "{{ vars.n }}"',
        '',
      ].join('\n'),
    );
    const found = await refused([rb, '--steps', w.steps, '--var', 'p=', '--var', 'n= '], w.dir);
    expect(at(found, 9).got).toBe('"" (from {{ vars.p }})');
    expect(at(found, 10).got).toBe('" " (from {{ vars.n }})');
  });
});

describe('NUL characters', () => {
  it('refuses a raw NUL byte and a \\0 escape at their position, and keeps an escaped backslash', async () => {
    w = workspace('lifeboat-gaps-');
    const head = 'name: gaps\nphases:\n  - id: p\n    steps:\n      - id: s\n';
    expect(at(await refused([write('rb.yaml', `${head}        run: echo a\0b\n`), '--steps', w.steps], w.dir), 6).column).toBe(20);
    for (const nulEscape of ['\\0', '\\x00', '\\u0000']) {
      expect(at(await refused([write('rb.yaml', `${head}        run: "echo a${nulEscape}b"\n`), '--steps', w.steps], w.dir), 6).column).toBe(21);
    }
    const fine = await lifeboatInProcess(['validate', write('rb.yaml', `${head}        run: "echo a\\\\0b"\n`), '--steps', w.steps], { cwd: w.dir });
    expect(fine.code, fine.stdout).toBe(0);
  });
});
