// `age` checks for real: files with set mtimes in a temp folder, real bash commands, and a
// remote host reached over the loopback sshd through the same ssh runner as every remote check.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecaRunner } from '../../src/adapters/execa-runner.js';
import { createLiveChecks } from '../../src/adapters/live-checks.js';
import { netProbe } from '../../src/adapters/net-probe.js';
import { createSshRunner } from '../../src/adapters/ssh-runner.js';
import type { Check, Plan } from '../../src/core/model/plan-types.js';
import { planView } from '../../src/core/views/plan-view.js';
import { type Sshd, startSshd } from '../helpers/sshd.js';
import { planFromYaml, validPlan } from './plan-from-yaml.js';

const HOUR = 3600;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-age-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file whose mtime is `hoursAgo` hours before now. */
function fileAged(name: string, hoursAgo: number): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x');
  const t = Date.now() / 1000 - hoursAgo * HOUR;
  utimesSync(path, t, t);
  return path;
}

function checksOf(plan: Plan): Check[] {
  return plan.phases.flatMap((p) => p.steps.flatMap((s) => s.verify));
}

function runbookWith(checks: string, head = ''): string {
  return `name: age-test\n${head}phases:\n  - id: p\n    steps:\n      - id: s\n        run: "true"\n        verify:\n${checks}`;
}

const local = createLiveChecks(createExecaRunner(), netProbe, new Map());

