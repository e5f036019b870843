#!/usr/bin/env zx
// Start Proxmox guests one after another, in the order given, waiting for each to run
// before starting the next.
//
//   start-guests.mjs [--ssh USER@HOST] [--port N] [--identity FILE] [--known-hosts FILE]
//                    [--timeout SECONDS] [--delay SECONDS] GUEST...
//
// GUEST is vm:ID (a VM, `qm`), ct:ID (a container, `pct`) or a bare ID, looked up with
// `qm status` and then `pct status`. Several guests may also be given in one argument,
// separated by commas or spaces ("vm:102,vm:101 ct:200").
// --ssh runs qm/pct on that host over SSH (BatchMode, so keys only). Without --ssh the host
// comes from LIFEBOAT_SSH, which Lifeboat sets for a script step with `on: HOST`; without
// either, qm/pct run on this machine. --port, --identity and --known-hosts go to ssh; they
// default to LIFEBOAT_SSH_PORT, LIFEBOAT_SSH_IDENTITY and LIFEBOAT_SSH_KNOWN_HOSTS.
// --timeout is how long each guest may take to report "running" (default 180 s),
// --delay a pause after each guest has started (default 0), for guests that others depend on.
// Exits 0 when every guest runs, 1 on the first guest that does not, 2 on bad arguments.
import { $, argv, sleep } from 'zx';

$.verbose = false;

const USAGE = 'usage: start-guests.mjs [--ssh USER@HOST] [--port N] [--identity FILE] [--known-hosts FILE] ' +
  '[--timeout SECONDS] [--delay SECONDS] vm:ID|ct:ID|ID ...';

function fail(message, code = 1) {
  console.error(`start-guests: ${message}`);
  process.exit(code);
}

function seconds(value, name, fallback) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a number of seconds, got "${value}"\n${USAGE}`, 2);
  return n;
}

const known = new Set(['_', 'ssh', 'port', 'identity', 'known-hosts', 'timeout', 'delay', 'help', 'h']);
for (const key of Object.keys(argv)) {
  if (!known.has(key)) fail(`unknown option --${key}\n${USAGE}`, 2);
}
if (argv.help || argv.h) {
  console.log(USAGE);
  process.exit(0);
}

const ssh = argv.ssh ? String(argv.ssh) : (process.env.LIFEBOAT_SSH ?? '');
// Without options, the host's own settings from the inventory, which Lifeboat passes along.
const option = (name, env) => (argv[name] === undefined || argv[name] === '' ? (process.env[env] ?? '') : String(argv[name]));
const port = option('port', 'LIFEBOAT_SSH_PORT');
const identity = option('identity', 'LIFEBOAT_SSH_IDENTITY');
const knownHosts = option('known-hosts', 'LIFEBOAT_SSH_KNOWN_HOSTS');
const timeoutS = seconds(argv.timeout, 'timeout', 180);
const delayS = seconds(argv.delay, 'delay', 0);
for (const name of ['ssh', 'port', 'identity', 'known-hosts']) {
  if (argv[name] === true) fail(`--${name} needs a value\n${USAGE}`, 2);
}
// The host is handed to ssh, which must never read it as an option (-oProxyCommand=… runs a
// command): it must be [user@]host, as in a runbook's hosts; the port a number.
const SSH_TARGET = /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*@)?(?:[A-Za-z0-9_][A-Za-z0-9_.-]*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%A-Za-z]*)$/;
if (ssh && !SSH_TARGET.test(ssh)) fail(`--ssh (or LIFEBOAT_SSH) must be [user@]host, got ${JSON.stringify(ssh)}\n${USAGE}`, 2);
if (port && !/^\d{1,5}$/.test(port)) fail(`--port must be a port number, got ${JSON.stringify(port)}\n${USAGE}`, 2);

const guests = argv._.flatMap((arg) => String(arg).split(/[\s,]+/)).filter(Boolean).map((spec) => {
  const m = /^(?:(vm|ct):)?(\d+)$/i.exec(spec);
  if (!m) fail(`"${spec}" is not a guest: use vm:ID, ct:ID or ID\n${USAGE}`, 2);
  return { kind: m[1]?.toLowerCase(), id: m[2] };
});
if (guests.length === 0) fail(`no guests given\n${USAGE}`, 2);

const where = ssh ? ` on ${ssh}` : '';

/** Runs a Proxmox command here or on the SSH host, keeping its output to ourselves; never throws. */
function pve(args) {
  const run = $({ nothrow: true, quiet: true });
  if (!ssh) return run`${args}`;
  const opts = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'];
  if (port) opts.push('-p', port);
  if (identity) opts.push('-i', identity, '-o', 'IdentitiesOnly=yes');
  if (knownHosts) opts.push('-o', `UserKnownHostsFile=${knownHosts}`);
  return run`ssh ${opts} -- ${ssh} ${args}`;
}

const tool = (kind) => (kind === 'vm' ? 'qm' : 'pct');
const label = (g) => `${g.kind === 'vm' ? 'VM' : 'CT'} ${g.id}`;
const lastLine = (out) => out.trim().split('\n').filter(Boolean).pop() ?? '';

/** Returns the status word ("running", "stopped", …) or null with the error text. */
async function status(kind, id) {
  const r = await pve([tool(kind), 'status', id]);
  if (ssh && r.exitCode === 255) fail(`cannot reach ${ssh} over SSH: ${lastLine(r.stderr)}`);
  const m = /status:\s*(\S+)/.exec(r.stdout);
  if (r.exitCode === 0 && m) return { state: m[1], error: '' };
  return { state: null, error: lastLine(r.stderr) || lastLine(r.stdout) || `exit ${r.exitCode}` };
}

for (const [i, g] of guests.entries()) {
  const n = `[${i + 1}/${guests.length}]`;
  let st;
  if (g.kind) {
    st = await status(g.kind, g.id);
    if (!st.state) fail(`${label(g)} not found${where}: ${tool(g.kind)} status said: ${st.error}`);
  } else {
    for (const kind of ['vm', 'ct']) {
      st = await status(kind, g.id);
      if (st.state) {
        g.kind = kind;
        break;
      }
    }
    if (!g.kind) fail(`guest ${g.id} is neither a VM nor a container${where} (qm status and pct status both failed: ${st.error})`);
  }

  if (st.state === 'running') {
    console.log(`${n} ${label(g)} is already running`);
    continue;
  }

  console.log(`${n} starting ${label(g)} (was ${st.state})`);
  const started = await pve([tool(g.kind), 'start', g.id]);
  if (started.exitCode !== 0) {
    const why = lastLine(started.stderr) || lastLine(started.stdout) || `exit ${started.exitCode}`;
    const rest = guests.length - i - 1;
    fail(`${tool(g.kind)} start ${g.id} failed${where}: ${why}` +
      (rest ? `; the ${rest} guest(s) after it were not started` : ''));
  }

  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    st = await status(g.kind, g.id);
    if (st.state === 'running') break;
    if (Date.now() >= deadline) {
      const rest = guests.length - i - 1;
      fail(`${label(g)} did not report running within ${timeoutS}s (last status: ${st.state ?? st.error})` +
        (rest ? `; the ${rest} guest(s) after it were not started` : ''));
    }
    await sleep(2000);
  }
  console.log(`${n} ${label(g)} is running`);
  if (delayS > 0 && i < guests.length - 1) {
    console.log(`${n} waiting ${delayS}s before the next guest`);
    await sleep(delayS * 1000);
  }
}
console.log(`all ${guests.length} guest(s) running`);
