// A throwaway OpenSSH server on 127.0.0.1: its own host key, client key, authorized_keys,
// known_hosts and log, all in a temp folder. Loopback only. Plain JavaScript so that both the
// tests (through tests/helpers/sshd.ts) and the benchmarks (plain node) start the same server.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD_BIN = '/usr/sbin/sshd';
const LOOPBACK = '127.0.0.1';

/** A free TCP port on 127.0.0.1: bound to port 0 by node:net, then released. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port from node:net'))));
    });
  });
}

/** Makes an ed25519 key pair without a passphrase; returns the private key's path (the public one is PATH.pub). */
export function keyPair(path, comment = 'lifeboat-test') {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
  return path;
}

/** The `type base64` part of a .pub file (its comment dropped). */
export function publicKey(pubPath) {
  return readFileSync(pubPath, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
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
 * Starts sshd on 127.0.0.1 at a free port, in the foreground (-D) but detached, logging to a file (-E).
 * It authorizes one throwaway client key for the current user; as root, PermitRootLogin prohibit-password.
 */
export async function startSshd(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'lifeboat-sshd-'));
  const hostKeyPath = keyPair(join(dir, 'host_ed25519'), 'lifeboat-test-host');
  const identity = keyPair(join(dir, 'client_ed25519'), 'lifeboat-test-client');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${readFileSync(`${identity}.pub`, 'utf8').trim()}\n`, { mode: 0o600 });
  const hostKey = publicKey(`${hostKeyPath}.pub`);
  const logFile = join(dir, 'sshd.log');
  const pidFile = join(dir, 'sshd.pid');
  const configFile = join(dir, 'sshd_config');
  // The privilege separation folder sshd wants when it runs as root; harmless otherwise.
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    /* not root: sshd then runs without privilege separation */
  }

  // A port picked by binding 0 may be taken again before sshd binds it: try a few.
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
        `PidFile ${pidFile}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'LogLevel VERBOSE',
        'MaxSessions 100',
        'MaxStartups 100:30:200',
        // bash reads ~/.bashrc under sshd only in a top-level shell (SHLVL < 2): the throwaway "remote"
        // must not depend on (nor wait for) this machine's dotfiles, e.g. a slow `pyenv init`.
        ...(options.readBashrc ? [] : ['SetEnv SHLVL=1']),
        '',
      ].join('\n'),
    );
    writeFileSync(logFile, '');
    const child = spawn(SSHD_BIN, ['-D', '-f', configFile, '-E', logFile], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${SSHD_BIN}`);
    const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    try {
      await until(() => log().includes(`Server listening on ${LOOPBACK} port ${port}`) || !alive(pid), `sshd listening on port ${port}`);
    } catch (error) {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      throw error;
    }
    if (!alive(pid)) {
      lastError = log().trim();
      continue;
    }
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[${LOOPBACK}]:${port} ${hostKey}\n`);
    const user = userInfo().username;
    const terminate = () => {
      if (!alive(pid)) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    return {
      dir,
      port,
      pid,
      user,
      target: `${user}@${LOOPBACK}`,
      identity,
      knownHosts,
      hostKey,
      logFile,
      log,
      acceptedCount: () =>
        log()
          .split('\n')
          .filter((line) => line.includes('Accepted publickey')).length,
      sshOptions: () => [
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'LogLevel=ERROR',
        '-i',
        identity,
        '-p',
        String(port),
      ],
      hostYaml: (overrides = {}) => {
        const fields = { port, identity, known_hosts: knownHosts, ...overrides };
        return `{ ssh: ${JSON.stringify(`${user}@${LOOPBACK}`)}, port: ${fields.port}, identity: ${JSON.stringify(fields.identity)}, known_hosts: ${JSON.stringify(fields.known_hosts)} }`;
      },
      running: () => alive(pid),
      stop: async (keepDir = false) => {
        if (alive(pid)) {
          terminate();
          await until(() => !alive(pid), `sshd ${pid} to exit`).catch(() => {
            if (alive(pid)) process.kill(pid, 'SIGKILL');
          });
        }
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      },
      stopNow: () => {
        terminate();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start:\n${lastError}`);
}
