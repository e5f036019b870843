// `lifeboat ready` against a lab-like fixture: the loopback sshd as a reachable host, a second host
// that refuses, a fresh and a stale backup, a readable and an unreadable secret, an overdue drill.
// Real processes; loopback only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRunId } from '../../src/core/model/run-id.js';
import { lifeboat } from '../helpers/cli.js';
import { type Workspace, workspacesPerTest } from '../helpers/run-fixtures.js';
import { freePort, type Sshd, startSshd } from '../helpers/sshd.js';
import { parsePrometheusText } from './prometheus-parse.js';

const HOUR = 3600;
const DAY = 86_400;
let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
const ws = workspacesPerTest('lifeboat-ready-');

function aged(w: Workspace, name: string, secondsAgo: number): void {
  const path = w.path(name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'backup');
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(path, t, t);
}

/** A finished drill of `name` recorded in the logs folder, `daysAgo` days ago. */
function pastDrill(w: Workspace, name: string, file: string, daysAgo: number): void {
  const start = new Date(Date.now() - daysAgo * DAY * 1000);
  const runId = makeRunId(start, name, 'd1a1');
  const dir = join(w.logs, runId);
  mkdirSync(dir, { recursive: true });
  const meta = {
    runId,
    runbook: { name, path: file, hash: 'x' },
    request: { file, vars: [] },
    fingerprints: {},
    order: [],
    createdAt: start.toISOString(),
    operator: 'op',
    hostname: 'laptop',
    drill: 'spring rehearsal',
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta));
  const end = new Date(start.getTime() + 20 * 60_000);
  writeFileSync(
    join(dir, 'events.jsonl'),
    `${JSON.stringify({ level: 30, time: start.toISOString(), runId, kind: 'run.started', drill: 'spring rehearsal' })}\n${JSON.stringify({ level: 30, time: end.toISOString(), runId, kind: 'run.finished', status: 'done', durationMs: 1_200_000, counts: { done: 1, skipped: 0, 'not-applicable': 0, failed: 0, pending: 0 } })}\n`,
  );
}

