import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

// runbooks/homelab.yaml against the lab of real services that lab/setup.sh builds (network
// namespaces, sshd, unbound, zfs-fuse, samba, nfs-ganesha, Proxmox stand-ins), as root.
// This machine is the laptop: it mounts the NAS's SMB share media with rclone over FUSE, and
// lists the NFS export with nfs-ls. The lab has no internet: Unbound recurses from the lab's own
// DNS root (namespace lbinet), which delegates org. to a lab TLD server. tank/private is encrypted
// (gocryptfs behind the NAS's zfs stand-in, as zfs-fuse has no encryption): the run unlocks it
// with the lab's passphrase.
// The laptop's mount of //nas/media (lab/inventory.yaml's client_media_path is a folder in it).
const CLIENT_MNT = '/tmp/lifeboat-lab/laptop/mnt/nas/media';
// A file of the media dataset (lab/setup.sh), as the clients must see it after the restore.
const MOVIE = 'Big Buck Bunny (2008).mkv';
// The lab's pve1: its guests' configurations and disks (lab/lib/pve.sh).
const PVE = '/tmp/lifeboat-lab/pve1';
// The steps that decide which guests come back from backup and restore them.
const RESTORE = 'list-backups,guests-to-restore,restore-guests';
// The passphrase of the lab's tank/private (lab/lib/crypt.sh).
const ZFS_KEY = 'lifeboat lab passphrase';

const logs = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));

async function lab(script: string, ...args: string[]) {
  const result = await execa('bash', [join(ROOT, 'lab', script), ...args], { reject: false, all: true, timeout: 25 * 60_000 });
  return { code: result.exitCode, all: result.all ?? '' };
}

/** Runs a lab script that must succeed; its output is the failure's message. */
async function labOk(script: string, ...args: string[]) {
  const result = await lab(script, ...args);
  expect(result.code, `lab/${[script, ...args].join(' ')}:\n${result.all}`).toBe(0);
  return result;
}

function run(args: string[], zfsKey = ZFS_KEY) {
  return execa('node', [BIN, ...args, '--logs', logs], {
    cwd: ROOT,
    reject: false,
    all: true,
    env: { NO_COLOR: '1', LIFEBOAT_ZFS_KEY: zfsKey },
    timeout: 12 * 60_000,
  });
}

// An unattended restore gives the typed confirmations it is told to with --confirm: the full
// restore starts a scrub (the lab's pool is small), nothing else asks on a lab that is only
// powered off.
const restore = (extra: string[] = []) => run(['run', 'runbooks/homelab.yaml', '--inventory', 'lab/inventory.yaml', '--yes', ...extra]);

/** dig from this laptop, the lab's real DNS client: what it prints. */
async function dig(...args: string[]) {
  const result = await execa('dig', [...args, '+time=3', '+tries=1'], { reject: false, all: true });
  return result.all ?? '';
}

/** Runs COMMAND on a lab host over the lab's ssh (lab/lib/common.sh). */
async function onHost(host: string, command: string) {
  const result = await execa('bash', ['-c', `. ${join(ROOT, 'lab/lib/common.sh')}; lab_ssh "$1" "$2"`, '_', host, command], { reject: false, all: true });
  return { code: result.exitCode, all: result.all ?? '' };
}

/** Runs COMMAND on pve1 over ssh. */
function onPve1(command: string) {
  return onHost('pve1', command);
}

/** The step.finished event of a step, in the journal of the run that printed OUTPUT. */
function finished(output: string, step: string) {
  return journalOf(output).findLast((e) => e.kind === 'step.finished' && e.step === step);
}

/** How a step ended: "already" (its precheck passed, nothing ran), "done", "failed", ... */
function outcome(output: string, step: string) {
  const end = finished(output, step);
  return end?.status === 'done' && end.via === 'precheck' ? 'already' : end?.status;
}

/** How one item of a foreach step ended: "already" (its precheck passed), "done", "failed". */
function itemOutcome(output: string, step: string, item: string) {
  const end = journalOf(output).findLast((e) => e.kind === 'item.finished' && e.step === step && e.item === item);
  return end?.status === 'done' && end.via === 'precheck' ? 'already' : end?.status;
}

/** What a step's command printed on stdout, in the journal of the run that printed OUTPUT. */
function stdoutOf(output: string, step: string) {
  return journalOf(output)
    .filter((e) => e.kind === 'step.output' && e.step === step && e.stream === 'stdout')
    .map((e) => String(e.text))
    .join('');
}

/** Is the laptop's mount of the media share there (rclone's FUSE mount)? */
async function clientMounted() {
  const result = await execa('findmnt', ['-rn', '-o', 'FSTYPE', '--mountpoint', CLIENT_MNT], { reject: false });
  return result.stdout.trim() === 'fuse.rclone';
}