describe('age of a path glob (the newest match counts)', () => {
  it('measures the mtime of the newest match and passes within max_age', async () => {
    fileAged('dump/vzdump-qemu-101-old.vma.zst', 50);
    fileAged('dump/vzdump-qemu-101-new.vma.zst', 2);
    fileAged('dump/vzdump-qemu-102-newer.vma.zst', 0.1);
    const [check] = checksOf(validPlan(runbookWith(`          - age: { path: "${dir}/dump/vzdump-qemu-101-*.vma.zst" }\n            max_age: 26h\n`)));
    expect(check).toMatchObject({ kind: 'age', readonly: true, maxAgeMs: 26 * HOUR * 1000 });
    const result = await local.run(check!, 'verify');
    expect(result.ok).toBe(true);
    expect(result.measured!.ageSeconds).toBeGreaterThanOrEqual(2 * HOUR - 5);
    expect(result.measured!.ageSeconds).toBeLessThanOrEqual(2 * HOUR + 60);
    expect(result.measured!.maxAgeSeconds).toBe(26 * HOUR);
  });

  it('fails when the newest match is older than max_age, and still records how old', async () => {
    fileAged('stale/backup-a.tar', 72);
    fileAged('stale/backup-b.tar', 49);
    const [check] = checksOf(validPlan(runbookWith(`          - age: { path: "${dir}/stale/backup-*.tar" }\n            max_age: 2d\n`)));
    const result = await local.run(check!, 'verify');
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^the newest is 2d( 1h)? old \(.*\), more than max_age 2d$/);
    expect(Math.round(result.measured!.ageSeconds / HOUR)).toBe(49);
  });

  it('fails clearly when nothing matches', async () => {
    const [check] = checksOf(validPlan(runbookWith(`          - age: { path: "${dir}/nothing-here/*.zst" }\n            max_age: 1h\n`)));
    const result = await local.run(check!, 'verify');
    expect(result).toMatchObject({ ok: false });
    expect(result.reason).toBe(`nothing matches ${dir}/nothing-here/*.zst: no backup found`);
    expect(result.measured).toBeUndefined();
  });

  it('takes a name with spaces, quotes and $(…) as a pattern, never as code', async () => {
    const odd = fileAged(`odd/it's a $(touch PWNED) "file".bak`, 1);
    const [check] = checksOf(validPlan(runbookWith(`          - age: { path: ${JSON.stringify(`${dir}/odd/it's a $(touch PWNED) "file"*`)} }\n            max_age: 2h\n`)));
    const result = await local.run(check!, 'verify');
    expect(result.ok, result.reason).toBe(true);
    expect(odd).toContain('$(touch');
    expect(() => rmSync(join(dir, 'odd', 'PWNED'))).toThrow();
    expect(() => rmSync('PWNED')).toThrow();
  });
});

describe('age of what a command prints', () => {
  const now = Math.floor(Date.now() / 1000);
  async function ageOf(command: string, maxAge = '26h') {
    const [check] = checksOf(validPlan(runbookWith(`          - age: { run: ${JSON.stringify(command)} }\n            max_age: ${maxAge}\n`)));
    return local.run(check!, 'verify');
  }

  it('reads epoch seconds', async () => {
    const result = await ageOf(`echo ${now - 3 * HOUR}`);
    expect(result.ok).toBe(true);
    expect(result.measured!.ageSeconds).toBeGreaterThanOrEqual(3 * HOUR);
    expect(result.measured!.ageSeconds).toBeLessThan(3 * HOUR + 60);
  });

  it('reads ISO 8601 times', async () => {
    const iso = new Date((now - 30 * HOUR) * 1000).toISOString();
    const result = await ageOf(`echo ${iso}`);
    expect(result.ok).toBe(false);
    expect(result.measured!.newest).toBe(iso);
    expect(result.reason).toMatch(/^the newest is 30h old .* more than max_age 26h$/);
  });

  it('takes the newest of several lines (as zfs list prints them)', async () => {
    const result = await ageOf(`printf '%s\\n' ${now - 72 * HOUR} ${now - 5 * HOUR} ${now - 48 * HOUR}`);
    expect(result.ok).toBe(true);
    expect(Math.round(result.measured!.ageSeconds / HOUR)).toBe(5);
  });

  it('fails clearly on garbage output', async () => {
    const result = await ageOf(`echo ${now}; echo 'cannot open tank/data: dataset does not exist'`);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('line 2 of its output is not a time: "cannot open tank/data: dataset does not exist" (expected epoch seconds, e.g. 1764892800, or ISO 8601, e.g. 2026-12-05T02:00:00Z)');
    expect(result.measured).toBeUndefined();
  });

  it('fails clearly on no output, and on a failing command', async () => {
    expect((await ageOf('true')).reason).toMatch(/^printed no time/);
    const failed = await ageOf(`echo ${now}; exit 2`);
    expect(failed).toMatchObject({ ok: false, reason: 'exited 2' });
  });
});

describe('age checks in the runbook', () => {
  it('reports a missing max_age, a missing source, a bad max_age and an unknown key at file:line:column', () => {
    const { plan, problems } = planFromYaml(
      runbookWith(
        `          - age: { path: /x }\n          - age: {}\n            max_age: 1h\n          - age: { path: /x }\n            max_age: soon\n          - age: { glob: /x }\n            max_age: 1h\n`,
      ),
    );
    expect(plan).toBeUndefined();
    const shown = problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    expect(shown).toContainEqual(expect.stringMatching(/^8:13 an age check needs `max_age`/));
    expect(shown.filter((s) => s.startsWith('9:'))).toEqual(['9:18 an age check needs `path` or `run`']);
    expect(problems.find((p) => p.line === 12)?.expected).toMatch(/26h, 2d, 90d/);
    expect(shown.some((s) => s.startsWith('13:'))).toBe(true);
  });

  it('takes `from:` to measure on another host, and shows in the plan with its target', () => {
    const plan = validPlan(
      runbookWith(
        `          - age: { run: "zfs list -Hp -t snapshot -o creation -s creation tank/data | tail -1" }\n            max_age: 25h\n            from: nas\n`,
        'hosts:\n  nas: { ssh: root@192.0.2.20 }\n',
      ),
    );
    const [check] = checksOf(plan);
    expect(check!.host?.name).toBe('nas');
    expect(check!.label).toBe('newest time from zfs list -Hp -t snapshot -o creation -s creation tank/data | tail -1 ≤ 25h old');
    expect(JSON.stringify(planView(plan))).toContain('≤ 25h old');
  });

  it('reads rpo on the runbook and on a phase, and drill_every', () => {
    const plan = validPlan('name: r\nrpo: 26h\ndrill_every: 90d\nphases:\n  - id: p\n    rpo: 2d\n    steps:\n      - id: s\n        run: "true"\n');
    expect(plan.rpoMs).toBe(26 * HOUR * 1000);
    expect(plan.drillEveryMs).toBe(90 * 24 * HOUR * 1000);
    expect(plan.phases[0]!.rpoMs).toBe(48 * HOUR * 1000);
  });
});

describe('age checks on a remote host (loopback sshd)', () => {
  let sshd: Sshd;
  let ssh: ReturnType<typeof createSshRunner>;
  let controlDir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    controlDir = mkdtempSync('/tmp/lb-age-');
    ssh = createSshRunner({ controlDir: `${controlDir}/c` });
  });
  afterAll(async () => {
    await ssh?.close();
    await sshd?.stop();
    rmSync(controlDir, { recursive: true, force: true });
  });

  it('measures a glob and a command on the host, over the ssh runner', async () => {
    fileAged('remote/snap-1', 30);
    fileAged('remote/snap 2', 3);
    const now = Math.floor(Date.now() / 1000);
    const plan = validPlan(
      runbookWith(
        `          - age: { path: "${dir}/remote/snap*" }\n            max_age: 4h\n          - age: { run: "echo ${now - 10 * HOUR}" }\n            max_age: 4h\n            name: replicated snapshot\n`,
        `hosts:\n  r: ${sshd.hostYaml()}\n`,
      ).replace('        run: "true"', '        run: "true"\n        on: r'),
    );
    const [glob, command] = checksOf(plan);
    expect(glob!.host?.name).toBe('r');
    const before = sshd.acceptedCount();
    const remote = createLiveChecks(createExecaRunner(ssh), netProbe, new Map());
    const g = await remote.run(glob!, 'verify');
    expect(g.ok, g.reason).toBe(true);
    expect(Math.round(g.measured!.ageSeconds / HOUR)).toBe(3);
    const c = await remote.run(command!, 'verify');
    expect(c.ok).toBe(false);
    expect(c.reason).toMatch(/^the newest is 10h old/);
    expect(sshd.acceptedCount()).toBeGreaterThan(before);
  });

  it('reports an unreachable host as such, not as a missing backup', async () => {
    const plan = validPlan(runbookWith(`          - age: { path: /srv/*.zst }\n            max_age: 4h\n            from: gone\n`, `hosts:\n  gone: ${sshd.hostYaml({ port: 1 })}\n`));
    const result = await createLiveChecks(createExecaRunner(ssh), netProbe, new Map()).run(checksOf(plan)[0]!, 'verify');
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^cannot reach gone .* over ssh: connection refused/);
  });
});
