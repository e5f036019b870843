import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { parseMermaid } from '../helpers/mermaid.js';

// What plan, graph and validate print, and how they refuse a mistake, goes through the CLI's entry
// point in this process (tests/helpers/cli-in-process.ts: the same parsing, output and exit code,
// without starting node for each). Real processes stay where only a process shows it: nothing written
// by a whole run of the CLI, help and version as invoked, colour by environment and terminal.

const FIXTURES = join(ROOT, 'tests/fixtures/valid');
/** The runbook and --steps arguments of a fixture, as absolute paths (the CLI may run from a temp dir). */
const fixture = (name: string): string[] => [join(FIXTURES, name, 'runbook.yaml'), '--steps', join(FIXTURES, name, 'steps')];

const HOMELAB = fixture('homelab');
const TRICKY = fixture('tricky-names');
const SIDE_EFFECTS = fixture('side-effects');

const ANSI = /\u001b\[/;
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

const hasDot = spawnSync('dot', ['-V'], { stdio: 'ignore' }).status === 0;

/** Checks DOT text for balanced braces and brackets outside strings, and strings that all close. */
function dotStructure(text: string): { braces: number; brackets: number; openString: boolean; statements: number } {
  let braces = 0;
  let brackets = 0;
  let inString = false;
  let statements = 0;
  let minBraces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') braces++;
    else if (c === '}') braces--;
    else if (c === '[') brackets++;
    else if (c === ']') brackets--;
    else if (c === ';') statements++;
    minBraces = Math.min(minBraces, braces);
  }
  if (minBraces < 0) braces = Number.NaN;
  return { braces, brackets, openString: inString, statements };
}

