#!/usr/bin/env zx
// Stages the demo's disaster: builds a simulated homelab, in the state it is in after the
// night described below, as plain files in a folder (no root, no network, no real services).
//
//   stage-disaster.mjs --lab DIR
//
// DIR must not exist, be empty, or be a lab staged before (then nothing is changed: the
// restore carries on from wherever that lab stands). Delete DIR to replay the disaster.
// The lab's simulated devices (zpool, smart plug, SATA rescan) are copied from steps/demo/sim/
// into DIR/sim/. Exits 0 when the lab is ready, 1 when DIR is something else, 2 on bad arguments.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argv } from 'zx';

const MARKER = '.lifeboat-demo';
const SIM_DIR = fileURLToPath(new URL('./sim/', import.meta.url));

function fail(message, code = 1) {
  console.error(`stage-disaster: ${message}`);
  process.exit(code);
}

const known = new Set(['_', 'lab']);
for (const key of Object.keys(argv)) if (!known.has(key)) fail(`unknown option --${key}; usage: stage-disaster.mjs --lab DIR`, 2);
if (typeof argv.lab !== 'string' || argv.lab === '') fail('usage: stage-disaster.mjs --lab DIR', 2);
const lab = path.resolve(argv.lab);

if (existsSync(path.join(lab, MARKER))) {
  console.log(`${lab} is a demo lab staged earlier: left as it is (delete it to replay the disaster)`);
  process.exit(0);
}
if (existsSync(lab)) {
  if (!statSync(lab).isDirectory()) fail(`${lab} exists and is not a folder: choose another with --var lab=DIR`);
  if (readdirSync(lab).length > 0) fail(`${lab} is not empty and is not a Lifeboat demo lab: refusing to touch it; choose another with --var lab=DIR`);
}

