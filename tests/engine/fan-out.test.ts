import { describe, expect, it } from 'vitest';
import { unattendedPolicyFor } from '../../src/adapters/scripted-prompter.js';
import type { Problem } from '../../src/core/model/problem.js';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import type { CommandRunner, CommandSpec } from '../../src/ports/command-runner.js';
import { drive, finishedOf, of, oneStep, planOf, SCHEMAS } from '../helpers/engine-drive.js';

// foreach: one run of a step per item, `concurrency` at once, each item an actor of the machine.

/** A runner whose commands take `ms` of real time, counting how many run at once; `fails` lists scripts that exit 1. */
function timedRunner(ms: number, fails: (script: string) => boolean = () => false) {
  let running = 0;
  const seen = { most: 0, scripts: [] as string[] };
  const runner: CommandRunner = {
    async run(spec: CommandSpec) {
      running += 1;
      seen.most = Math.max(seen.most, running);
      seen.scripts.push(spec.script);
      await new Promise((r) => setTimeout(r, ms));
      running -= 1;
      const exitCode = fails(spec.script) ? 1 : 0;
      return { exitCode, timedOut: false, aborted: false, durationMs: ms, output: '', stdout: '' };
    },
  };
  return { runner, seen };
}

const items = (events: RunEvent[]) => of(events, 'item.finished').map((e) => `${e.item}:${e.status}`);

