// A throwaway OpenSSH server on 127.0.0.1 for the ssh benchmark: the same setup as
// tests/helpers/sshd.ts (its own host key, client key, authorized_keys, known_hosts, log), in .mjs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

const SSHD_BIN = '/usr/sbin/sshd';
const LOOPBACK = '127.0.0.1';

/** A free TCP port on 127.0.0.1: bound to port 0 by node:net, then released. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function keyPair(file, comment) {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
  return file;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function until(condition, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs / 1000}s for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts sshd on 127.0.0.1 at a free port (-D, detached, log to a file with -E) authorizing a
 * throwaway key for the current user. Returns { dir, port, pid, target, identity, knownHosts,
 * sshOptions, acceptedCount(), stop() }; stop() is synchronous, so it can run in an exit handler.
 * The remote shell does not read this machine's ~/.bashrc (SetEnv SHLVL=1), as in the tests.
 */
export async function startSshd(prefix = 'lifeboat-bench-sshd-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const hostKeyPath = keyPair(path.join(dir, 'host_ed25519'), 'lifeboat-bench-host');
  const identity = keyPair(path.join(dir, 'client_ed25519'), 'lifeboat-bench-client');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${readFileSync(`${identity}.pub`, 'utf8').trim()}\n`, { mode: 0o600 });
  const hostKey = readFileSync(`${hostKeyPath}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const logFile = path.join(dir, 'sshd.log');
  const configFile = path.join(dir, 'sshd_config');
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    /* not root */
  }
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(
      configFile,
      [
        `Port ${port}`,
        `ListenAddress ${LOOPBACK}`,
        `HostKey ${hostKeyPath}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'LogLevel VERBOSE',
        'MaxSessions 100',
        'MaxStartups 100:30:200',
        'SetEnv SHLVL=1',
        '',
      ].join('\n'),
    );
    writeFileSync(logFile, '');
    const child = spawn(SSHD_BIN, ['-D', '-f', configFile, '-E', logFile], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid;
    const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    await until(() => log().includes(`Server listening on ${LOOPBACK} port ${port}`) || !alive(pid), `sshd listening on port ${port}`);
    if (!alive(pid)) {
      lastError = log().trim();
      continue;
    }
    const knownHosts = path.join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[${LOOPBACK}]:${port} ${hostKey}\n`);
    const user = userInfo().username;
    return {
      dir,
      port,
      pid,
      user,
      target: `${user}@${LOOPBACK}`,
      identity,
      knownHosts,
      log,
      acceptedCount: () => log().split('\n').filter((l) => l.includes('Accepted publickey')).length,
      /** Options for a plain `ssh` to it, as Lifeboat gives them (batch mode, strict host key, this key). */
      sshOptions: [
        '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', `UserKnownHostsFile=${knownHosts}`,
        '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', 'IdentitiesOnly=yes',
        '-o', 'LogLevel=ERROR',
        '-i', identity,
        '-p', String(port),
      ],
      stop: () => {
        if (alive(pid)) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start:\n${lastError}`);
}