/**
 * Every file under `dir` with its size and mtime, and every folder by name, to prove nothing was
 * written. (A folder's own mtime moves when the logs folder is tested for writing, with an empty
 * folder made and removed at once.)
 */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      out.push(s.isDirectory() ? `${p}/` : `${p} ${s.size} ${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

function labFixture(w: Workspace, refusedPort: number): string {
  aged(w, 'nas/dump/vzdump-qemu-101-new.vma.zst', 3 * HOUR);
  aged(w, 'nas/dump/vzdump-qemu-101-old.vma.zst', 4 * DAY);
  aged(w, 'nas/snapshots/tank-data-daily', 9 * DAY);
  writeFileSync(w.path('token'), 'sekrit\n');
  const file = w.path('homelab.yaml');
  writeFileSync(
    file,
    `name: lab
rpo: 26h
drill_every: 90d
secrets:
  pbs_token: { file: ${w.path('token')} }
  ipmi_password: { file: ${w.path('missing-secret')} }
  unused_key: { env: LIFEBOAT_READY_TEST_UNSET }
hosts:
  nas: ${sshd.hostYaml()}
  pve: ${sshd.hostYaml({ port: refusedPort })}
phases:
  - id: storage
    on: nas
    steps:
      - id: import-pool
        run: zpool import tank
        precheck:
          - run: test -d ${w.path('nas')}
            readonly: true
          - run: echo this precheck is not read-only
      - id: vm-backup
        run: "true"
        env: { TOKEN: "{{ secrets.pbs_token }}" }
        verify:
          - age: { path: "${w.path('nas/dump')}/vzdump-qemu-101-*.vma.zst" }
            max_age: 26h
            name: vzdump of VM 101
          - age: { run: "stat -c %Y ${w.path('nas/snapshots')}/*" }
            max_age: 26h
            name: newest snapshot of tank/data
  - id: proxmox
    needs: [storage]
    on: pve
    steps:
      - id: quorum
        run: "true"
        precheck:
          - run: pvecm status
            readonly: true
      - id: power
        manual: Power it on with the BMC.
        precheck:
          - run: test -n {{ secrets.ipmi_password }}
            readonly: true
            from: nas
`,
  );
  pastDrill(w, 'lab', file, 123.1);
  return file;
}

describe('lifeboat ready', () => {
  it('names the stale backup, the unreachable host, the unreadable secret and the overdue drill; exit 1; writes only the Prometheus file', async () => {
    const w = ws();
    const file = labFixture(w, await freePort());
    const prom = w.path('lifeboat.prom');
    const before = snapshot(w.dir);
    const scratchBefore = readdirSync(tmpdir()).filter((n) => n.startsWith('lbr-'));
    const result = await lifeboat(['ready', file, '--logs', w.logs, '--prometheus', prom], { cwd: w.dir });
    expect(result.code, result.stderr).toBe(1);
    const out = result.stdout;
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(out).toMatch(/^host +nas +✔ ok +answers/m);
    expect(out).toMatch(/^host +pve +✖ failed +no answer/m);
    expect(out).toContain('✖ host pve: cannot reach pve (');
    expect(out).toContain('connection refused');
    expect(out).toMatch(/^secret +pbs_token +✔ ok/m);
    expect(out).toMatch(/^secret +ipmi_password +✖ failed/m);
    // Only the secrets the steps use are checked, as a run asks only for those.
    expect(out).not.toContain('unused_key');
    expect(out).toMatch(/^backup +vzdump of VM 101 +✔ ok +3h +≤ 26h/m);
    expect(out).toMatch(/^backup +newest snapshot of tank\/data +✖ failed +9d +≤ 26h/m);
    expect(out).toMatch(/^check +pvecm status +\? unknown/m);
    expect(out).toContain('not run: host pve cannot be reached');
    expect(out).toMatch(/not run: secret ipmi_password\s+cannot be read/);
    expect(out).toMatch(/^check +echo this precheck is not read-o… +– skipped/m);
    expect(out).toMatch(/^drill +last successful drill +✖ failed +123d ago +every 90d/m);
    expect(out).toContain('no successful drill for 123 days');
    expect(out).toMatch(/^NOT READY: /m);

    // Nothing else was written: not in the workspace (logs included), not in the temp folder.
    const after = snapshot(w.dir).filter((l) => !l.startsWith(`${prom} `));
    expect(after).toEqual(before);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('lbr-'))).toEqual(scratchBefore);

    const metrics = parsePrometheusText(readFileSync(prom, 'utf8'));
    expect(metrics.value('lifeboat_runbook_ready', { runbook: 'lab' })).toBe(0);
    expect(metrics.value('lifeboat_host_up', { runbook: 'lab', host: 'pve' })).toBe(0);
    expect(metrics.value('lifeboat_host_up', { runbook: 'lab', host: 'nas' })).toBe(1);
    expect(Math.round(metrics.value('lifeboat_backup_age_seconds', { runbook: 'lab', asset: 'newest snapshot of tank/data' })! / DAY)).toBe(9);
    expect(metrics.value('lifeboat_backup_max_age_seconds', { runbook: 'lab', asset: 'vzdump of VM 101' })).toBe(26 * HOUR);
    expect(metrics.value('lifeboat_ready', { runbook: 'lab', check: 'secret: ipmi_password', area: 'secret' })).toBe(0);
    expect(Math.round((Date.now() / 1000 - metrics.value('lifeboat_last_drill_timestamp_seconds', { runbook: 'lab' })!) / DAY)).toBe(123);
    expect(metrics.value('lifeboat_rpo_seconds', { runbook: 'lab' })).toBe(26 * HOUR);
    promtoolCheck(prom);
  });

  it('says ready (exit 0) when everything answers, and --json carries the measured ages; a check of a foreach item is known only in a run', async () => {
    const w = ws();
    aged(w, 'dump/vzdump-qemu-101-a.vma.zst', 2 * HOUR);
    const file = w.path('ok.yaml');
    writeFileSync(
      file,
      `name: ok\nhosts:\n  nas: ${sshd.hostYaml()}\nphases:\n  - id: p\n    on: nas\n    steps:\n      - id: s\n        run: "true"\n        verify:\n          - age: { path: "${w.path('dump')}/*.zst" }\n            max_age: 26h\n      - id: start\n        foreach: [101, 102]\n        run: qm start {{ item }}\n        precheck:\n          - run: qm status {{ item }}\n            readonly: true\n`,
    );
    const result = await lifeboat(['ready', file, '--logs', w.logs, '--json'], { cwd: w.dir });
    expect(result.code, result.stdout).toBe(0);
    const json = JSON.parse(result.stdout) as { ready: boolean; items: Array<{ area: string; state: string; age?: { ageSeconds: number } }> };
    expect(json.ready).toBe(true);
    const backup = json.items.find((i) => i.area === 'backup')!;
    expect(Math.round(backup.age!.ageSeconds / HOUR)).toBe(2);
    expect(json.items.find((i) => i.area === 'logs')).toMatchObject({ state: 'ok', measured: 'can create' });
    expect(json.items.find((i) => (i as { step?: string }).step === 'start')).toMatchObject({
      state: 'skipped',
      detail: 'known only in a run: it uses a captured value or the item of a foreach step',
    });
  });

  it('exits 2 on an invalid runbook and still tells monitoring', async () => {
    const w = ws();
    const file = w.path('broken.yaml');
    writeFileSync(file, 'name: broken\nphases:\n  - id: p\n    steps:\n      - id: s\n        run: "true"\n        verify:\n          - age: { path: /x }\n');
    const prom = w.path('m.prom');
    const result = await lifeboat(['ready', file, '--prometheus', prom], { cwd: w.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.yaml:8:13: an age check needs `max_age`/);
    expect(parsePrometheusText(readFileSync(prom, 'utf8')).value('lifeboat_runbook_ready', { runbook: 'broken' })).toBe(0);
  });
});

/** `promtool check metrics` when promtool is installed (Debian's prometheus package); the parser test above runs always. */
function promtoolCheck(file: string): void {
  let promtool: string | undefined;
  try {
    promtool = execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim();
  } catch {
    return;
  }
  if (promtool) execFileSync(promtool, ['check', 'metrics'], { input: readFileSync(file), stdio: ['pipe', 'pipe', 'pipe'] });
}
