// A throwaway OpenSSH server on 127.0.0.1 for the ssh tests: its own host key, client key,
// authorized_keys, known_hosts and log, all in a temp folder. Loopback only.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD_BIN = '/usr/sbin/sshd';
const LOOPBACK = '127.0.0.1';

/** A free TCP port on 127.0.0.1: bound to port 0 by node:net, then released. */
export function freePort(): Promise<number> {
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
export function keyPair(path: string, comment = 'lifeboat-test'): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
  return path;
}

/** The `type base64` part of a .pub file (its comment dropped). */
export function publicKey(pubPath: string): string {
  return readFileSync(pubPath, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** A running throwaway sshd. */
export interface Sshd {
  /** Its temp folder (keys, config, log), removed by stop(). */
  dir: string;
  port: number;
  pid: number;
  /** user@127.0.0.1, the current user. */
  target: string;
  user: string;
  /** The client's private key, authorized by this server. */
  identity: string;
  /** A known_hosts file with exactly this server's host key. */
  knownHosts: string;
  /** The host key line (type and base64) the server presents. */
  hostKey: string;
  logFile: string;
  /** The sshd log so far. */
  log(): string;
  /** Number of "Accepted publickey" lines: one per authenticated connection. */
  acceptedCount(): number;
  /** The ssh options to reach it from a plain `ssh` command (BatchMode, port, identity, known_hosts). */
  sshOptions(): string[];
  /** A host entry for a runbook or inventory, as a YAML flow map. */
  hostYaml(overrides?: { port?: number; identity?: string; known_hosts?: string }): string;
  /** Whether the daemon still runs. */
  running(): boolean;
  /** Kills it by pid, waits until it is gone, and removes its folder unless `keepDir`. */
  stop(keepDir?: boolean): Promise<void>;
}

function alive(pid: number): boolean {
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

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
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
export async function startSshd(options: { prefix?: string; readBashrc?: boolean } = {}): Promise<Sshd> {
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
    const sshd: Sshd = {
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
      acceptedCount: () => log().split('\n').filter((line) => line.includes('Accepted publickey')).length,
      sshOptions: () => [
        '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', `UserKnownHostsFile=${knownHosts}`,
        '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', 'IdentitiesOnly=yes',
        '-o', 'LogLevel=ERROR',
        '-i', identity,
        '-p', String(port),
      ],
      hostYaml: (overrides = {}) => {
        const fields = { port, identity, known_hosts: knownHosts, ...overrides };
        return `{ ssh: ${JSON.stringify(`${user}@${LOOPBACK}`)}, port: ${fields.port}, identity: ${JSON.stringify(fields.identity)}, known_hosts: ${JSON.stringify(fields.known_hosts)} }`;
      },
      running: () => alive(pid),
      stop: async (keepDir = false) => {
        if (alive(pid)) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* already gone */
          }
          await until(() => !alive(pid), `sshd ${pid} to exit`).catch(() => {
            if (alive(pid)) process.kill(pid, 'SIGKILL');
          });
        }
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      },
    };
    return sshd;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start:\n${lastError}`);
}

/** Runs `ssh OPTIONS target command` against the server and returns its stdout (throws on failure). */
export function sshExec(sshd: Sshd, command: string, extra: string[] = []): string {
  return execFileSync('ssh', [...sshd.sshOptions(), ...extra, sshd.target, command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Number of sessions (commands) the server started: one per remote command, multiplexed or not. */
export function sessionCount(sshd: Sshd): number {
  return sshd.log().split('\n').filter((line) => line.includes('Starting session:')).length;
}

/** The control socket ssh uses for this server with ControlPath=DIR/%C (as Lifeboat does), expanded by `ssh -G`. */
export function controlSocket(sshd: Sshd, controlDir: string): string {
  const out = execFileSync('ssh', ['-G', '-o', `ControlPath=${controlDir}/%C`, '-p', String(sshd.port), sshd.target], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => l.toLowerCase().startsWith('controlpath '));
  if (!line) throw new Error('ssh -G printed no controlpath');
  return line.slice('controlpath '.length).trim();
}

/** The control folder of `lifeboat run` for this user (src/cli/run-session.ts). */
export function lifeboatControlDir(): string {
  return `/tmp/lifeboat-ssh-${process.getuid?.() ?? 'user'}`;
}