describe('foreach', () => {
  it('runs the step once per item, never more than `concurrency` at once, each journaled with its key', async () => {
    const { runner, seen } = timedRunner(20);
    const plan = oneStep(`      - id: start
        foreach: [101, 102, 103, 104, 105, 106, 107]
        concurrency: 3
        run: qm start {{ item }}
`);
    const r = await drive({ plan, runner, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('done');
    expect(seen.most).toBe(3);
    expect([...seen.scripts].sort()).toEqual([101, 102, 103, 104, 105, 106, 107].map((n) => `qm start ${n}`));
    expect(items(r.events).sort()).toEqual(['101:done', '102:done', '103:done', '104:done', '105:done', '106:done', '107:done']);
    expect(of(r.events, 'step.items')[0]).toMatchObject({ step: 'start', keys: ['101', '102', '103', '104', '105', '106', '107'], pending: 7 });
    expect(of(r.events, 'step.attempt').every((e) => e.item !== undefined)).toBe(true);
    expect(finishedOf(r.events, 'start')).toHaveLength(1);
  });

  it('items from a captured JSON list, with key: and as:, and fields of each item in the command', async () => {
    const listed = JSON.stringify([
      { vmid: 101, volid: 'nas:backup/vzdump-qemu-101.vma' },
      { vmid: 102, volid: "nas:backup/it's $(bad).vma" },
    ]);
    const plan = oneStep(`      - id: list
        run: list
        capture:
          backups: { json: true }
      - id: restore
        foreach: "{{ steps.list.backups }}"
        as: backup
        key: "{{ backup.vmid }}"
        run: qmrestore {{ backup.volid }} {{ backup.vmid }}
`);
    const r = await drive({ plan, run: { list: [{ stdout: listed }] }, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('done');
    expect(
      r.specs
        .map((s) => s.script)
        .slice(1)
        .sort(),
    ).toEqual([`qmrestore 'nas:backup/it'\\''s $(bad).vma' 102`, 'qmrestore nas:backup/vzdump-qemu-101.vma 101']);
    expect(items(r.events).sort()).toEqual(['101:done', '102:done']);
  });

  it('fails when more items fail than it tolerates, naming them; a retry runs only the items not done', async () => {
    let broken = true;
    const { runner, seen } = timedRunner(1, (script) => broken && script === 'start b');
    const plan = oneStep(`      - id: start
        foreach: [a, b, c]
        retries: 1
        retry_delay: 1s
        run: start {{ item }}
`);
    const r = await drive({
      plan,
      runner: {
        run: async (spec, hooks) => {
          const result = await runner.run(spec, hooks);
          if (spec.script === 'start b') broken = false;
          return result;
        },
      },
      by: 'unattended',
      unattended: true,
    });
    expect(r.outcome.status).toBe('done');
    expect(seen.scripts).toEqual(['start a', 'start b', 'start c', 'start b']);
    expect(items(r.events)).toEqual(['a:done', 'b:failed', 'c:done', 'b:done']);
    expect(of(r.events, 'step.items').map((e) => e.pending)).toEqual([3, 1]);

    const failing = await drive({
      plan: oneStep(`      - id: start\n        foreach: [a, b, c]\n        run: start {{ item }}\n`),
      runner: timedRunner(1, (s) => s !== 'start a').runner,
      by: 'unattended',
      unattended: true,
    });
    expect(failing.outcome.status).toBe('failed');
    expect(failing.outcome.message).toMatch(/^2 of 3 items failed: b \(exited 1 .*\); c \(exited 1/);
    const tolerated = await drive({
      plan: oneStep(`      - id: start\n        foreach: [a, b, c]\n        tolerate_failures: 2\n        run: start {{ item }}\n`),
      runner: timedRunner(1, (s) => s !== 'start a').runner,
      by: 'unattended',
      unattended: true,
    });
    expect(tolerated.outcome.status).toBe('done');
    expect(finishedOf(tolerated.events, 'start')[0]?.status).toBe('done');
  });

  it('each item has its own prechecks and verify checks, with the item put in', async () => {
    const plan = oneStep(`      - id: start
        foreach: [a, b]
        precheck:
          - run: is-running {{ item }}
        run: start {{ item }}
        verify:
          - run: is-running {{ item }}
`);
    const r = await drive({ plan, by: 'unattended', unattended: true, checks: { "precheck:is-running '{{ item }}'": [{ ok: true }, { ok: false }] } });
    expect(r.outcome.status).toBe('done');
    expect(r.specs.map((s) => s.script)).toEqual(['start b']);
    expect(of(r.events, 'item.finished').map((e) => `${e.item}:${e.via ?? 'ran'}`)).toEqual(['a:precheck', 'b:ran']);
  });

  it('a confirmation is asked once for the step, its own values put in; its texts show the item as its reference; then the items run', async () => {
    const plan = oneStep(`      - id: list
        run: list
        capture:
          guests: { json: true }
      - id: restore
        title: Restore {{ guest.id }}
        foreach: "{{ steps.list.guests }}"
        as: guest
        key: "{{ guest.id }}"
        confirm:
          typed: "{{ steps.list.guests.0.id }}"
        precheck:
          - run: has-disks {{ guest.id }}
        run: qmrestore {{ guest.archive }} {{ guest.id }}
`);
    const shown: string[] = [];
    const policy = unattendedPolicyFor(new Set(['restore']));
    const r = await drive({
      plan,
      by: 'unattended',
      unattended: true,
      fallback: {
        ...policy,
        confirm: (step, word) => {
          shown.push(step.title);
          return policy.confirm(step, word);
        },
      },
      run: { list: [{ out: '[{"id": 101, "archive": "a.vma"}, {"id": 102, "archive": "b.vma"}]' }] },
      checks: { "precheck:has-disks '{{ guest.id }}'": [{ ok: false }, { ok: false }] },
    });
    expect(r.outcome.status).toBe('done');
    expect(r.confirms).toEqual([{ step: 'restore', word: '101' }]);
    expect(shown).toEqual(['Restore {{ guest.id }}']);
    expect(r.specs.map((s) => s.script).slice(1)).toEqual(['qmrestore a.vma 101', 'qmrestore b.vma 102']);
    // Without the confirmation the run stops before any item, saying why.
    const declined = await drive({ plan, by: 'unattended', unattended: true, run: { list: [{ out: '[{"id": 101, "archive": "a.vma"}]' }] } });
    expect(declined.outcome.status).toBe('aborted');
    expect(declined.outcome.message).toContain('asks for typed confirmation');
    expect(declined.specs.map((s) => s.script)).toEqual(['list']);
  });

  it('a script step runs its script once per item, the item in its args, its host in the environment', async () => {
    const plan = planOf(
      `name: engine
hosts:
  pve1: { ssh: root@pve1 }
phases:
  - id: p
    steps:
      - id: start
        on: pve1
        foreach: [vm:101, ct:200]
        as: guest
        script: proxmox/start-guests.mjs
        args: [--timeout, "60", "{{ guest }}"]
`,
      ['proxmox/start-guests.mjs'],
    );
    const r = await drive({ plan, by: 'unattended', unattended: true, stepsDir: '/steps' });
    expect(r.outcome.status, r.outcome.message).toBe('done');
    expect(r.specs.map((s) => s.script.replace(/^exec \S+ /, 'exec node '))).toEqual([
      'exec node /steps/proxmox/start-guests.mjs --timeout 60 vm:101',
      'exec node /steps/proxmox/start-guests.mjs --timeout 60 ct:200',
    ]);
    expect(r.specs.every((s) => s.env.LIFEBOAT_SSH === 'root@pve1' && s.host === undefined)).toBe(true);
    expect(of(r.events, 'step.attempt').map((e) => [e.item, e.command])).toEqual([
      ['vm:101', 'zx proxmox/start-guests.mjs --timeout 60 vm:101'],
      ['ct:200', 'zx proxmox/start-guests.mjs --timeout 60 ct:200'],
    ]);
    expect(items(r.events)).toEqual(['vm:101:done', 'ct:200:done']);
  });

  it('resumed, the items that ended done are not run again', async () => {
    const plan = oneStep(`      - id: start\n        foreach: [a, b, c]\n        run: start {{ item }}\n`);
    const r = await drive({ plan, by: 'unattended', unattended: true, recorded: { start: { status: 'running', attempts: 1 } }, itemsDone: new Map([['start', new Set(['a', 'c'])]]) });
    expect(r.specs.map((s) => s.script)).toEqual(['start b']);
    expect(of(r.events, 'step.items')[0]).toMatchObject({ keys: ['a', 'b', 'c'], pending: 1 });
  });

  it('two items with one key are refused, saying how to tell them apart', async () => {
    const plan = oneStep(`      - id: start\n        foreach: [{ n: 1 }, { n: 1 }]\n        key: "{{ item.n }}"\n        run: start {{ item.n }}\n`);
    const r = await drive({ plan, by: 'unattended', unattended: true });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/two items have the key "1"/);
  });
});

describe('foreach, validated', () => {
  const problems = (steps: string): Problem[] =>
    buildPlan(
      { runbook: { path: 'f.yaml', text: `name: f\nvars:\n  x: a\nphases:\n  - id: p\n    title: P\n    steps:\n${steps}` }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } },
      SCHEMAS,
    ).problems;
  it('reports what cannot work, where it is written', () => {
    const found = problems(`      - id: a
        foreach: "not a reference"
        run: echo {{ item }}
      - id: b
        foreach: [1, 2]
        manual: Do {{ item }}
      - id: c
        concurrency: 2
        run: "true"
      - id: d
        foreach: [1]
        as: vars
        run: echo {{ vars.x }}
      - id: e
        run: echo {{ item }}
      - id: f
        foreach: [1]
        when:
          - value: "{{ item }}"
            equals: "1"
        run: echo {{ item }}
`);
    expect(found.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '9:18 `foreach` takes a list, or one reference to a list',
      '12:9 `foreach` runs a command per item, and a manual step runs none',
      '15:9 `concurrency` only goes with `foreach`',
      '19:13 `as: vars` would hide the `vars` references',
      '22:19 unknown reference `item`',
      '25:9 `when` is decided once for the whole step, so it cannot use `item`',
    ]);
  });
});