/** The exit code of a step's last command, in the journal of the run that printed OUTPUT. */
function exitOf(output: string, step: string) {
  return journalOf(output).findLast((e) => e.kind === 'step.exited' && e.step === step)?.exitCode;
}

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
    // The laptop's share mount survived the outage, but with smbd down it shows nothing.
    expect(await clientMounted()).toBe(true);
    expect(existsSync(join(CLIENT_MNT, 'Movies'))).toBe(false);
  });

  it('never gives the forced pool import or the scrub unattended: the run stops before them', async () => {
    // The disaster leaves the pool exported: both steps' prechecks fail, so both would run.
    for (const step of ['force-import-pool', 'scrub']) {
      const result = await restore(['--only', step]);
      expect(result.exitCode, result.all).toBe(1);
      const events = journalOf(result.all);
      const choice = events.find((e) => e.kind === 'operator.choice' && e.step === step);
      expect(choice?.choice, result.all).toBe('declined');
      expect(choice?.by).toBe('unattended');
      expect(events.some((e) => e.kind === 'step.exited' && e.step === step)).toBe(false);
      expect(events.findLast((e) => e.kind === 'run.finished')?.stoppedAt).toBe(step);
    }
  });

  it('restores all five areas unattended; dig, zpool/zfs, smbclient, nfs-ls and ssh agree', async () => {
    // Recorded as a drill: `ready` below counts it against the runbook's drill_every.
    const result = await restore(['--drill', 'end-to-end lab restore', '--confirm', 'scrub']);
    expect(result.exitCode, result.all).toBe(0);
    // pve1 is a standalone node (pvecm status exits 2): no quorum is needed, none is forced.
    expect(finished(result.all, 'cluster')?.status, result.all).toBe('done');
    expect(journalOf(result.all).find((e) => e.kind === 'step.captured' && e.step === 'cluster')?.values).toEqual({ membership: 'standalone' });
    expect(outcome(result.all, 'quorum')).toBe('not-applicable');
    expect(outcome(result.all, 'run-alone')).toBe('not-applicable');
    // Every guest has its configuration and disks: none to restore, so nobody is asked.
    expect(outcome(result.all, 'restore-guests')).toBe('not-applicable');
    expect(result.all).toContain('VM 101 (Home Assistant VM): present, left alone');
    // The backup the power cut interrupted left VM 102 locked: unlocked, then started.
    expect(outcome(result.all, 'unlock-guests'), result.all).toBe('done');
    expect(result.all).toContain('vm:102: unlocked (was locked by a backup)');
    // tank/private is unlocked with the passphrase, then mounted with the others.
    expect(outcome(result.all, 'unlock-private'), result.all).toBe('done');
    expect(finished(result.all, 'mount-datasets')?.status).toBe('done');
    // Unbound resolves a public name from the lab's own root; Pi-hole's gravity, empty after the
    // disaster, was rebuilt (pihole -g) and a blocked and an allowed name checked.
    expect(outcome(result.all, 'dns-recursion'), result.all).toBe('done');
    expect(outcome(result.all, 'dns-filtering'), result.all).toBe('done');
    // The clients: the laptop's SMB mount shows the media dataset again, and nfs-ls lists it.
    expect(outcome(result.all, 'client-sees-share'), result.all).toBe('done');
    expect(readdirSync(join(CLIENT_MNT, 'Movies'))).toContain(MOVIE);
    expect(outcome(result.all, 'client-lists-nfs'), result.all).toBe('done');
    expect(stdoutOf(result.all, 'client-lists-nfs')).toContain(MOVIE);
    const ends = journalOf(result.all).filter((e) => e.kind === 'step.finished');
    for (const phase of ['network', 'dns', 'storage', 'zfs', 'proxmox']) {
      expect(
        ends.some((e) => String(e.position).startsWith(`${['network', 'dns', 'storage', 'zfs', 'proxmox'].indexOf(phase) + 1}.`)),
        phase,
      ).toBe(true);
    }
    const verify = await lab('verify.sh');
    expect(verify.code, verify.all).toBe(0);
  });

  it('after the restore, Unbound really recursed (lab root, then TLD) and Pi-hole filters: dig says so', async () => {
    // The lab root knows no deb.debian.org: it answers with the delegation of org. (a referral).
    const referral = await dig('@10.213.7.53', 'deb.debian.org', 'A', '+norec');
    expect(referral).toMatch(/ANSWER: 0, AUTHORITY: 1/);
    expect(referral).toMatch(/^org\.\s+\d+\s+IN\s+NS\s+a0\.org\.afilias-nst\.org\.$/m);
    // The TLD server answered Unbound on the router (its query log), and Pi-hole hands it out.
    expect(readFileSync('/tmp/lifeboat-lab/log/inet-tld-dns.log', 'utf8')).toMatch(/info: 10\.213\.7\.[12] deb\.debian\.org\. A IN/);
    expect((await dig('@10.213.7.1', 'deb.debian.org', 'A', '+short')).trim()).toBe('10.213.7.80');
    // Filtering: a domain of the adlist answers 0.0.0.0, an unknown one does not exist.
    expect((await dig('@10.213.7.1', 'doubleclick.net', 'A', '+short')).trim()).toBe('0.0.0.0');
    expect(await dig('@10.213.7.1', 'nosuchname.org', 'A')).toMatch(/status: NXDOMAIN/);
  });

  describe('lifeboat ready: the restored lab is ready; a broken one, or a missed RPO, is not', () => {
    const prom = join(logs, 'lifeboat.prom');
    // Every step's read-only checks, unlock-private's (the key loaded) too.
    const ready = () => run(['ready', 'runbooks/homelab.yaml', '--inventory', 'lab/inventory.yaml', '--prometheus', prom]);
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
      await labOk('faults.sh', 'stop-sshd', 'pve1');
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
      await labOk('faults.sh', 'age-backup', '101');
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

  describe("the restore guards against the lab's faults (pve1 restored, guests running)", () => {
    const disk101 = join(PVE, 'local-zfs/vm-101-disk-0');
    const conf101 = join(PVE, 'etc-pve/qemu-server/101.conf');

    it('a guest whose disks are on another storage than guest_storage is never restored over', async () => {
      await labOk('faults.sh', 'stop-guest', '101');
      const inode = statSync(disk101).ino;
      const result = await restore(['--only', RESTORE, '--var', 'guest_storage=local-lvm', '--confirm', 'restore-guests']);
      expect(result.exitCode, result.all).toBe(0);
      // Its configuration names local-zfs:vm-101-disk-0, which is there: nothing to restore.
      expect(result.all).toContain('VM 101 (Home Assistant VM): present, left alone');
      expect(outcome(result.all, 'restore-guests'), result.all).toBe('not-applicable');
      expect(statSync(disk101).ino).toBe(inode);
      expect(readFileSync(conf101, 'utf8')).toContain('scsi0: local-zfs:vm-101-disk-0');
      expect(existsSync(join(PVE, 'local-lvm/vm-101-disk-0'))).toBe(false);
    });

    it('a storage that cannot list its volumes means "cannot tell", never "no disks": nothing is restored', async () => {
      await labOk('faults.sh', 'storage-timeout', 'local-zfs');
      try {
        const inode = statSync(disk101).ino;
        const result = await restore(['--only', RESTORE, '--confirm', 'restore-guests']);
        expect(result.exitCode, result.all).toBe(1);
        expect(result.all).toContain('cannot tell: the storage local-zfs did not list its volumes');
        expect(exitOf(result.all, 'guests-to-restore')).toBe(3);
        expect(outcome(result.all, 'restore-guests')).toBeUndefined();
        expect(statSync(disk101).ino).toBe(inode);
      } finally {
        await lab('faults.sh', 'fix-storage-timeout', 'local-zfs');
      }
    });

    it('a guest whose configuration was lost but whose disks survive gets its configuration back, its disks untouched', async () => {
      const inode = statSync(disk101).ino;
      await labOk('faults.sh', 'lose-config', '101');
      const result = await restore(['--only', `recover-configs,${RESTORE}`, '--confirm', 'restore-guests']);
      expect(result.exitCode, result.all).toBe(0);
      expect(itemOutcome(result.all, 'recover-configs', '101'), result.all).toBe('done');
      expect(itemOutcome(result.all, 'recover-configs', '102')).toBe('already');
      expect(outcome(result.all, 'restore-guests'), result.all).toBe('not-applicable');
      expect(readFileSync(conf101, 'utf8')).toContain('scsi0: local-zfs:vm-101-disk-0');
      expect(statSync(disk101).ino).toBe(inode);
    });

    it('a guest whose disks are gone is restored from its newest backup, only with the typed confirmation', async () => {
      await labOk('faults.sh', 'lose-guest', '101');
      const unconfirmed = await restore(['--only', RESTORE]);
      expect(unconfirmed.exitCode, unconfirmed.all).toBe(1);
      expect(journalOf(unconfirmed.all).find((e) => e.kind === 'operator.choice' && e.step === 'restore-guests')?.choice).toBe('declined');
      expect(existsSync(disk101)).toBe(false);
      const result = await restore(['--only', RESTORE, '--confirm', 'restore-guests']);
      expect(result.exitCode, result.all).toBe(0);
      // Only the guest that lost its disks is an item; the others were left alone.
      expect(journalOf(result.all).find((e) => e.kind === 'step.items' && e.step === 'restore-guests')?.keys).toEqual(['101']);
      expect(itemOutcome(result.all, 'restore-guests', '101')).toBe('done');
      expect(result.all).toMatch(/restoring VM 101 from nas-backup:backup\/vzdump-qemu-101-\S+ to local-zfs/);
      expect(existsSync(disk101)).toBe(true);
      expect((await onPve1('qm status 101')).all).toContain('status: stopped');
    });

    it('a backup lock is cleared only while no backup runs; then the guest starts', async () => {
      await labOk('faults.sh', 'lock-backup', '101');
      await labOk('faults.sh', 'backup-running');
      try {
        expect((await onPve1('qm start 101')).all).toContain('VM is locked (backup)');
        const refused = await restore(['--only', 'unlock-guests']);
        expect(refused.exitCode, refused.all).toBe(1);
        expect(refused.all).toContain('a backup (vzdump) is running on this node: not unlocking anything');
        expect(readFileSync(conf101, 'utf8')).toMatch(/^lock: backup$/m);
      } finally {
        await lab('faults.sh', 'fix-backup-running');
      }
      const result = await restore(['--only', 'unlock-guests']);
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toContain('vm:101: unlocked (was locked by a backup)');
      expect(readFileSync(conf101, 'utf8')).not.toMatch(/^lock:/m);
      expect((await onPve1('qm start 101')).code).toBe(0);
      expect((await onPve1('qm status 101')).all).toContain('status: running');
    });

    it("a two-node cluster with one node down: pvecm expected 1 only on the command line's word", async () => {
      await labOk('faults.sh', 'no-quorum');
      try {
        const stopped = await restore(['--only', 'cluster,quorum,run-alone', '--var', 'quorum_wait=3s']);
        expect(stopped.exitCode, stopped.all).toBe(1);
        expect(finished(stopped.all, 'quorum')?.status).toBe('failed');
        expect(journalOf(stopped.all).findLast((e) => e.kind === 'run.finished')?.stoppedAt).toBe('run-alone');
        const before = await onPve1('pvecm status');
        expect(before.code).toBe(2);
        expect(before.all).toMatch(/^Quorate: +No$/m);

        const alone = await restore(['--only', 'cluster,quorum,run-alone', '--var', 'quorum_wait=3s', '--confirm', 'run-alone']);
        expect(alone.exitCode, alone.all).toBe(0);
        expect(alone.all).toContain('cluster node 10.213.7.31 does not answer');
        const after = await onPve1('pvecm status');
        expect(after.code).toBe(0);
        expect(after.all).toMatch(/^Quorate: +Yes$/m);
      } finally {
        await lab('faults.sh', 'fix-quorum');
      }
    });

    it('lists the backups of a Proxmox Backup Server storage, with their verification', async () => {
      const result = await restore(['--only', 'list-backups', '--var', 'backup_storage=pbs-backup']);
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toMatch(/pbs-backup:backup\/vm\/101\/\S+Z {2}\(verification: ok\)/);
    });
  });

  it('DNS killed between phases: the storage steps work by IP, so the restore goes on and names the lookup that failed', async () => {
    await labOk('setup.sh');
    const first = await restore(['--only', 'network,dns']);
    expect(first.exitCode, first.all).toBe(0);
    // Between the DNS phase and the storage phase, DNS dies: the NAS's name lookup notices it.
    await labOk('faults.sh', 'kill-dns');
    const rest = await restore(['--from', 'storage', '--confirm', 'scrub']);
    expect(rest.exitCode, rest.all).toBe(0);
    expect(finished(rest.all, 'nas-dns')?.status, rest.all).toBe('failed');
    for (const step of ['import-pool', 'mount-datasets', 'serve-nfs', 'serve-smb', 'client-sees-share', 'client-lists-nfs', 'backup-share', 'start-first', 'start-then']) {
      expect(finished(rest.all, step)?.status, step).toMatch(/^(done|already)$/);
    }
    await labOk('faults.sh', 'fix-dns');
    const verify = await lab('verify.sh');
    expect(verify.code, verify.all).toBe(0);
  });

  it("a host's sshd stopped: reported as unreachable, never as a failed command", async () => {
    await labOk('faults.sh', 'stop-sshd', 'nas');
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
    await labOk('faults.sh', 'wrong-hostkey', 'nas');
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

  describe('faults around the network and the pool: lab/faults.sh link-down, stray-files, serve-empty', () => {
    // The storage and ZFS steps each test restores: with the pool exported, only these have work.
    const POOL = 'import-pool,force-import-pool,mount-datasets,serve-nfs,serve-smb';
    const lan1 = async () => (await execa('ip', ['-n', 'lbrouter', '-br', 'addr', 'show', 'dev', 'lan1'], { reject: false, all: true })).all ?? '';
    /** What a real client lists: smbclient in the share media, nfs-ls in the export of tank/data. */
    const smbMovies = async () => (await execa('smbclient', ['//10.213.7.20/media', '-p', '4445', '-N', '-c', 'ls Movies/*'], { reject: false, all: true, timeout: 30_000 })).all ?? '';
    const nfsData = async () => (await execa('nfs-ls', ['nfs://10.213.7.20/export?version=4&nfsport=2049'], { reject: false, all: true, timeout: 30_000 })).all ?? '';
    const at = (events: Array<Record<string, unknown>>, kind: string, step: string) => events.findIndex((e) => e.kind === kind && e.step === step);

    it("the router's lan1 down without its address: the network steps bring both back, and find them done the second time", async () => {
      await labOk('faults.sh', 'link-down');
      expect(await lan1()).toMatch(/^lan1\S*\s+DOWN\s*$/m);
      const result = await restore(['--only', 'router-lan-link,router-lan-address']);
      expect(result.exitCode, result.all).toBe(0);
      expect(outcome(result.all, 'router-lan-link')).toBe('done');
      expect(outcome(result.all, 'router-lan-address')).toBe('done');
      expect(await lan1()).toMatch(/^lan1\S*\s+UP\s+10\.213\.7\.2\/24(\s|$)/m);
      const again = await restore(['--only', 'router-lan-link,router-lan-address']);
      expect(again.exitCode, again.all).toBe(0);
      expect(outcome(again.all, 'router-lan-link')).toBe('already');
      expect(outcome(again.all, 'router-lan-address')).toBe('already');
      expect(journalOf(again.all).some((e) => e.kind === 'step.exited')).toBe(false);
    });

    it('a file written into the mountpoint of tank/data: the run stops at mount-datasets naming it, deletes nothing, and a resume after fix-stray-files finishes', async () => {
      await labOk('setup.sh');
      await labOk('faults.sh', 'stray-files');
      const stray = '/tmp/lifeboat-lab/nas/tank/data/stray.txt';
      const stopped = await restore(['--only', POOL]);
      expect(stopped.exitCode, stopped.all).toBe(1);
      expect(journalOf(stopped.all).findLast((e) => e.kind === 'run.finished')?.stoppedAt).toBe('mount-datasets');
      // The import itself fails on the mounts, and the run goes on to mount-datasets: the pool is imported.
      expect(outcome(stopped.all, 'import-pool')).toBe('failed');
      expect(outcome(stopped.all, 'force-import-pool')).toBe('already');
      // Its own command fails, saying which mountpoint is in the way (not a bare "mounted: no").
      expect(exitOf(stopped.all, 'mount-datasets')).toBe(1);
      expect(stopped.all).toContain(`not mounted: /tmp/lifeboat-lab/nas/tank/data is not empty`);
      expect(outcome(stopped.all, 'serve-nfs')).toBeUndefined();
      expect(readFileSync(stray, 'utf8')).toBe('written while the pool was away\n');

      await labOk('faults.sh', 'fix-stray-files');
      const runId = journalOf(stopped.all)[0]?.runId as string;
      const resumed = await run(['resume', runId, '--yes']);
      expect(resumed.exitCode, resumed.all).toBe(0);
      const events = journalOf(resumed.all);
      const from = events.findIndex((e) => e.kind === 'run.resumed');
      const again = events
        .slice(from)
        .filter((e) => e.kind === 'step.started')
        .map((e) => e.step);
      expect(again).toEqual(['mount-datasets', 'serve-nfs', 'serve-smb']);
      expect(outcome(resumed.all, 'mount-datasets')).toBe('done');
      const mounted = await execa('findmnt', ['-rn', '-o', 'SOURCE', '--mountpoint', '/tmp/lifeboat-lab/nas/tank/data'], { reject: false });
      expect(mounted.stdout.trim()).toBe('tank/data');
      expect(await smbMovies()).toContain('Big Buck Bunny (2008).mkv');
    });

    it('smbd and nfs-ganesha started before the pool: held back before the import, then serve the real data', async () => {
      await labOk('setup.sh');
      await labOk('faults.sh', 'serve-empty');
      // Both answer, without the data: what a client would see if they stayed up.
      expect(await smbMovies()).toContain('NT_STATUS_BAD_NETWORK_NAME');
      expect(await nfsData()).toContain('NFS4ERR_NOENT');
      const result = await restore(['--only', `hold-smb,hold-nfs,${POOL}`]);
      expect(result.exitCode, result.all).toBe(0);
      const events = journalOf(result.all);
      for (const step of ['hold-smb', 'hold-nfs']) {
        expect(outcome(result.all, step), step).toBe('done');
        expect(at(events, 'step.finished', step), step).toBeLessThan(at(events, 'step.started', 'import-pool'));
      }
      // Nothing listened while the pool came back: both had to be started again, after the mounts.
      for (const step of ['serve-nfs', 'serve-smb']) {
        expect(outcome(result.all, step), step).toBe('done');
        expect(at(events, 'step.started', step), step).toBeGreaterThan(at(events, 'step.finished', 'mount-datasets'));
      }
      expect(await smbMovies()).toContain('Big Buck Bunny (2008).mkv');
      expect(await nfsData()).toMatch(/\smedia$/m);
    });
  });

  describe('the encrypted dataset tank/private: a wrong passphrase fails alone, the right one unlocks it', () => {
    const POOL = 'import-pool,force-import-pool,unlock-private,mount-datasets';
    const PLAIN = '/tmp/lifeboat-lab/nas/tank/private/tax-2025.txt';
    /** A command on the NAS over the lab's ssh, with the NAS's zfs (its encryption stand-in). */
    const onNas = async (command: string) => (await execa('bash', ['-c', `. ${join(ROOT, 'lab/lib/common.sh')}; lab_ssh nas "$1"`, '_', command], { reject: false, all: true })).all ?? '';

    beforeAll(async () => {
      const setup = await lab('setup.sh');
      expect(setup.code, setup.all).toBe(0);
    });

    it('with a wrong passphrase unlock-private fails as ZFS does, and every other dataset is mounted', async () => {
      const wrong = await run(['run', 'runbooks/homelab.yaml', '--inventory', 'lab/inventory.yaml', '--yes', '--only', POOL], 'an old passphrase');
      expect(wrong.exitCode, wrong.all).toBe(0);
      expect(outcome(wrong.all, 'unlock-private'), wrong.all).toBe('failed');
      expect(exitOf(wrong.all, 'unlock-private')).toBe(255);
      expect(wrong.all).toContain("Key load error: Incorrect key provided for 'tank/private'.");
      expect(outcome(wrong.all, 'mount-datasets'), wrong.all).toBe('done');
      expect(await onNas('zfs get -H -o value mounted tank/data')).toBe('yes');
      expect((await onNas('zfs get -H -o value keystatus,mounted tank/private')).split('\n')).toEqual(['unavailable', 'no']);
      expect(existsSync(PLAIN)).toBe(false);
    });

    it('with the right one it is unlocked and mounted, its files read back, and a second run finds it done', async () => {
      const right = await restore(['--only', POOL]);
      expect(right.exitCode, right.all).toBe(0);
      expect(outcome(right.all, 'unlock-private'), right.all).toBe('done');
      expect(outcome(right.all, 'mount-datasets'), right.all).toBe('done');
      expect(readFileSync(PLAIN, 'utf8')).toContain('encrypted at rest');
      // On the pool only ciphertext: the file's name and contents are not there in the clear.
      expect(await onNas('grep -rl "encrypted at rest" /tmp/lifeboat-lab/nas/tank/.private.raw; ls /tmp/lifeboat-lab/nas/tank/.private.raw')).not.toMatch(/tax-2025|raw\//);
      // The passphrase went to zfs on its standard input: no journal of the run holds it.
      const file = /^Run log: (\S+events\.jsonl)$/m.exec(right.all)?.[1];
      expect(readFileSync(file!, 'utf8')).not.toContain(ZFS_KEY);
      const again = await restore(['--only', 'unlock-private']);
      expect(again.exitCode, again.all).toBe(0);
      expect(outcome(again.all, 'unlock-private'), again.all).toBe('already');
    });
  });

  describe("the router's VLANs and firewall: real clients on VLAN 20 and VLAN 30 reach the NAS's LAN only through it", () => {
    // lab/lib/vlans.sh: each VLAN a segment of its own, a client machine (namespace) on each.
    const NETWORK = 'router-vlans,router-vlan-links,router-vlan-addresses,router-firewall,router-forwarding';
    const NAS = '10.213.7.20';
    const inNs = async (ns: string, ...command: string[]) => {
      const result = await execa('nsenter', [`--net=/run/netns/${ns}`, '--', ...command], { reject: false, all: true, timeout: 30_000 });
      return { code: result.exitCode, all: result.all ?? '' };
    };
    /** From namespace NS, is a TCP connection to ADDRESS:PORT accepted within 3 seconds? */
    const tcpOpen = async (ns: string, address: string, port: number) => (await inNs(ns, 'timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$1/$2"', '_', address, String(port))).code === 0;
    /** The packets counted by the router's forward rule with this comment (lab/setup.sh's ruleset). */
    const counted = async (comment: string) => {
      const chain = await inNs('lbrouter', 'nft', 'list', 'chain', 'inet', 'filter', 'forward');
      const line = chain.all.split('\n').find((l) => l.includes(`comment "${comment}"`));
      return Number(/packets (\d+)/.exec(line ?? '')?.[1] ?? Number.NaN);
    };
    const vlanPorts = async () => (await inNs('lbrouter', 'ip', '-br', 'addr', 'show')).all;

    beforeAll(async () => {
      const setup = await lab('setup.sh', '--healthy');
      expect(setup.code, setup.all).toBe(0);
      const fault = await lab('faults.sh', 'vlans-down');
      expect(fault.code, fault.all).toBe(0);
    });

    it('after a reboot that lost them (lab/faults.sh vlans-down), the client on VLAN 20 cannot reach the NAS', async () => {
      expect(await vlanPorts()).toMatch(/^lan0\.20\S*\s+DOWN\s*$/m);
      expect((await inNs('lbrouter', 'nft', 'list', 'ruleset')).all.trim()).toBe('');
      expect((await inNs('lbclient', 'ping', '-c1', '-W1', NAS)).code).not.toBe(0);
    });

    it('the network steps bring back the VLAN ports, the firewall and forwarding; the clients then cross the router as the ruleset says', async () => {
      const result = await restore(['--only', NETWORK]);
      expect(result.exitCode, result.all).toBe(0);
      // The ports exist (the lab's segments): creating them is skipped by the precheck.
      for (const id of ['20', '30']) {
        expect(itemOutcome(result.all, 'router-vlans', id), id).toBe('already');
        expect(itemOutcome(result.all, 'router-vlan-links', id), id).toBe('done');
        expect(itemOutcome(result.all, 'router-vlan-addresses', id), id).toBe('done');
      }
      expect(outcome(result.all, 'router-firewall')).toBe('done');
      expect(outcome(result.all, 'router-forwarding')).toBe('done');
      expect(await vlanPorts()).toMatch(/^lan0\.20\S*\s+UP\s+10\.213\.20\.1\/24(\s|$)/m);
      expect(await vlanPorts()).toMatch(/^lan0\.30\S*\s+UP\s+10\.213\.30\.1\/24(\s|$)/m);
      // VLAN 20 -> the NAS: the answer comes back with TTL 63 (one router crossed), and the
      // router's rule for the clients' VLAN counts the SMB connection smbclient makes.
      expect((await inNs('lbclient', 'ping', '-c1', '-W2', NAS)).all).toContain('ttl=63');
      const clients = await counted('clients VLAN: anywhere');
      const smb = await inNs('lbclient', 'smbclient', `//${NAS}/media`, '-p', '4445', '-N', '-c', 'ls Movies/*');
      expect(smb.all).toContain(MOVIE);
      expect(await counted('clients VLAN: anywhere')).toBeGreaterThan(clients);
      // VLAN 30 (IoT) -> Home Assistant is allowed, -> the NAS's ssh is dropped (and counted).
      expect(await tcpOpen('lbiot', '10.213.7.41', 8123)).toBe(true);
      const dropped = await counted('IoT VLAN: nothing else');
      expect(await tcpOpen('lbiot', NAS, 22)).toBe(false);
      expect(await counted('IoT VLAN: nothing else')).toBeGreaterThan(dropped);
      // The laptop on the LAN is not filtered: ssh to the NAS still works from here.
      expect(await tcpOpen('lbclient', NAS, 22)).toBe(true);

      const again = await restore(['--only', NETWORK]);
      expect(again.exitCode, again.all).toBe(0);
      for (const step of ['router-vlans', 'router-vlan-links', 'router-vlan-addresses']) {
        for (const id of ['20', '30']) expect(itemOutcome(again.all, step, id), `${step} ${id}`).toBe('already');
      }
      expect(outcome(again.all, 'router-firewall')).toBe('already');
      expect(outcome(again.all, 'router-forwarding')).toBe('already');
      expect(journalOf(again.all).some((e) => e.kind === 'step.exited')).toBe(false);
    });

    it('with forwarding off again the client on VLAN 20 loses the NAS: its traffic really goes through the router', async () => {
      expect((await inNs('lbrouter', 'sysctl', '-qw', 'net.ipv4.ip_forward=0')).code).toBe(0);
      expect((await inNs('lbclient', 'ping', '-c1', '-W1', NAS)).code).not.toBe(0);
      const result = await restore(['--only', 'router-forwarding']);
      expect(outcome(result.all, 'router-forwarding'), result.all).toBe('done');
      expect((await inNs('lbclient', 'ping', '-c1', '-W2', NAS)).all).toContain('ttl=63');
    });
  });

  describe("Proxmox: onboot and startup order; a lost node's guests run on the survivor (lab/faults.sh onboot-off, lose-pve2)", () => {
    const ETC = join(PVE, 'etc-pve/nodes');
    /** The guests' start times, in the order the stand-ins started them (lab/lib/pve.sh). */
    const START_LOG = '/tmp/lifeboat-lab/log/pve1-guest-starts.log';
    // (none yet when the lab was rebuilt with its guests already running: setup.sh starts none)
    const starts = () =>
      (existsSync(START_LOG) ? readFileSync(START_LOG, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ at: Number(line.split(' ')[0]), id: line.split(' ')[1] }));
    const FAILOVER = 'cluster,quorum,run-alone,lost-node-guests,take-over-guests';

    beforeAll(async () => {
      const setup = await lab('setup.sh', '--healthy');
      expect(setup.code, setup.all).toBe(0);
    });

    afterAll(async () => {
      await lab('faults.sh', 'fix-all');
    });

    it("starts the onboot guests in their startup order, waiting each one's up delay; an onboot 0 guest stays off until a step names it", async () => {
      for (const id of ['102', '101', '200']) await labOk('faults.sh', 'stop-guest', id);
      expect((await onPve1('qm config 102')).all).toMatch(/^startup: order=1,up=5$/m);
      expect((await onPve1('pct config 200')).all).toMatch(/^onboot: 1$/m);
      const from = starts().length;
      const result = await restore(['--only', 'start-onboot']);
      expect(result.exitCode, result.all).toBe(0);
      const started = starts().slice(from);
      expect(started.map((s) => s.id)).toEqual(['102', '101', '200']);
      // VM 102 has up=5, VM 101 up=3: the next guest started no sooner
      expect(started[1]!.at - started[0]!.at).toBeGreaterThanOrEqual(5);
      expect(started[2]!.at - started[1]!.at).toBeGreaterThanOrEqual(3);
      for (const cmd of ['qm status 102', 'qm status 101', 'pct status 200']) expect((await onPve1(cmd)).all).toContain('status: running');

      await labOk('faults.sh', 'onboot-off', '200');
      for (const id of ['101', '200']) await labOk('faults.sh', 'stop-guest', id);
      expect((await onPve1('pct config 200')).all).toMatch(/^onboot: 0$/m);
      const again = await restore(['--only', 'start-onboot']);
      expect(again.exitCode, again.all).toBe(0);
      expect(again.all).toContain('starting VM 101 (order 2, up 3s)');
      expect(again.all).toContain('CT 200: onboot 0, not started at boot: left as it is');
      expect((await onPve1('qm status 101')).all).toContain('status: running');
      expect((await onPve1('pct status 200')).all).toContain('status: stopped');
      // start-then names ct:200: a guest the runbook names starts whatever its onboot
      const named = await restore(['--only', 'start-then']);
      expect(named.exitCode, named.all).toBe(0);
      expect(itemOutcome(named.all, 'start-then', 'ct:200')).toBe('done');
      expect((await onPve1('pct status 200')).all).toContain('status: running');
      await lab('faults.sh', 'fix-onboot', '200');
    });

    it('on a standalone node there is no lost node: the take-over does not apply and the run passes', async () => {
      const result = await restore(['--only', FAILOVER]);
      expect(result.exitCode, result.all).toBe(0);
      expect(outcome(result.all, 'lost-node-guests')).toBe('not-applicable');
      expect(outcome(result.all, 'take-over-guests')).toBe('not-applicable');
    });

    it('pve2 lost: its container moves to pve1 and runs there, only on the typed word', async () => {
      await labOk('faults.sh', 'lose-pve2');
      try {
        expect(existsSync(join(ETC, 'pve2/lxc/210.conf'))).toBe(true);
        const foreign = await onPve1('pct start 210');
        expect(foreign.code).toBe(255);
        expect(foreign.all).toContain("unable to find configuration file for CT 210 on node 'pve1'");

        const unconfirmed = await restore(['--only', FAILOVER, '--var', 'quorum_wait=3s', '--confirm', 'run-alone']);
        expect(unconfirmed.exitCode, unconfirmed.all).toBe(1);
        expect(journalOf(unconfirmed.all).find((e) => e.kind === 'operator.choice' && e.step === 'take-over-guests')?.choice).toBe('declined');
        expect(existsSync(join(ETC, 'pve2/lxc/210.conf'))).toBe(true);
        expect((await onPve1('pct status 210')).code).toBe(2);

        const result = await restore(['--only', FAILOVER, '--var', 'quorum_wait=3s', '--confirm', 'run-alone', '--confirm', 'take-over-guests']);
        expect(result.exitCode, result.all).toBe(0);
        expect(result.all).toContain('pve2 does not answer on 10.213.7.31');
        expect(result.all).toContain('disk local-zfs:subvol-210-disk-0 is here');
        expect(itemOutcome(result.all, 'take-over-guests', '210')).toBe('done');
        expect(existsSync(join(ETC, 'pve2/lxc/210.conf'))).toBe(false);
        expect(readFileSync(join(ETC, 'pve1/lxc/210.conf'), 'utf8')).toContain('rootfs: local-zfs:subvol-210-disk-0');
        expect((await onPve1('pct status 210')).all).toContain('status: running');
        const resources = JSON.parse((await onPve1('pvesh get /cluster/resources --type vm --output-format json')).all) as Array<Record<string, unknown>>;
        expect(resources.find((r) => r.vmid === 210)).toMatchObject({ node: 'pve1', status: 'running' });
        // the guest's own service answers on its address
        const answer = await execa('curl', ['-s', '-m', '5', 'http://10.213.7.51:8000/'], { reject: false });
        expect(answer.exitCode, answer.stderr).toBe(0);

        const second = await restore(['--only', FAILOVER, '--var', 'quorum_wait=3s']);
        expect(second.exitCode, second.all).toBe(0);
        expect(outcome(second.all, 'take-over-guests')).toBe('not-applicable');
      } finally {
        await lab('faults.sh', 'fix-quorum');
      }
    });

    it('pve2 back in the cluster, answering outside it, or without a replica of its disks on pve1: nothing is moved or started', async () => {
      await labOk('faults.sh', 'lose-pve2');
      try {
        // pve2 answers as a cluster member again: its guests are its own (no split brain)
        await labOk('faults.sh', 'cluster');
        const member = await restore(['--only', FAILOVER, '--var', 'quorum_wait=3s', '--confirm', 'take-over-guests']);
        expect(member.exitCode, member.all).toBe(0);
        expect(member.all).toContain('pve2 is a member of the cluster: its guests are its own');
        expect(outcome(member.all, 'take-over-guests')).toBe('not-applicable');
        expect(existsSync(join(ETC, 'pve2/lxc/210.conf'))).toBe(true);
        expect((await onPve1('pct status 210')).code).toBe(2);

        // pve2 out of the cluster while its machine answers (its corosync link is down): never taken over
        await labOk('faults.sh', 'lose-pve2');
        const alone = await restore(['--only', 'cluster,quorum,run-alone', '--var', 'quorum_wait=3s', '--confirm', 'run-alone']);
        expect(alone.exitCode, alone.all).toBe(0);
        await labOk('faults.sh', 'pve2-answers');
        const answers = await restore(['--only', FAILOVER, '--var', 'quorum_wait=3s', '--confirm', 'take-over-guests']);
        expect(answers.exitCode, answers.all).toBe(1);
        expect(answers.all).toContain('pve2 answers on 10.213.7.31: it may still run guest 210 (a split brain), not taking it over');
        expect(itemOutcome(answers.all, 'take-over-guests', '210')).toBe('failed');
        expect(existsSync(join(ETC, 'pve2/lxc/210.conf'))).toBe(true);
        expect((await onPve1('pct status 210')).code).toBe(2);

        // pve2 lost, but pve1 has no replica of its container's disk
        await labOk('faults.sh', 'lose-pve2');
        await labOk('faults.sh', 'lose-replica', '210');
        const refused = await restore(['--only', FAILOVER, '--var', 'quorum_wait=3s', '--confirm', 'run-alone', '--confirm', 'take-over-guests']);
        expect(refused.exitCode, refused.all).toBe(1);
        expect(refused.all).toContain("guest 210's disks are not on this node: local-zfs:subvol-210-disk-0");
        expect(itemOutcome(refused.all, 'take-over-guests', '210')).toBe('failed');
        expect(existsSync(join(ETC, 'pve2/lxc/210.conf'))).toBe(true);
        expect(existsSync(join(ETC, 'pve1/lxc/210.conf'))).toBe(false);
        expect((await onPve1('pct status 210')).code).toBe(2);
      } finally {
        await lab('faults.sh', 'fix-quorum');
      }
    });
  });

  describe('the backup pool: replicas with real ages, and tank/backup restored from its replica (lab/faults.sh lose-dataset, stale-replica)', () => {
    const DUMP = '/tmp/lifeboat-lab/nas/tank/backup/dump';
    const zfs = async (...args: string[]) => (await execa('zfs', args, { reject: false, all: true })).all ?? '';
    const nfsDump = async () => (await execa('nfs-ls', ['nfs://10.213.7.20/backup/dump?version=4&nfsport=2049'], { reject: false, all: true, timeout: 30_000 })).all ?? '';
    /** The vzdump archives of tank/backup with their sha256, as the NAS holds them. */
    const sums = async () => (await execa('bash', ['-c', `cd ${DUMP} && sha256sum vzdump-*`], { reject: false, all: true })).all ?? '';
    const ready = () => run(['ready', 'runbooks/homelab.yaml', '--inventory', 'lab/inventory.yaml', '--skip', 'unlock-private']);

    beforeAll(async () => {
      const setup = await lab('setup.sh', '--healthy');
      expect(setup.code, setup.all).toBe(0);
    });

    it('set-up sent tank/backup in full, then incrementally: the replica holds both snapshots, 50h and 2h old by their creation', async () => {
      const now = Date.now() / 1000;
      const lines = (await zfs('get', '-H', '-p', '-r', '-o', 'name,value', 'creation', 'backup/tank/backup')).split('\n').filter((l) => l.includes('@replica_'));
      expect(lines.length, lines.join('\n')).toBe(2);
      const ages = lines.map((l) => (now - Number(l.split('\t')[1])) / 3600);
      expect(ages[0]).toBeGreaterThan(49.5);
      expect(ages[0]).toBeLessThan(51);
      expect(ages[1]).toBeGreaterThan(1.5);
      expect(ages[1]).toBeLessThan(3);
      const result = await restore(['--only', 'data-replica-age,restore-backup-dataset']);
      expect(result.exitCode, result.all).toBe(0);
      expect(outcome(result.all, 'data-replica-age')).toBe('done');
      // tank/backup is there: nothing is received, nobody is asked.
      expect(outcome(result.all, 'restore-backup-dataset')).toBe('already');
      expect(journalOf(result.all).some((e) => e.kind === 'operator.choice')).toBe(false);
    });

    it('the stand-ins hold up to commands at the same time: nas-backup is mounted once, one nfs-ganesha after five restarts, one VM 101 after four starts, one gocryptfs after four mounts', async () => {
      const layers = async () => (await execa('findmnt', ['-rn', '--mountpoint', '/mnt/pve/nas-backup'], { reject: false })).stdout.split('\n').filter(Boolean).length;
      await execa('umount', ['/mnt/pve/nas-backup']);
      const listings = await Promise.all(Array.from({ length: 6 }, () => onPve1('pvesh get /nodes/localhost/storage/nas-backup/content --output-format json')));
      for (const listing of listings) expect(listing.all).toContain('vzdump-qemu-101-');
      expect(await layers()).toBe(1);

      const restarts = await Promise.all(Array.from({ length: 5 }, () => onHost('nas', 'systemctl restart nfs-ganesha')));
      for (const restart of restarts) expect(restart.code, restart.all).toBe(0);
      const pid = (await execa('cat', ['/tmp/lifeboat-lab/run/nas-nfs-ganesha.pid'])).stdout.trim();
      const live = (await execa('ps', ['-o', 'pid=,stat=', '-C', 'ganesha.nfsd'], { reject: false })).stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter(([, stat]) => stat && !stat.startsWith('Z'))
        .map(([p]) => p);
      expect(live).toEqual([pid]);
      expect(await nfsDump()).toMatch(/vzdump-qemu-101-/);

      // qm takes the guest's configuration lock: one start starts it, the others find it running.
      await labOk('faults.sh', 'stop-guest', '101');
      const starts = await Promise.all(Array.from({ length: 4 }, () => onPve1('qm start 101')));
      expect(
        starts.filter((start) => start.code === 0),
        starts.map((start) => start.all).join('\n'),
      ).toHaveLength(1);
      for (const start of starts.filter((one) => one.code !== 0)) expect(start.all).toContain('VM 101 already running');
      const guests = (await execa('pgrep', ['-f', 'http-guest.mjs homeassistant '], { reject: false })).stdout.split('\n').filter(Boolean);
      expect(guests).toEqual([(await execa('cat', ['/tmp/lifeboat-lab/run/pve1-guest-101.pid'])).stdout.trim()]);

      // the encrypted dataset's stand-in mounts its plaintext once, however many ask at once
      expect((await onHost('nas', 'zfs unmount tank/private')).code).toBe(0);
      const mounts = await Promise.all(Array.from({ length: 4 }, () => onHost('nas', 'zfs mount -a')));
      for (const mount of mounts) expect(mount.code, mount.all).toBe(0);
      const gocryptfs = (await execa('pgrep', ['-f', 'gocryptfs .*/nas/tank/private'], { reject: false })).stdout.split('\n').filter(Boolean);
      expect(gocryptfs).toHaveLength(1);
      expect((await onHost('nas', 'cat /tmp/lifeboat-lab/nas/tank/private/tax-2025.txt')).all).toContain('household paperwork');
    });

    it('tank/backup lost: the restore is never given unattended; with --confirm it comes back from the replica, and NFS and Proxmox see the backups again', async () => {
      const before = await sums();
      expect(before).toMatch(/vzdump-qemu-101-/);
      await labOk('faults.sh', 'lose-dataset', 'backup');
      expect(await zfs('list', '-H', '-o', 'name', 'tank/backup')).toContain('does not exist');
      expect(await nfsDump()).toContain('NFS4ERR_NOENT');
      const asked = await restore(['--only', 'restore-backup-dataset']);
      expect(asked.exitCode, asked.all).toBe(1);
      const choice = journalOf(asked.all).find((e) => e.kind === 'operator.choice' && e.step === 'restore-backup-dataset');
      expect(choice?.choice, asked.all).toBe('declined');
      expect(journalOf(asked.all).some((e) => e.kind === 'step.exited')).toBe(false);

      const result = await restore(['--only', 'restore-backup-dataset', '--confirm', 'restore-backup-dataset']);
      expect(result.exitCode, result.all).toBe(0);
      expect(outcome(result.all, 'restore-backup-dataset')).toBe('done');
      const newest = (await zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-s', 'creation', '-r', 'backup/tank/backup')).trim().split('\n').at(-1)!;
      expect(await zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', 'tank/backup')).toContain(`tank/backup@${newest.split('@')[1]}`);
      expect(await zfs('get', '-H', '-o', 'value', 'mounted', 'tank/backup')).toBe('yes');
      expect(await sums()).toBe(before);
      expect(await nfsDump()).toMatch(/vzdump-qemu-101-/);
      const content = await onPve1('pvesh get /nodes/localhost/storage/nas-backup/content --content backup --output-format json');
      expect(content.all).toContain('vzdump-qemu-101-');

      const again = await restore(['--only', 'restore-backup-dataset']);
      expect(again.exitCode, again.all).toBe(0);
      expect(outcome(again.all, 'restore-backup-dataset')).toBe('already');
    });

    it('replication stopped after the full send: the replica is 50h old, data-replica-age fails and lifeboat ready reports the missed RPO', async () => {
      await labOk('faults.sh', 'stale-replica');
      try {
        const result = await restore(['--only', 'data-replica-age']);
        expect(outcome(result.all, 'data-replica-age'), result.all).toBe('failed');
        const stale = await ready();
        expect(stale.exitCode, stale.all).toBe(1);
        expect(stale.all.replace(/\n {4}/g, ' ')).toMatch(/newest replicated snapshot of backup\/tank\/data: the newest is 2d \d+h old .*more than max_age 26h/);
      } finally {
        await lab('faults.sh', 'fix-replica');
      }
      const fixed = await restore(['--only', 'data-replica-age']);
      expect(outcome(fixed.all, 'data-replica-age'), fixed.all).toBe('done');
    });
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
