import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { machineGraph } from '../../src/core/machine/machine-graph.js';
import type { Plan, PlanStep, Selection } from '../../src/core/model/plan-types.js';
import { type Problem, UsageError } from '../../src/core/model/problem.js';
import { buildPlan, type PlanInput } from '../../src/core/plan/build-plan.js';
import { secretsUsed } from '../../src/core/secrets/secrets-used.js';
import { displayText, renderShell, renderText } from '../../src/core/shell/rendered.js';
import { planView } from '../../src/core/views/plan-view.js';

const SCHEMAS = loadSchemaChecks();

/** Strips the common indentation of a template literal, so YAML can be written indented in tests. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

const TEMPLATES: Record<string, string> = {
  'zfs/import-pool': yaml`
    description: Import a pool.
    params:
      pool: { type: string, required: true, description: Pool name }
      dir: { type: string, default: /dev/disk/by-id }
    step:
      title: Import the ZFS pool {{ params.pool }}
      run: zpool import -d {{ params.dir }} {{ params.pool }}
      timeout: 10m
      precheck:
        - run: zpool list -H -o name {{ params.pool }}
          readonly: true
      verify:
        - run: zpool list -H -o health {{ params.pool }}
          readonly: true
  `,
  'net/ping': yaml`
    params:
      address: { type: string }
      count: { type: number, default: 1 }
    step:
      title: Ping {{ params.address }}
      run: ping -c{{ params.count }} -W1 {{ params.address }}
      idempotent: true
      retries: 10
      retry_delay: 3s
  `,
  'svc/restart': yaml`
    params:
      service: { type: string, required: true }
      on_host: { type: host, required: false }
      grace: { type: duration, default: 5s }
    step:
      run: systemctl restart {{ params.service }}
  `,
};

interface BuildOptions {
  templates?: Record<string, string>;
  scripts?: string[];
  varsFile?: string;
  vars?: Array<[string, string]>;
  selection?: Selection;
}

function input(text: string, options: BuildOptions = {}): PlanInput {
  const templates = options.templates ?? TEMPLATES;
  return {
    runbook: { path: 'runbooks/test.yaml', text },
    library: {
      dir: 'steps',
      templates: new Map(Object.entries(templates).map(([name, t]) => [name, { path: `steps/${name}.yaml`, text: t }])),
      scripts: new Set(options.scripts ?? []),
    },
    varsFile: options.varsFile === undefined ? undefined : { path: 'vars.yaml', text: options.varsFile },
    vars: options.vars,
    selection: options.selection,
  };
}

function build(text: string, options: BuildOptions = {}) {
  return buildPlan(input(text, options), SCHEMAS);
}

function planOf(text: string, options: BuildOptions = {}): Plan {
  const { plan, problems } = build(text, options);
  expect(problems).toEqual([]);
  expect(plan).toBeDefined();
  return plan!;
}

function problemsOf(text: string, options: BuildOptions = {}): Problem[] {
  const { plan, problems } = build(text, options);
  expect(plan).toBeUndefined();
  expect(problems.length).toBeGreaterThan(0);
  return problems;
}

const steps = (plan: Plan): PlanStep[] => plan.phases.flatMap((p) => p.steps);
const step = (plan: Plan, id: string): PlanStep => {
  const found = steps(plan).find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};
const command = (s: PlanStep): string => {
  if (s.action.kind !== 'run') throw new Error(`${s.id} is a ${s.action.kind} step`);
  return displayText(s.action.command);
};

const HOMELAB = yaml`
  name: homelab
  description: Bring the homelab back.
  rto: 2h
  vars:
    pool: tank
    gateway: 192.168.1.1
  hosts:
    nas: { ssh: root@10.0.0.2, port: 2222 }
    pve: { ssh: pve.lan }
  phases:
    - id: guests
      title: Guests
      needs: [storage, network]
      on: pve
      steps:
        - id: start-vms
          run: qm start 100
        - id: check-guests
          manual: Log in to each guest.
    - id: storage
      title: Storage on the NAS
      needs: [network]
      on: nas
      steps:
        - id: share
          run: exportfs -ra
          needs: [mount]
        - id: mount
          run: zfs mount -a
          needs: [import-pool]
        - uses: zfs/import-pool
          with: { pool: "{{ vars.pool }}" }
    - id: network
      title: Network
      steps:
        - uses: net/ping
          with: { address: "{{ vars.gateway }}" }
`;

describe('buildPlan: order and positions', () => {
  it('orders phases by needs and numbers every step phase.step', () => {
    const plan = planOf(HOMELAB);
    expect(plan.phases.map((p) => `${p.number} ${p.id}`)).toEqual(['1 network', '2 storage', '3 guests']);
    expect(steps(plan).map((s) => `${s.position} ${s.phase}/${s.id}`)).toEqual([
      '1.1 network/ping',
      '2.1 storage/import-pool',
      '2.2 storage/mount',
      '2.3 storage/share',
      '3.1 guests/start-vms',
      '3.2 guests/check-guests',
    ]);
    expect(step(plan, 'share').position).toBe('2.3');
    expect(plan.phases[2]!.needs).toEqual(['storage', 'network']);
    expect(step(plan, 'share').needs).toEqual(['mount']);
  });

  it('keeps plan-level facts: name, file, rto, vars, hosts', () => {
    const plan = planOf(HOMELAB);
    expect(plan.name).toBe('homelab');
    expect(plan.file).toBe('runbooks/test.yaml');
    expect(plan.rtoMs).toBe(2 * 3_600_000);
    expect(plan.vars).toEqual({ pool: 'tank', gateway: '192.168.1.1' });
    expect(plan.hosts.nas).toMatchObject({ name: 'nas', ssh: 'root@10.0.0.2', user: 'root', address: '10.0.0.2', port: 2222 });
    expect(plan.hosts.pve).toMatchObject({ name: 'pve', ssh: 'pve.lan', address: 'pve.lan' });
    expect(plan.hosts.pve!.user).toBeUndefined();
  });

  it('gives steps the host of their phase unless they say otherwise; checks follow the step or `from`', () => {
    const plan = planOf(yaml`
      name: hosts
      hosts:
        nas: { ssh: nas.lan }
        pve: { ssh: pve.lan }
      phases:
        - id: p
          on: nas
          steps:
            - id: a
              run: "true"
              verify:
                - { run: "true" }
                - { run: "true", from: pve }
                - { tcp: "nas.lan:22" }
                - { path: /mnt/tank }
                - { path: /mnt/tank, from: pve }
                - { http: "http://nas.lan/" }
                - { dns: nas.lan }
                - { tcp: "nas.lan:22", from: pve }
            - id: b
              run: "true"
              on: pve
        - id: q
          steps: [{ id: c, run: "true" }]
    `);
    expect(step(plan, 'a').host?.name).toBe('nas');
    // Commands and paths are checked where the step runs; network probes run locally; `from` overrides both.
    expect(step(plan, 'a').verify.map((c) => [c.kind, c.host?.name])).toEqual([
      ['run', 'nas'],
      ['run', 'pve'],
      ['tcp', undefined],
      ['path', 'nas'],
      ['path', 'pve'],
      ['http', undefined],
      ['dns', undefined],
      ['tcp', 'pve'],
    ]);
    expect(step(plan, 'b').host?.name).toBe('pve');
    expect(step(plan, 'c').host).toBeUndefined();
    // A step without a host checks its paths locally too.
    const local = planOf(yaml`
      name: local
      phases: [{ id: p, steps: [{ id: a, run: "true", verify: [{ path: /mnt }] }] }]
    `);
    expect(step(local, 'a').verify[0]!.host).toBeUndefined();
  });

  it('rejects duplicate ids, unknown needs and cross-phase step needs with hints', () => {
    const problems = problemsOf(yaml`
      name: bad
      phases:
        - id: network
          steps:
            - { id: link, run: "true" }
            - { id: link, run: "true" }
        - id: dns
          needs: [netwrk]
          steps:
            - { id: unbound, run: "true", needs: [link] }
    `);
    const messages = problems.map((p) => p.message);
    expect(messages).toContain('duplicate id `link`');
    expect(problems.find((p) => p.message === '`needs` names no phase `netwrk`')?.hint).toBe('did you mean `network`?');
    expect(problems.find((p) => p.message === '`needs` names no step `link`')?.hint).toContain('make phase `dns` need `network`');
  });
});

describe('buildPlan: templates', () => {
  it('expands a template with given params and defaults; the id is the template name', () => {
    const plan = planOf(HOMELAB);
    const imp = step(plan, 'import-pool');
    expect(imp.template).toBe('zfs/import-pool');
    expect(imp.title).toBe('Import the ZFS pool tank');
    expect(command(imp)).toBe('zpool import -d /dev/disk/by-id tank');
    expect(imp.timeoutMs).toBe(600_000);
    expect(imp.precheck.map((c) => c.label)).toEqual(['zpool list -H -o name tank']);
    expect(imp.verify.map((c) => c.label)).toEqual(['zpool list -H -o health tank']);
    expect(imp.host?.name).toBe('nas');

    const ping = step(plan, 'ping');
    expect(command(ping)).toBe('ping -c1 -W1 192.168.1.1');
    expect(ping).toMatchObject({ retries: 10, retryDelayMs: 3000, idempotent: true });
  });

  it('lets the runbook override params, template fields and the id', () => {
    const plan = planOf(yaml`
      name: overrides
      phases:
        - id: storage
          steps:
            - uses: zfs/import-pool
              id: import-backup
              title: Import the backup pool
              timeout: 30s
              with: { pool: backup, dir: /dev/disk/by-path }
            - uses: net/ping
              with: { address: 10.0.0.1, count: 3 }
              retries: 0
    `);
    const imp = step(plan, 'import-backup');
    expect(imp.title).toBe('Import the backup pool');
    expect(imp.timeoutMs).toBe(30_000);
    expect(command(imp)).toBe('zpool import -d /dev/disk/by-path backup');
    expect(imp.verify).toHaveLength(1);
    expect(command(step(plan, 'ping'))).toBe('ping -c3 -W1 10.0.0.1');
    expect(step(plan, 'ping').retries).toBe(0);
  });

  it('passes a param built from a var and text as one shell word', () => {
    const plan = planOf(yaml`
      name: words
      vars: { base: "my pool" }
      phases:
        - id: p
          steps:
            - uses: zfs/import-pool
              with: { pool: "{{ vars.base }}-2" }
    `);
    expect(command(step(plan, 'import-pool'))).toBe("zpool import -d /dev/disk/by-id 'my pool-2'");
  });

  it('reports missing, unknown and mistyped params, and unknown templates, with hints', () => {
    const problems = problemsOf(yaml`
      name: params
      hosts: { nas: { ssh: nas.lan } }
      phases:
        - id: p
          steps:
            - uses: zfs/import-pool
              with: { dri: /x }
            - uses: net/ping
              with: { address: 10.0.0.1, count: many }
            - uses: svc/restart
              with: { service: nginx, on_host: nsa, grace: soon }
            - uses: zfs/import-pol
    `);
    const by = (message: string) => problems.find((p) => p.message === message);
    expect(by('missing required param `pool` for template `zfs/import-pool`')).toMatchObject({ line: 6 });
    expect(by('unknown param `dri` for template `zfs/import-pool`')).toMatchObject({ hint: 'did you mean `dir`?', line: 7 });
    expect(problems.filter((p) => p.message === 'param `count` has the wrong type')).toHaveLength(1);
    const wrong = problems.filter((p) => p.message.endsWith('has the wrong type')).map((p) => [p.message, p.received]);
    expect(wrong).toEqual([
      ['param `count` has the wrong type', '"many"'],
      ['param `grace` has the wrong type', '"soon"'],
    ]);
    // A host param naming no host is reported as such, with a hint.
    const host = problems.find((p) => p.message.includes('`nsa`'));
    expect(host).toMatchObject({ received: '"nsa"', hint: 'did you mean `nas`?', line: 11 });
    expect(host!.message).toContain('on_host');
    expect(by('unknown step template `zfs/import-pol`')).toMatchObject({ hint: 'did you mean `zfs/import-pool`?', line: 12 });
  });

  it('reports an undefined reference inside a template at its place in the template file', () => {
    const problems = problemsOf(
      yaml`
        name: broken
        phases:
          - id: p
            steps:
              - uses: broken/step
      `,
      { templates: { 'broken/step': 'params:\n  a: { type: string, default: x }\nstep:\n  run: echo {{ params.b }}\n' } },
    );
    expect(problems).toEqual([expect.objectContaining({ file: 'steps/broken/step.yaml', line: 4, column: 13, message: 'undefined param `b`', path: 'step.run', hint: 'did you mean `a`?' })]);
  });

  it('interpolates check commands, labels and confirm words from params', () => {
    const plan = planOf(
      yaml`
        name: checks
        phases:
          - id: p
            steps:
              - uses: net/addr
                with: { cidr: 10.0.0.2/24 }
      `,
      {
        templates: {
          'net/addr': yaml`
            params:
              cidr: { type: string }
              ip: { type: string, default: 10.0.0.2 }
            step:
              run: ip addr add {{ params.cidr }} dev eth0
              confirm: { typed: "{{ params.cidr }}" }
              verify:
                - run: ip -br addr show {{ params.cidr }}
                - tcp: "{{ params.ip }}:22"
          `,
        },
      },
    );
    const s = step(plan, 'addr');
    expect(s.verify.map((c) => c.label)).toEqual(['ip -br addr show 10.0.0.2/24', 'tcp 10.0.0.2:22']);
    expect(s.confirm?.kind === 'typed' && displayText(s.confirm.word)).toBe('10.0.0.2/24');
  });

  it('interpolates a check `name:` (its label)', () => {
    const plan = planOf(
      yaml`
        name: checks
        phases: [{ id: p, steps: [{ uses: net/addr, with: { cidr: 10.0.0.2/24 } }] }]
      `,
      { templates: { 'net/addr': "params: { cidr: { type: string } }\nstep:\n  run: ip addr add {{ params.cidr }} dev eth0\n  verify:\n    - { name: 'has {{ params.cidr }}', run: ip -br addr }\n" } },
    );
    expect(step(plan, 'addr').verify.map((c) => c.label)).toEqual(['has 10.0.0.2/24']);
  });

  it('interpolates a check `stdout:` pattern, regex-escaping the values', () => {
    const plan = planOf(
      yaml`
        name: checks
        vars: { version: a.b+c }
        phases:
          - id: p
            steps:
              - uses: net/addr
                with: { cidr: 10.0.0.2/24 }
              - id: version
                run: "true"
                verify: [{ run: cat VERSION, stdout: "^{{ vars.version }}$" }]
      `,
      {
        templates: {
          'net/addr': "params: { cidr: { type: string } }\nstep:\n  run: ip addr add {{ params.cidr }} dev eth0\n  verify:\n    - { run: ip -br addr, stdout: '\\s{{ params.cidr }}(\\s|$)' }\n",
        },
      },
    );
    const stdoutOf = (id: string): RegExp => {
      const check = step(plan, id).verify[0]!;
      if (check.kind !== 'run' || !check.stdout) throw new Error('a run check with stdout expected');
      return new RegExp(
        renderText(check.stdout, () => ''),
        'm',
      );
    };
    const addr = stdoutOf('addr');
    expect(addr.source).toBe('\\s10\\.0\\.0\\.2\\/24(\\s|$)');
    expect(addr.test('eth0 UP 10.0.0.2/24 fe80::1/64')).toBe(true);
    expect(addr.test('eth0 UP 10x0x0x2/24')).toBe(false);

    const version = stdoutOf('version');
    expect(version.test('a.b+c')).toBe(true);
    // Output that differs from the value only at a metacharacter does not match ...
    for (const near of ['aXb+c', 'a.bbc', 'aXbbc', 'a.bc']) expect(version.test(near), near).toBe(false);
    // ... though the value used as a pattern would have matched it.
    expect(/^a.b+c$/.test('a.bbc')).toBe(true);
  });

  it('reports bad references in a check `stdout:` pattern, and an invalid pattern', () => {
    const problems = problemsOf(yaml`
      name: checks
      vars: { version: "1.0" }
      phases:
        - id: p
          steps:
            - id: a
              run: "true"
              verify:
                - { run: cat VERSION, stdout: "^{{ vars.versoin }}$" }
                - { run: cat VERSION, stdout: "({{ vars.version }}" }
    `);
    expect(problems).toEqual([
      expect.objectContaining({ path: 'phases[0].steps[0].verify[0].stdout', line: 9, column: 43, message: 'undefined var `versoin`', hint: 'did you mean `version`?' }),
      expect.objectContaining({ path: 'phases[0].steps[0].verify[1].stdout', line: 10, message: 'invalid regular expression in `stdout`' }),
    ]);
  });

  it('interpolates a confirm message', () => {
    const plan = planOf(yaml`
      name: confirm
      vars: { pool: tank }
      phases:
        - id: p
          steps:
            - id: destroy
              run: zpool destroy {{ vars.pool }}
              confirm: { typed: "{{ vars.pool }}", message: "Destroy {{ vars.pool }}?" }
    `);
    expect(step(plan, 'destroy').confirm).toMatchObject({ kind: 'typed', message: 'Destroy tank?' });
  });

  it('interpolates the runbook description (plan, plan view and machine)', () => {
    const plan = planOf(yaml`
      name: described
      description: "Restore {{ vars.pool }} on {{ hosts.nas.address }} with {{ secrets.key }}"
      vars: { pool: tank }
      secrets: { key: { prompt: true } }
      hosts: { nas: { ssh: root@10.0.0.2 } }
      phases: [{ id: p, steps: [{ id: a, run: "true" }] }]
    `);
    expect(plan.description).toBe('Restore tank on 10.0.0.2 with [secret:key]');
    expect(planView(plan).description).toBe('Restore tank on 10.0.0.2 with [secret:key]');
    expect(machineGraph(plan).machine.description).toBe('Restore tank on 10.0.0.2 with [secret:key]');
    // A bad reference in it is a problem like anywhere else.
    const problems = problemsOf(yaml`
      name: described
      description: "Restore {{ vars.pol }}"
      vars: { pool: tank }
      phases: [{ id: p, steps: [{ id: a, run: "true" }] }]
    `);
    expect(problems).toEqual([expect.objectContaining({ path: 'description', line: 2, message: 'undefined var `pol`', hint: 'did you mean `pool`?' })]);
  });

  it('reports an unclosed `{{` where it is written', () => {
    const problems = problemsOf(yaml`
      name: unclosed
      vars: { pool: tank }
      phases:
        - id: p
          steps:
            - id: a
              run: zpool import {{ vars.pool }
    `);
    expect(problems).toEqual([expect.objectContaining({ path: 'phases[0].steps[0].run', line: 7, column: 27, message: 'a `{{` reference is not closed', hint: 'add the closing `}}`' })]);
  });

  it('reports a host field that is an Object.prototype member', () => {
    const problems = problemsOf(yaml`
      name: proto
      hosts: { nas: { ssh: nas.lan } }
      phases: [{ id: p, steps: [{ id: a, run: "echo {{ hosts.nas.constructor }}" }] }]
    `);
    expect(problems).toEqual([expect.objectContaining({ message: 'unknown host field `constructor` in `hosts.nas.constructor`' })]);
  });

  it('reports an undefined var at its exact line and column in the runbook', () => {
    const problems = problemsOf(yaml`
      name: typo
      vars: { pool: tank }
      phases:
        - id: p
          steps:
            - id: a
              run: zpool import {{ vars.pol }}
    `);
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'runbooks/test.yaml',
        line: 7,
        column: 27,
        path: 'phases[0].steps[0].run',
        message: 'undefined var `pol`',
        received: '{{ vars.pol }}',
        hint: 'did you mean `pool`?',
      }),
    ]);
  });
});

describe('buildPlan: vars', () => {
  const RUNBOOK = yaml`
    name: vars
    vars:
      pool: tank
      dataset: null
      retries: 3
      dry: false
    phases:
      - id: p
        steps:
          - id: a
            run: echo {{ vars.pool }} {{ vars.dataset }} {{ vars.retries }} {{ vars.dry }}
  `;

  it('a var without a value is one problem that says how to give it (its uses are not reported again)', () => {
    expect(problemsOf(RUNBOOK)).toEqual([expect.objectContaining({ message: 'var `dataset` has no value', line: 4, hint: 'run with --var dataset=VALUE' })]);
  });

  it('defaults, then the vars file, then --var (the last --var wins)', () => {
    expect(command(step(planOf(RUNBOOK, { vars: [['dataset', 'media']] }), 'a'))).toBe('echo tank media 3 false');
    expect(command(step(planOf(RUNBOOK, { varsFile: 'pool: rpool\ndataset: from-file\n' }), 'a'))).toBe('echo rpool from-file 3 false');
    const both = planOf(RUNBOOK, {
      varsFile: 'pool: rpool\ndataset: from-file\ndry: true\n',
      vars: [
        ['dataset', 'from-flag'],
        ['pool', 'first'],
        ['pool', 'second'],
      ],
    });
    expect(command(step(both, 'a'))).toBe('echo second from-flag 3 true');
    expect(both.vars).toEqual({ pool: 'second', dataset: 'from-flag', retries: '3', dry: 'true' });
  });

  it('an empty --var value is a value (an empty word), not a missing one', () => {
    expect(command(step(planOf(RUNBOOK, { vars: [['dataset', '']] }), 'a'))).toBe("echo tank '' 3 false");
  });

  it('unknown names in the vars file or on the command line are problems with hints', () => {
    const problems = problemsOf(RUNBOOK, {
      varsFile: 'datset: x\n',
      vars: [
        ['dataset', 'x'],
        ['pol', 'y'],
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'vars.yaml', line: 1, message: 'unknown var `datset`', hint: 'did you mean `dataset`?' }),
        expect.objectContaining({ file: '(command line)', message: 'unknown var `pol`', hint: 'did you mean `pool`?' }),
      ]),
    );
  });

  it('a vars file must be a map of single values', () => {
    expect(problemsOf(RUNBOOK, { varsFile: '- a\n- b\n' }).map((p) => p.message)).toContain('a vars file must be a map');
    expect(problemsOf(RUNBOOK, { varsFile: 'dataset: [a, b]\n' }).map((p) => p.message)).toContain('var `dataset` must be a single value');
  });
  // YAML reads an unquoted 1.10 as the number 1.1; the format's docs say to quote a var whose
  // exact text matters, and this pins what happens when it is not.
  it('an unquoted number var is the number YAML reads; a quoted one keeps its text', () => {
    const plan = planOf('name: n\nvars: { a: 1.10, b: "1.10" }\nphases:\n  - id: p\n    steps:\n      - id: s\n        run: echo {{ vars.a }} {{ vars.b }}\n');
    expect(plan.vars).toEqual({ a: '1.1', b: '1.10' });
  });
});

describe('buildPlan: selection', () => {
  const plan = (selection: Selection) => planOf(HOMELAB, { selection });
  const marks = (p: Plan) => steps(p).map((s) => (s.selected ? s.id : `(${s.id}: ${s.excludedBy})`));

  it('without a selection every step is selected', () => {
    expect(steps(planOf(HOMELAB)).every((s) => s.selected && s.excludedBy === undefined)).toBe(true);
  });

  it('--only a phase keeps that phase; the rest stay in the plan, marked', () => {
    const p = plan({ only: ['storage'] });
    expect(marks(p)).toEqual(['(ping: --only storage)', 'import-pool', 'mount', 'share', '(start-vms: --only storage)', '(check-guests: --only storage)']);
    // Positions do not change with a selection.
    expect(steps(p).map((s) => s.position)).toEqual(['1.1', '2.1', '2.2', '2.3', '3.1', '3.2']);
  });

  it('--only steps and phases together', () => {
    expect(marks(plan({ only: ['mount', 'network'] }))).toEqual([
      'ping',
      '(import-pool: --only mount,network)',
      'mount',
      '(share: --only mount,network)',
      '(start-vms: --only mount,network)',
      '(check-guests: --only mount,network)',
    ]);
  });

  it('--from a step leaves out everything before it in restore order', () => {
    expect(marks(plan({ from: 'mount' }))).toEqual(['(ping: --from mount)', '(import-pool: --from mount)', 'mount', 'share', 'start-vms', 'check-guests']);
  });

  it('--from a phase starts at its first step', () => {
    expect(marks(plan({ from: 'storage' }))).toEqual(['(ping: --from storage)', 'import-pool', 'mount', 'share', 'start-vms', 'check-guests']);
  });

  it('--skip steps and phases', () => {
    expect(marks(plan({ skip: ['mount', 'guests'] }))).toEqual(['ping', 'import-pool', '(mount: --skip mount)', 'share', '(start-vms: --skip guests)', '(check-guests: --skip guests)']);
  });

  it('--from with --skip', () => {
    expect(marks(plan({ from: 'storage', skip: ['share'] }))).toEqual(['(ping: --from storage)', 'import-pool', 'mount', '(share: --skip share)', 'start-vms', 'check-guests']);
  });

  it('excluded steps are not in the order the machine walks', () => {
    expect(machineGraph(plan({ only: ['mount'] })).order.map((s) => s.id)).toEqual(['mount']);
  });

  it.each([
    [{ only: ['storag'] }, '--only storag', 'did you mean `storage`?'],
    [{ from: 'mnt' }, '--from mnt', 'did you mean `mount`?'],
    [{ skip: ['share', 'pnig'] }, '--skip pnig', 'did you mean `ping`?'],
    [{ only: ['completely-unrelated-name'] }, '--only completely-unrelated-name', undefined],
  ] as Array<[Selection, string, string | undefined]>)('an unknown name %j throws a UsageError with a hint', (selection, start, hint) => {
    let error: unknown;
    try {
      build(HOMELAB, { selection });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.message.startsWith(`${start}: `)).toBe(true);
    expect(usage.hint).toBe(hint);
    expect(usage.expected).toContain('network, storage, guests');
  });
});

describe('buildPlan: secrets never appear as values', () => {
  const SECRET = 'hunter2-Secret-Value-9f3a';
  const RUNBOOK = yaml`
    name: secrets
    vars: { user: admin }
    secrets:
      db: { env: LIFEBOAT_TEST_DB_PASSWORD }
      key: { file: ~/.config/lifeboat/key }
      pin: { prompt: true }
    hosts: { nas: { ssh: nas.lan } }
    phases:
      - id: p
        title: Restore with {{ secrets.db }}
        steps:
          - id: dump
            title: Dump as {{ vars.user }} with {{ secrets.db }}
            description: Uses {{ secrets.key }}
            run: mysqldump -u {{ vars.user }} -p{{ secrets.db }} --all
            env: { PGPASSWORD: "{{ secrets.db }}", PIN: "{{ secrets.pin }}" }
            confirm: { typed: "{{ secrets.pin }}" }
            verify:
              - run: check {{ secrets.db }}
              - http: "http://nas.lan/?token={{ secrets.key }}"
          - id: script
            script: db/restore.mjs
            args: ["--user={{ vars.user }}"]
            env: { DB_PASSWORD: "{{ secrets.db }}" }
          - id: waiting
            wait:
              until: [{ dns: "{{ secrets.db }}.lan" }]
          - uses: net/ping
            with: { address: "{{ secrets.db }}" }
  `;

  beforeEach(() => {
    process.env.LIFEBOAT_TEST_DB_PASSWORD = SECRET;
  });
  afterEach(() => {
    delete process.env.LIFEBOAT_TEST_DB_PASSWORD;
  });

  it('not in the plan, its JSON view, or the compiled machine, even with the env var set', () => {
    const plan = planOf(RUNBOOK, { scripts: ['db/restore.mjs'] });
    const view = JSON.stringify(planView(plan));
    expect(view).not.toContain(SECRET);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    expect(JSON.stringify(machineGraph(plan))).not.toContain(SECRET);
    // Where a secret is used, the plan shows its mask.
    expect(view).toContain('[secret:db]');
    expect(view).toContain('[secret:key]');
    expect(view).toContain('[secret:pin]');
    // And where it comes from, not what it is.
    expect(planView(plan).secrets).toEqual({ db: 'env LIFEBOAT_TEST_DB_PASSWORD', key: 'file ~/.config/lifeboat/key', pin: 'prompt' });
    // In shell text the mask is quoted like any value; the real value is quoted the same way at run time.
    expect(planView(plan).phases[0]!.steps[0]!.command).toBe("mysqldump -u admin -p'[secret:db]' --all");
    expect(planView(plan).phases[0]!.steps[0]!.title).toBe('Dump as admin with [secret:db]');
  });

  it('the value is only produced by renderText with a resolver', () => {
    const plan = planOf(RUNBOOK, { scripts: ['db/restore.mjs'] });
    const dump = step(plan, 'dump');
    if (dump.action.kind !== 'run') throw new Error('run step expected');
    expect(renderText(dump.action.command, (name) => (name === 'db' ? process.env.LIFEBOAT_TEST_DB_PASSWORD! : '?'))).toBe(`mysqldump -u admin -p${SECRET} --all`);
  });

  it('shell text carries secrets as environment references; secretsUsed lists what the selected steps need', () => {
    const plan = planOf(RUNBOOK, { scripts: ['db/restore.mjs'] });
    const dump = step(plan, 'dump');
    if (dump.action.kind !== 'run') throw new Error('run step expected');
    expect(renderShell(dump.action.command)).toEqual({ script: 'mysqldump -u admin -p"${LIFEBOAT_SECRET_db}" --all', secrets: ['db'] });
    expect(secretsUsed(plan)).toEqual(['db', 'key', 'pin']);
    // Only the selected steps count: `script` uses db in its args, `waiting` in a check.
    expect(secretsUsed(planOf(RUNBOOK, { scripts: ['db/restore.mjs'], selection: { only: ['script'] } }))).toEqual(['db']);
    expect(secretsUsed(planOf(RUNBOOK, { scripts: ['db/restore.mjs'], selection: { only: ['waiting', 'ping'] } }))).toEqual(['db']);
    expect(secretsUsed(planOf(RUNBOOK, { scripts: ['db/restore.mjs'], selection: { skip: ['p'] } }))).toEqual([]);
  });

  it('secretsUsed: a secret used only in a phase title or only by excluded steps is not asked for', () => {
    const plan = planOf(
      yaml`
      name: s
      secrets:
        title_only: { prompt: true }
        env_only: { prompt: true }
        check_only: { prompt: true }
        confirm_only: { prompt: true }
        skipped_only: { prompt: true }
      phases:
        - id: p
          title: With {{ secrets.title_only }}
          steps:
            - { id: a, run: "true", env: { X: "{{ secrets.env_only }}" } }
            - { id: b, run: "true", verify: [{ http: "http://x/?t={{ secrets.check_only }}" }] }
            - { id: c, run: "true", confirm: { typed: "{{ secrets.confirm_only }}" } }
            - { id: d, run: "echo {{ secrets.skipped_only }}" }
    `,
      { selection: { skip: ['d'] } },
    );
    expect(secretsUsed(plan)).toEqual(['check_only', 'confirm_only', 'env_only']);
  });

  it('an undefined secret is a problem with a hint', () => {
    const problems = problemsOf(RUNBOOK.replace('-p{{ secrets.db }}', '-p{{ secrets.bd }}'), { scripts: ['db/restore.mjs'] });
    expect(problems).toEqual([expect.objectContaining({ message: 'undefined secret `bd`', hint: 'did you mean `db`?' })]);
  });

  it('a secret in a script argument is refused where it is written: a command line is readable by every user', () => {
    const problems = problemsOf(RUNBOOK.replace('args: ["--user={{ vars.user }}"]', 'args: ["--user={{ vars.user }}", "--password={{ secrets.db }}"]'), { scripts: ['db/restore.mjs'] });
    expect(problems).toEqual([
      expect.objectContaining({
        message: 'a secret cannot be a script argument: any user of the machine can read a command line',
        received: '`{{ secrets.db }}` in args[1]',
        hint: 'add `env: { DB: "{{ secrets.db }}" }` to the step and read process.env.DB in the script',
        path: 'phases[0].steps[1].args[1]',
      }),
    ]);
    expect(problems[0]!.line).toBe(RUNBOOK.split('\n').findIndex((l) => l.includes('args: [')) + 1);
  });

  it('a secret needs exactly one source', () => {
    const problems = problemsOf(yaml`
      name: s
      secrets:
        a: { env: A, file: /a }
        b: { description: nothing }
      phases: [{ id: p, steps: [{ id: x, run: "true" }] }]
    `);
    expect(problems.map((p) => p.message)).toEqual(['secret `a` has more than one source', 'secret `b` has no source']);
  });
});
