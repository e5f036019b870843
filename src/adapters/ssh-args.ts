import type { HostRef } from '../core/model/plan-types.js';

/** Options of the SSH runner and of the connections it shares. */
export interface SshOptions {
  /**
   * Folder of this run's shared connection sockets: one per run, so that one run closing its
   * connections never cuts another's. Kept short: socket paths are limited to ~100 bytes.
   */
  controlDir: string;
  connectTimeoutSeconds?: number;
}

/**
 * The ssh options for a host: batch mode, strict host keys, one shared connection per host
 * (`master: 'yes'` to open that connection rather than use or open it).
 */
export function sshArgs(host: HostRef, options: SshOptions, master: 'auto' | 'yes' = 'auto'): string[] {
  const args = [
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${options.connectTimeoutSeconds ?? 10}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `ControlMaster=${master}`,
    '-o',
    `ControlPath=${options.controlDir}/%C`,
    '-o',
    'ControlPersist=120',
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'LogLevel=ERROR',
  ];
  if (host.port) args.push('-p', String(host.port));
  if (host.identity) args.push('-i', host.identity, '-o', 'IdentitiesOnly=yes');
  if (host.knownHosts) args.push('-o', `UserKnownHostsFile=${host.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null');
  return args;
}

/** Says why ssh itself failed (exit 255), from what it printed: never "the command failed". */
export function sshFailure(host: HostRef, output: string): string {
  const text = output.toLowerCase();
  const why =
    // ssh ends both cases with "Host key verification failed": the unknown key is told apart first.
    /no .*host key is known|host key is not known/.test(text)
      ? 'its host key is not in known_hosts (add it, e.g. with ssh-keyscan, after checking its fingerprint)'
      : /host key verification failed|remote host identification has changed/.test(text)
        ? 'its host key does not match the known_hosts entry (refused: a changed key is never accepted silently; if the host was reinstalled, update known_hosts)'
        : /connection refused/.test(text)
          ? 'connection refused (is sshd running on it?)'
          : /timed out/.test(text)
            ? 'no answer: the connection timed out (is the host up and on the network?)'
            : /no route to host|network is unreachable/.test(text)
              ? 'unreachable: no route to it'
              : /permission denied/.test(text)
                ? 'authentication denied (check the user and the identity file)'
                : /could not resolve hostname/.test(text)
                  ? 'its name does not resolve (use an address in the inventory: DNS may be down)'
                  : `ssh exited 255: ${output.trim().split('\n').pop() ?? ''}`;
  return `cannot reach ${host.name} (${host.ssh}) over ssh: ${why}`;
}

/** This process's folder of shared connection sockets. */
export function controlDirOf(): string {
  return `/tmp/lifeboat-ssh-${process.getuid?.() ?? 'user'}/${process.pid}`;
}
