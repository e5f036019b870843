import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

// runbooks/homelab.yaml against the lab of real services that lab/setup.sh builds (network
// namespaces, sshd, unbound, zfs-fuse, samba, nfs-ganesha, Proxmox stand-ins), as root.
// zfs-fuse has no encryption, and this laptop mounts no shares; the lab has no internet, and
// recursion to the internet is not even attempted.
const SKIP = 'unlock-private,client-sees-share,dns-recursion';

const logs = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));

async function lab(script: string, ...args: string[]) {
  const result = await execa('bash', [join(ROOT, 'lab', script), ...args], { reject: false, all: true, timeout: 25 * 60_000 });
  return { code: result.exitCode, all: result.all ?? '' };
}

function run(args: string[]) {
  return execa('node', [BIN, ...args, '--logs', logs], { cwd: ROOT, reject: false, all: true, env: { NO_COLOR: '1' }, timeout: 12 * 60_000 });
}

const restore = (extra: string[] = []) => run(['run', 'runbooks/homelab.yaml', '--inventory', 'lab/inventory.yaml', '--yes', '--skip', SKIP, ...extra]);

/** The events of the journal of the run that printed OUTPUT (it names its log as its last words). */
function journalOf(output: string): Array<Record<string, unknown>> {
  const file = /^Run log: (\S+events\.jsonl)$/m.exec(output)?.[1];
  expect(file, output).toBeDefined();
  return readFileSync(file!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the homelab runbook restores a lab of real services', () => {
  beforeAll(async () => {
    const setup = await lab('setup.sh');
    expect(setup.code, setup.all).toBe(0);
  });

  afterAll(async () => {
    const teardown = await lab('teardown.sh');
    rmSync(logs, { recursive: true, force: true });
    // teardown.sh checks that no namespace, mount, process or loop device is left, and says which.
    expect(teardown.code, teardown.all).toBe(0);
  });

  it('the lab starts broken: the real clients say so', async () => {
    const verify = await lab('verify.sh');
    expect(verify.code, verify.all).not.toBe(0);
  });

  it('restores all five areas unattended; dig, zpool/zfs, smbclient, nfs-ls and ssh agree', async () => {
    // Recorded as a drill: `ready` below counts it against the runbook's drill_every.
    const result = await restore(['--drill', 'end-to-end lab restore']);
    expect(result.exitCode, result.all).toBe(0);
    const finished = journalOf(result.all).filter((e) => e.kind === 'step.finished');
    for (const phase of ['network', 'dns', 'storage', 'zfs', 'proxmox']) {
      expect(
        finished.some((e) => String(e.position).startsWith(`${['network', 'dns', 'storage', 'zfs', 'proxmox'].indexOf(phase) + 1}.`)),
        phase,
      ).toBe(true);
    }
    const verify = await lab('verify.sh');
    expect(verify.code, verify.all).toBe(0);
  });

  describe('lifeboat ready: the restored lab is ready; a broken one, or a missed RPO, is not', () => {
    const prom = join(logs, 'lifeboat.prom');
    const ready = () => run(['ready', 'runbooks/homelab.yaml', '--inventory', 'lab/inventory.yaml', '--skip', SKIP, '--prometheus', prom]);
    const metric = (name: string, labels: string) => {
      const line = readFileSync(prom, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${name}{${labels}}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };

    it('before the disaster: ready, every backup within its RPO, the drill on record', async () => {
      const result = await ready();
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toMatch(/^READY: /m);
      expect(result.all).toMatch(/^backup +vzdump of guest 101 +✔ ok/m);
      expect(result.all).toMatch(/^drill +last successful drill +✔ ok +0d ago +every 90d/m);
      expect(metric('lifeboat_runbook_ready', 'runbook="homelab-restore"')).toBe(1);
      expect(metric('lifeboat_host_up', 'runbook="homelab-restore",host="pve1"')).toBe(1);
    });

    it('after breaking it (sshd on pve1 stopped): not ready, naming the host and what it could not check', async () => {
      expect((await lab('faults.sh', 'stop-sshd', 'pve1')).code).toBe(0);
      try {
        const result = await ready();
        expect(result.exitCode, result.all).toBe(1);
        expect(result.all).toMatch(/^host +pve1 +✖ failed +no answer/m);
        // The problems below the table are wrapped to 80 columns: read them as one text.
        const problems = result.all.replace(/\n {4}/g, ' ');
        expect(problems).toContain('✖ host pve1: cannot reach pve1 (root@10.213.7.30) over ssh: connection refused');
        expect(problems).toContain('not run: host pve1 cannot be reached');
        expect(result.all).toMatch(/^NOT READY: /m);
        expect(metric('lifeboat_host_up', 'runbook="homelab-restore",host="pve1"')).toBe(0);
        expect(metric('lifeboat_runbook_ready', 'runbook="homelab-restore"')).toBe(0);
      } finally {
        await lab('faults.sh', 'start-sshd', 'pve1');
      }
    });

    it('with an aged backup: the RPO is missed, and the metrics say by how much', async () => {
      expect((await lab('faults.sh', 'age-backup', '101')).code).toBe(0);
      try {
        const result = await ready();
        expect(result.exitCode, result.all).toBe(1);
        expect(result.all).toMatch(/^backup +vzdump of guest 101 +✖ failed +3d +≤ 26h/m);
        expect(result.all.replace(/\n {4}/g, ' ')).toMatch(/vzdump of guest 101: the newest is 3d old .*more than max_age 26h/);
        const age = metric('lifeboat_backup_age_seconds', 'runbook="homelab-restore",asset="vzdump of guest 101"')!;
        expect(age).toBeGreaterThan(metric('lifeboat_backup_max_age_seconds', 'runbook="homelab-restore",asset="vzdump of guest 101"')!);
      } finally {
        await lab('faults.sh', 'fix-backup-age', '101');
      }
      expect((await ready()).exitCode).toBe(0);
    });
  });

  it('DNS killed between phases: its checks stop the run at the right step; after a restart, resume completes', async () => {
    expect((await lab('setup.sh')).code).toBe(0);
    const first = await restore(['--only', 'network,dns']);
    expect(first.exitCode, first.all).toBe(0);
    // Between the DNS phase and the storage phase, DNS dies: the NAS's name lookup must catch it.
    expect((await lab('faults.sh', 'kill-dns')).code).toBe(0);
    const stopped = await restore(['--from', 'storage']);
    expect(stopped.exitCode, stopped.all).toBe(1);
    const end = journalOf(stopped.all).findLast((e) => e.kind === 'run.finished');
    expect(end?.stoppedAt, stopped.all).toBe('nas-dns');
    // The lookup (its dig, or its dns check) is what failed: nothing else in that step can.
    const failedLookup = journalOf(stopped.all).some((e) => e.step === 'nas-dns' && ((e.kind === 'step.exited' && e.exitCode !== 0) || e.kind === 'check.failed'));
    expect(failedLookup, stopped.all).toBe(true);
    expect(stopped.all).toMatch(/Continue with: (?:node \S+|lifeboat) resume \S+/);

    expect((await lab('faults.sh', 'fix-dns')).code).toBe(0);
    const resumed = await run(['resume', '--yes']);
    expect(resumed.exitCode, resumed.all).toBe(0);
    const verify = await lab('verify.sh');
    expect(verify.code, verify.all).toBe(0);
  });

  it("a host's sshd stopped: reported as unreachable, never as a failed command", async () => {
    expect((await lab('faults.sh', 'stop-sshd', 'nas')).code).toBe(0);
    try {
      const result = await restore(['--only', 'nas-route']);
      expect(result.exitCode, result.all).toBe(1);
      expect(result.all).toContain('cannot reach nas (root@10.213.7.20) over ssh: connection refused');
      // ssh's failure is not the command's: no exit code, the reason instead.
      const exited = journalOf(result.all).filter((e) => e.kind === 'step.exited');
      expect(exited.length).toBeGreaterThan(0);
      for (const e of exited) {
        expect(e.exitCode).toBeUndefined();
        expect(String(e.error)).toContain('connection refused');
      }
    } finally {
      await lab('faults.sh', 'start-sshd', 'nas');
    }
  });

  it('a wrong host key: refused, never silently accepted', async () => {
    const knownHosts = readFileSync('/tmp/lifeboat-lab/ssh/known_hosts', 'utf8');
    expect((await lab('faults.sh', 'wrong-hostkey', 'nas')).code).toBe(0);
    try {
      const result = await restore(['--only', 'nas-route']);
      expect(result.exitCode, result.all).toBe(1);
      expect(result.all).toContain('its host key does not match the known_hosts entry');
      // Nothing was added to or changed in known_hosts.
      expect(readFileSync('/tmp/lifeboat-lab/ssh/known_hosts', 'utf8')).toBe(knownHosts);
      for (const e of journalOf(result.all).filter((e) => e.kind === 'step.exited')) {
        expect(e.exitCode).toBeUndefined();
        expect(String(e.error)).toContain('host key does not match');
      }
    } finally {
      await lab('faults.sh', 'fix-hostkey', 'nas');
    }
  });

  it('leaves no ssh control socket behind', () => {
    const dir = `/tmp/lifeboat-ssh-${process.getuid?.() ?? 'user'}`;
    const sockets = existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isSocket())
          .map((entry) => entry.name)
      : [];
    expect(sockets).toEqual([]);
  });
});