describe('lifeboat plan runs nothing', () => {
  let dir: string;
  let control: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-plan-'));
    control = mkdtempSync(join(tmpdir(), 'lifeboat-control-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(control, { recursive: true, force: true });
  });

  it('plan, plan --json, graph (every format) and validate create no file', async () => {
    const env = { LIFEBOAT_FIXTURE_TOKEN: 'not-a-real-token' };
    const runs = [
      ['plan', ...SIDE_EFFECTS, '--var', `dir=${dir}`],
      ['plan', ...SIDE_EFFECTS, '--var', `dir=${dir}`, '--json'],
      ['graph', ...SIDE_EFFECTS, '--var', `dir=${dir}`],
      ['graph', ...SIDE_EFFECTS, '--var', `dir=${dir}`, '--format', 'dot'],
      ['graph', ...SIDE_EFFECTS, '--var', `dir=${dir}`, '--format', 'json'],
      ['validate', ...SIDE_EFFECTS, '--var', `dir=${dir}`],
    ];
    for (const args of runs) {
      const result = await lifeboat(args, { cwd: dir, env });
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.code, args.join(' ')).toBe(0);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('(control) the same commands, run for real, do create those files', async () => {
    // Without this, an empty folder above could just mean the commands were harmless.
    const result = await lifeboat(['plan', ...SIDE_EFFECTS, '--var', `dir=${control}`, '--json'], { cwd: control });
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout) as { phases: Array<{ steps: Array<{ command?: string }> }> };
    const commands = view.phases.flatMap((p) => p.steps).flatMap((s) => (s.command ? [s.command] : []));
    expect(commands.length).toBe(4);
    for (const command of commands) await execa('bash', ['-c', command], { cwd: control });
    expect(readdirSync(control).sort()).toEqual(['backtick', 'confirmed', 'relative-run-step', 'run-step', 'subst', 'template']);
  });
});

describe('lifeboat plan --json', () => {
  it('gives phases in restore order with ids, positions, hosts and rendered commands', async () => {
    const result = await lifeboatInProcess(['plan', ...HOMELAB, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout);
    expect(view).toMatchObject({
      format: 'lifeboat-plan/1',
      name: 'homelab',
      description: 'Restore the homelab after a total power loss.',
      vars: { pool: 'tank', gateway: '192.168.1.1' },
      hosts: { nas: { ssh: 'root@10.0.0.2', port: 2222 }, pve: { ssh: 'pve.lan' } },
      counts: { phases: 3, steps: 6, selected: 6 },
    });
    const summary = view.phases.map((p: { id: string; number: number; needs: string[]; steps: Array<Record<string, unknown>> }) => ({
      id: p.id,
      number: p.number,
      needs: p.needs,
      steps: p.steps.map((s) => [s.position, s.id, s.kind, s.host ?? null, s.ssh ?? null, s.command ?? s.instructions]),
    }));
    expect(summary).toEqual([
      { id: 'network', number: 1, needs: [], steps: [['1.1', 'ping', 'run', null, null, 'ping -c1 -W1 192.168.1.1']] },
      {
        id: 'storage',
        number: 2,
        needs: ['network'],
        steps: [
          ['2.1', 'import-pool', 'run', 'nas', 'root@10.0.0.2', 'zpool import -d /dev/disk/by-id tank'],
          ['2.2', 'mount', 'run', 'nas', 'root@10.0.0.2', 'zfs mount -a'],
          ['2.3', 'share', 'run', 'nas', 'root@10.0.0.2', 'exportfs -ra'],
        ],
      },
      {
        id: 'guests',
        number: 3,
        needs: ['storage', 'network'],
        steps: [
          ['3.1', 'start-vms', 'run', 'pve', 'pve.lan', 'qm start 100'],
          ['3.2', 'check-guests', 'manual', 'pve', 'pve.lan', 'Log in to each guest and check its services.'],
        ],
      },
    ]);
    const imp = view.phases[1].steps[0];
    expect(imp).toMatchObject({
      title: 'Import the ZFS pool tank',
      template: 'zfs/import-pool',
      timeoutMs: 600_000,
      selected: true,
      precheck: [{ kind: 'run', label: 'zpool list -H -o name tank', host: 'nas', readonly: true }],
      verify: [{ kind: 'run', label: 'zpool list -H -o health tank', host: 'nas', readonly: true }],
    });
    expect(view.phases[0].steps[0]).toMatchObject({ retries: 10, idempotent: true });
  });

  it('--var changes the rendered commands; a value is shell-quoted', async () => {
    const result = await lifeboatInProcess(['plan', ...HOMELAB, '--json', '--var', 'pool=my pool; rm -rf /']);
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout);
    expect(view.phases[1].steps[0].command).toBe("zpool import -d /dev/disk/by-id 'my pool; rm -rf /'");
  });

  it('keeps left-out steps, marked, with a selection', async () => {
    const result = await lifeboatInProcess(['plan', ...HOMELAB, '--json', '--from', 'mount', '--skip', 'check-guests']);
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout);
    const marks = view.phases.flatMap((p: { steps: Array<{ id: string; selected: boolean; excludedBy?: string }> }) => p.steps.map((s) => (s.selected ? s.id : `${s.id} (${s.excludedBy})`)));
    expect(marks).toEqual(['ping (--from mount)', 'import-pool (--from mount)', 'mount', 'share', 'start-vms', 'check-guests (--skip check-guests)']);
    expect(view.counts).toEqual({ phases: 3, steps: 6, selected: 3 });
  });

  it('never prints a secret value, even when its env var is set', async () => {
    const secret = 'S3cret-Token-Value-71c2';
    const results = [];
    for (const args of [
      ['plan', ...SIDE_EFFECTS, '--var', 'dir=/nonexistent', '--json'],
      ['plan', ...SIDE_EFFECTS, '--var', 'dir=/nonexistent'],
      ['graph', ...SIDE_EFFECTS, '--var', 'dir=/nonexistent', '--format', 'json'],
    ]) {
      const result = await lifeboatInProcess(args, { env: { LIFEBOAT_FIXTURE_TOKEN: secret } });
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(secret);
      results.push(result);
    }
    const view = JSON.parse(results[0]!.stdout);
    expect(view.secrets).toEqual({ token: 'env LIFEBOAT_FIXTURE_TOKEN' });
    expect(view.phases[0].steps[0].env).toEqual({ TOKEN: '[secret:token]' });
  });
});