/** Writes a file of the lab (folders created as needed). */
function put(relative, text) {
  const file = path.join(lab, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

const disks = ['ata-WDC_WD80EFZX-68UW8N0_VK1A2B3C', 'ata-WDC_WD80EFZX-68UW8N0_VK4D5E6F'];
const story = `Lifeboat demo lab: a simulated homelab, as plain files. Safe to delete.

What happened (the story the demo restores):
  02:00  The nightly backups run: pve1's guests are backed up to the NAS (tank/backups).
  03:12  A storm cuts the mains. The UPS holds for 28 minutes, then everything goes down
         hard: router, switch, NAS, pve1.
  06:50  Mains power is back. The switch, the NAS and pve1 come back on by themselves
         (BIOS: "power on after AC loss"); the router sits on a smart plug that stayed off.
         pve1's guests do not start on boot: they need the NAS.
  07:30  The NAS's boot SSD did not survive. You fitted the spare and reinstalled Debian and
         ZFS, with its configuration (smb.conf) restored from backup. The pool's two disks
         are fine, but the new system has a new host id, and the pool was never exported.
         The Home Assistant VM (101) was writing its database when the power died: its disk
         image was corrupt and you deleted it. Last night's backup is on the NAS.
  Now    You open Lifeboat.

Two more things nobody remembers (you find out during the restore):
  - The router's IP forwarding was switched on by hand (sysctl -w) and never saved.
  - When the NAS moved from .21 to .20 in March, its DNS record was changed at runtime only
    (unbound-control local_data): the zone file still has the old address.

Layout: one folder per machine (switch/, router/, nas/, pve1/); a file per state (a link,
a service, a disk, a guest). sim/ holds the simulated devices: zpool, smart-plug,
rescan-scsi-bus; sim/status shows the whole lab at a glance.
`;

put(MARKER, `Lifeboat demo lab, staged ${new Date().toISOString()}. Safe to delete.`);
put('README.txt', story);

// The simulated devices.
mkdirSync(path.join(lab, 'sim'), { recursive: true });
for (const name of readdirSync(SIM_DIR)) {
  const to = path.join(lab, 'sim', name);
  copyFileSync(path.join(SIM_DIR, name), to);
  chmodSync(to, 0o755);
}

// The switch: back on with the mains; the router's port is dark (the router is off).
put('switch/power', 'on');
put('switch/ports', ['1 router down', '2 nas up', '3 pve1 up'].join('\n'));

// The router: its smart plug is off, so it has not booted.
put('router/plug', 'off');
put('router/link/lan0', 'down');
put('router/sysctl/net.ipv4.ip_forward', '0');
put('router/unbound/state', 'stopped');
put('router/unbound/journal', '');
put(
  'router/unbound/home.arpa.zone',
  `; home.arpa: the local zone, served by Unbound on the router (auth-zone)
$ORIGIN home.arpa.
$TTL 3600
@       IN SOA  router.home.arpa. admin.home.arpa. 2026011001 3600 600 86400 300
@       IN NS   router.home.arpa.
router  IN A    192.168.10.1
nas     IN A    192.168.10.21
pve1    IN A    192.168.10.30
ha      IN A    192.168.10.41
`,
);

// The NAS: freshly reinstalled (new host id); one disk visible, the other still spinning up.
put('nas/etc/hostid', '7b9a0c11');
put(`nas/disks/${disks[0]}`, 'zfs member of pool tank (mirror-0, 1 of 2)');
put(`nas/.spinning-up/${disks[1]}`, 'zfs member of pool tank (mirror-0, 2 of 2)');
put(
  'nas/pool/tank/label',
  ['name=tank', 'state=ACTIVE', 'hostid=1f2e3d4c', 'hostname=nas', 'when=Tue Nov 24 03:40:12 2026', ...disks.map((d) => `member=${d}`)].join('\n'),
);
put('nas/pool/tank/data/media/Movies/Big Buck Bunny (2008).mkv', 'a film');
put('nas/pool/tank/data/media/Music/README', 'the music library');
put('nas/pool/tank/data/backups/dump/vzdump-qemu-101-2026_11_23-02_00_04.vma', 'disk image of VM 101 (homeassistant), Nov 23');
put('nas/pool/tank/data/backups/dump/vzdump-qemu-101-2026_11_24-02_00_05.vma', 'disk image of VM 101 (homeassistant), Nov 24');
put('nas/pool/tank/data/backups/dump/vzdump-qemu-102-2026_11_24-02_03_41.vma', 'disk image of VM 102 (docker), Nov 24');
put('nas/pool/tank/data/backups/dump/vzdump-lxc-200-2026_11_24-02_09_13.tar', 'root filesystem of CT 200 (jellyfin), Nov 24');
put(
  'nas/samba/smb.conf',
  `[global]
   workgroup = HOME
   server role = standalone server

[media]
   path = ${lab}/nas/mnt/tank/media
   read only = no
   guest ok = no
`,
);
mkdirSync(path.join(lab, 'nas/mnt'), { recursive: true });
mkdirSync(path.join(lab, 'nas/run'), { recursive: true });

// pve1: three guests, all stopped; VM 101's disk is gone.
put('pve1/qemu-server/102.conf', 'name: docker\ndisk: vm-102-disk-0.raw\nmemory: 4096');
put('pve1/qemu-server/101.conf', 'name: homeassistant\ndisk: vm-101-disk-0.raw\nmemory: 2048');
put('pve1/lxc/200.conf', 'hostname: jellyfin\ndisk: subvol-200-disk-0.raw\nmemory: 2048');
put('pve1/images/vm-102-disk-0.raw', 'disk of VM 102 (docker)');
put('pve1/images/subvol-200-disk-0.raw', 'root filesystem of CT 200 (jellyfin)');
put('pve1/status/vm-102', 'status: stopped');
put('pve1/status/vm-101', 'status: stopped');
put('pve1/status/ct-200', 'status: stopped');
mkdirSync(path.join(lab, 'pve1/mnt/pve'), { recursive: true });

console.log(story.split('\n\nLayout:')[0].split('\n').slice(2).join('\n'));
console.log(`The lab is in ${lab}. Look at it any time with: ${lab}/sim/status`);
