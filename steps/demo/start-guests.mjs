#!/usr/bin/env zx
// Starts the demo lab's simulated Proxmox guests one after another, in the order given, waiting
// for each to report "running" before starting the next (the demo's stand-in for
// steps/proxmox/start-guests.mjs, which does the same with `qm` and `pct`).
//
//   start-guests.mjs --pve DIR [--delay SECONDS] vm:ID|ct:ID ...
//
// DIR is the simulated node (the lab's pve1/ folder): qemu-server/ID.conf and lxc/ID.conf
// describe the guests, images/ holds their disks, status/vm-ID and status/ct-ID say
// "status: stopped" or "status: running". Guests already running are left alone.
// Exits 0 when every guest runs, 1 on the first guest that does not, 2 on bad arguments.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { argv, sleep } from 'zx';

const USAGE = 'usage: start-guests.mjs --pve DIR [--delay SECONDS] vm:ID|ct:ID ...';

function fail(message, code = 1) {
  console.error(`start-guests: ${message}`);
  process.exit(code);
}

const known = new Set(['_', 'pve', 'delay']);
for (const key of Object.keys(argv)) if (!known.has(key)) fail(`unknown option --${key}\n${USAGE}`, 2);
if (typeof argv.pve !== 'string' || argv.pve === '') fail(`--pve DIR is required\n${USAGE}`, 2);
const pve = path.resolve(argv.pve);
const delayS = argv.delay === undefined ? 0 : Number(argv.delay);
if (!Number.isFinite(delayS) || delayS < 0) fail(`--delay must be a number of seconds, got "${argv.delay}"\n${USAGE}`, 2);

const guests = argv._.flatMap((arg) => String(arg).split(/[\s,]+/)).filter(Boolean).map((spec) => {
  const m = /^(vm|ct):(\d+)$/i.exec(spec);
  if (!m) fail(`"${spec}" is not a guest: use vm:ID or ct:ID\n${USAGE}`, 2);
  return { kind: m[1].toLowerCase(), id: m[2] };
});
if (guests.length === 0) fail(`no guests given\n${USAGE}`, 2);

const configOf = (g) => path.join(pve, g.kind === 'vm' ? 'qemu-server' : 'lxc', `${g.id}.conf`);
const statusFile = (g) => path.join(pve, 'status', `${g.kind}-${g.id}`);
const label = (g, conf) => `${g.kind === 'vm' ? 'VM' : 'CT'} ${g.id}${conf?.name ? ` (${conf.name})` : ''}`;

/** The guest's config as { name, disk }, or undefined when the guest does not exist. */
function readConfig(g) {
  const file = configOf(g);
  if (!existsSync(file)) return undefined;
  const fields = Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(/:\s*/, 2)));
  return { name: fields.name ?? fields.hostname, disk: fields.disk };
}

const status = (g) => /status:\s*(\S+)/.exec(readFileSync(statusFile(g), 'utf8'))?.[1] ?? 'unknown';

for (const [i, g] of guests.entries()) {
  const n = `[${i + 1}/${guests.length}]`;
  const rest = guests.length - i - 1;
  const notStarted = rest ? `; the ${rest} guest(s) after it were not started` : '';
  const conf = readConfig(g);
  if (!conf) fail(`${label(g)} does not exist on this node (no ${configOf(g)})${notStarted}`);
  const state = status(g);
  if (state === 'running') {
    console.log(`${n} ${label(g, conf)} is already running`);
    continue;
  }

  console.log(`${n} starting ${label(g, conf)} (was ${state})`);
  const disk = path.join(pve, 'images', conf.disk);
  if (!existsSync(disk)) {
    fail(`${label(g, conf)} failed to start: could not open disk image ${disk}: No such file or directory ` +
      `(restore it from backup first)${notStarted}`);
  }
  writeFileSync(statusFile(g), 'status: starting\n');
  await sleep(400); // the guest boots
  writeFileSync(statusFile(g), 'status: running\n');
  if (status(g) !== 'running') fail(`${label(g, conf)} did not report running${notStarted}`);
  console.log(`${n} ${label(g, conf)} is running`);
  if (delayS > 0 && i < guests.length - 1) {
    console.log(`${n} waiting ${delayS}s before the next guest (it depends on this one)`);
    await sleep(delayS * 1000);
  }
}
console.log(`all ${guests.length} guest(s) running`);