describe('lifeboat plan (text)', () => {
  it('shows every step with its position, host and command, and says nothing was run', async () => {
    const result = await lifeboatInProcess(['plan', ...HOMELAB]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('3 phases in restore order: network → storage → guests · 6 steps · RTO 2h');
    expect(out).toMatch(/^ {2}2\.3 +exportfs -ra +run · on nas \(root@10\.0\.0\.2\)$/m);
    expect(out).toMatch(/^ {6}\$ zpool import -d \/dev\/disk\/by-id tank$/m);
    expect(out).toContain('nothing was run');
  });

  it('separates the check headings from the checks, aligned', async () => {
    const out = (await lifeboatInProcess(['plan', ...HOMELAB])).stdout;
    expect(out).toMatch(/^ {6}precheck +zpool list -H -o name tank → exit 0 \(on nas\)$/m);
    const precheck = out.split('\n').find((l) => l.includes('zpool list -H -o name'))!;
    const verify = out.split('\n').find((l) => l.includes('zpool list -H -o health'))!;
    expect(verify).toMatch(/^ {6}verify +zpool/);
    expect(verify.indexOf('zpool')).toBe(precheck.indexOf('zpool'));
  });
});

describe('lifeboat graph --format mermaid', () => {
  it('parses with the real Mermaid parser', async () => {
    const result = await lifeboatInProcess(['graph', ...HOMELAB]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('flowchart TD\n')).toBe(true);
    await expect(parseMermaid(result.stdout)).resolves.toBeUndefined();
    // Every step is a node, in restore order, and phase needs are edges.
    expect(result.stdout).toContain('p2s3["2.3 exportfs -ra (on nas)"]');
    expect(result.stdout).toMatch(/^ {2}p1 --> p2$/m);
  });

  it('parses with quotes, #, <, >, &, backticks, newlines and keyword ids (a phase named `end`)', async () => {
    const result = await lifeboatInProcess(['graph', ...TRICKY, '--format', 'mermaid']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expect(parseMermaid(result.stdout)).resolves.toBeUndefined();
    // No raw `"` inside a label, and no `end` used as a node id.
    for (const line of result.stdout.split('\n')) {
      const label = line.match(/\["(.*)"\]$/)?.[1];
      if (label !== undefined) expect(label, line).not.toMatch(/["<>`]/);
    }
    expect(result.stdout).not.toMatch(/^\s*end\s*(\[|-->)/m);
    expect(result.stdout).toContain('#quot;end#quot;');
  });

  it('parses with excluded steps (the class definition for them)', async () => {
    const result = await lifeboatInProcess(['graph', ...TRICKY, '--skip', 'class', '--from', 'subgraph']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('classDef excluded');
    await expect(parseMermaid(result.stdout)).resolves.toBeUndefined();
  });
});

describe('lifeboat graph --format dot', () => {
  for (const [name, args] of [
    ['homelab', HOMELAB],
    ['tricky-names', TRICKY],
    ['side-effects', [...SIDE_EFFECTS, '--var', 'dir=/d', '--skip', 'confirm']],
  ] as const) {
    it(`is structurally sane (${name})`, async () => {
      const result = await lifeboatInProcess(['graph', ...args, '--format', 'dot']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^digraph "[^"]*" \{\n/);
      expect(result.stdout.trimEnd().endsWith('}')).toBe(true);
      const shape = dotStructure(result.stdout);
      expect(shape).toMatchObject({ braces: 0, brackets: 0, openString: false });
      expect(shape.statements).toBeGreaterThan(3);
    });

    it.skipIf(!hasDot)(`is accepted by Graphviz dot (${name})`, async () => {
      const result = await lifeboatInProcess(['graph', ...args, '--format', 'dot']);
      const svg = execFileSync('dot', ['-Tsvg'], { input: result.stdout, encoding: 'utf8' });
      expect(svg).toContain('<svg');
    });
  }
});

describe('lifeboat graph --format json', () => {
  it('is the machine, a config xstate createMachine accepts, and the order of steps it walks', async () => {
    for (const args of [HOMELAB, TRICKY]) {
      const result = await lifeboatInProcess(['graph', ...args, '--format', 'json']);
      expect(result.code).toBe(0);
      const { machine: config, step, order } = JSON.parse(result.stdout);
      const machine = createMachine(config);
      expect(machine.id).toBe('restore');
      expect(machine.root.states._finished).toBeDefined();
      expect(machine.root.states._aborted).toBeDefined();
      // The run starts each step as a machine of its own: one lifecycle, the same whatever the runbook.
      expect(Object.keys(machine.root.states)).toEqual(['_ready', '_next', 'steps', '_finished', '_aborted']);
      expect(Object.keys(createMachine(step).root.states)).toEqual(
        expect.arrayContaining(['precheck', 'awaiting', 'confirming', 'running', 'verifying', 'backoff', 'failed', 'markingDone', 'done', 'skipped', 'recovering', 'interrupted']),
      );
      expect(order.length).toBeGreaterThan(0);
      expect(Object.keys(order[0]).sort()).toEqual(['ask', 'confirm', 'id', 'manual', 'onFailure', 'precheck', 'retries', 'retryDelayMs', 'unattended', 'verify', 'when']);
    }
  });
});

describe('help and version', () => {
  it.each([['validate'], ['plan'], ['graph']])('%s --help works and exits 0', async (command) => {
    const result = await lifeboat([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Usage: lifeboat ${command} [options]`);
    expect(result.stdout).toContain('--steps <dir>');
    const short = await lifeboat([command, '-h']);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(result.stdout);
  });

  it('--help and `help <command>` work too', async () => {
    const top = await lifeboat(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['validate', 'plan', 'graph']) expect(top.stdout).toContain(command);
    expect(top.stdout).toContain('Exit codes');
    const help = await lifeboat(['help', 'graph']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--format <format>');
  });

  it('--version and -V print the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await lifeboat([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(version);
      expect(result.stderr).toBe('');
    }
  });
});

describe('colour', () => {
  // The helper sets NO_COLOR=1; these override it. FORCE_COLOR is removed from the inherited
  // environment unless a test sets it, so only what the test says decides.
  const env = (vars: Record<string, string | undefined>) => ({ FORCE_COLOR: undefined, ...vars }) as unknown as Record<string, string>;
  const outputs = async (vars: Record<string, string | undefined>) => {
    const all: string[] = [];
    for (const args of [
      ['plan', ...HOMELAB],
      ['plan', ...HOMELAB, '--only', 'nope'],
      // A valid runbook and one that cannot be read, in one report.
      ['validate', HOMELAB[0]!, join(FIXTURES, 'does-not-exist.yaml'), ...HOMELAB.slice(1)],
    ]) {
      const result = await lifeboat(args, { env: env(vars) });
      all.push(result.stdout, result.stderr);
    }
    return all.join('\n');
  };

  it('(control) FORCE_COLOR=1 does colour the output, so the checks below can see escapes', async () => {
    expect(await outputs({ NO_COLOR: '', FORCE_COLOR: '1' })).toMatch(ANSI);
  });

  it('NO_COLOR=1 gives no ANSI escapes, even with FORCE_COLOR=1', async () => {
    expect(await outputs({ NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(await outputs({ NO_COLOR: '1', FORCE_COLOR: '1' })).not.toMatch(ANSI);
  });

  it('output that is not a terminal gets no ANSI escapes', async () => {
    expect(await outputs({ NO_COLOR: undefined })).not.toMatch(ANSI);
    expect(await outputs({ NO_COLOR: '' })).not.toMatch(ANSI);
  });
});

describe('usage mistakes exit 2 with a message and no stack trace', () => {
  it.each([
    [['plan', ...HOMELAB, '--only', 'nope'], '--only nope: no phase or step has this id'],
    [['plan', ...HOMELAB, '--from', 'mout'], 'did you mean `mount`?'],
    [['plan', ...HOMELAB, '--var', 'novalue'], '--var novalue: expected key=value'],
    [['plan', ...HOMELAB, '--var', '=x'], '--var =x: expected key=value'],
    [['plan', ...HOMELAB, '--var', 'nope=1'], 'unknown var `nope`'],
    [['graph', ...HOMELAB, '--format', 'svg'], "argument 'svg' is invalid. Allowed choices are mermaid, dot, json"],
    [['plan', ...HOMELAB, '--frobnicate'], "unknown option '--frobnicate'"],
    [['plan'], "missing required argument 'file'"],
    [['restore', 'x.yaml'], "unknown command 'restore'"],
    [['plan', join(FIXTURES, 'does-not-exist.yaml')], 'cannot read the runbook: no such file'],
  ])('%j', async (args, message) => {
    const result = await lifeboatInProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stdout).toBe('');
  });
});

describe('lifeboat plan --logs', () => {
  it('takes its estimates from the past runs in --logs DIR, like run and logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-plan-logs-'));
    try {
      const file = join(dir, 'est.yaml');
      writeFileSync(file, 'name: est\nphases:\n  - id: p\n    steps:\n      - id: a\n        run: "true"\n');
      const history = join(dir, 'history');
      const ran = await lifeboat(['run', file, '--yes', '--logs', history], { cwd: dir });
      expect(ran.code, ran.stderr).toBe(0);
      const withLogs = await lifeboatInProcess(['plan', file, '--logs', history], { cwd: dir });
      expect(withLogs.stdout).toContain('from the median step times of 1 past run');
      const json = JSON.parse((await lifeboatInProcess(['plan', file, '--logs', history, '--json'], { cwd: dir })).stdout) as Record<string, unknown>;
      expect(JSON.stringify(json)).toContain('"runs":1');
      // Without --logs, ./logs of the current folder is read: no history there.
      const without = await lifeboatInProcess(['plan', file], { cwd: dir, env: { LIFEBOAT_LOGS: join(dir, 'none') } });
      expect(without.stdout).not.toContain('past run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
