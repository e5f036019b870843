import { mkdirSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import type { HostRef } from '../core/plan-types.js';
import { shellQuote } from '../core/shell-quote.js';
import type { CommandHooks, CommandResult, CommandRunner, CommandSpec } from '../ports/command-runner.js';
import { runProcess } from './run-process.js';

const PID_MARK = '\u001elifeboat-pid ';
// Reads the whole script (secrets included) from stdin, so nothing of it shows on a command
// line, announces its pid so a timeout can stop it, and runs it with stdin closed.
const REMOTE_WRAPPER = `bash -c 'IFS= read -r -d "" s; printf "\\036lifeboat-pid %s\\n" "$$" >&2; eval "$s" </dev/null'`;

/** Options of the SSH runner. */
export interface SshOptions {
  /**
   * Folder of this run's shared connection sockets: one per run, so that one run closing its
   * connections never cuts another's. Kept short: socket paths are limited to ~100 bytes.
   */
  controlDir: string;
  connectTimeoutSeconds?: number;
}

/** The ssh options for a host: batch mode, strict host keys, one shared connection per host. */
export function sshArgs(host: HostRef, options: SshOptions): string[] {
  const args = [
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${options.connectTimeoutSeconds ?? 10}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${options.controlDir}/%C`,
    '-o', 'ControlPersist=120',
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'LogLevel=ERROR',
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

/** Runs scripts on hosts with the system's OpenSSH client, reusing one connection per host for the whole run. */
export function createSshRunner(options: SshOptions): CommandRunner & { close(): Promise<void> } {
  const used = new Map<string, HostRef>();
  return {
    async run(spec: CommandSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
      const host = spec.host!;
      // Made on first use: a run with no remote step leaves nothing in /tmp.
      if (used.size === 0) mkdirSync(options.controlDir, { recursive: true, mode: 0o700 });
      used.set(host.name, host);
      const args = sshArgs(host, options);
      const exports = Object.entries(spec.env)
        .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
        .join('');
      let remotePid: string | undefined;
      let stopping: Promise<void> | undefined;
      const result = await runProcess(
        {
          file: 'ssh',
          args: [...args, host.ssh, REMOTE_WRAPPER],
          env: {},
          input: `${exports}${spec.cwd ? `cd ${shellQuote(spec.cwd)} || exit 1\n` : ''}${spec.script}\n\0`,
          timeoutMs: spec.timeoutMs,
          filterStderr: (line) => {
            if (!line.startsWith(PID_MARK)) return true;
            remotePid = line.slice(PID_MARK.length).trim();
            return false;
          },
          onStop: () => {
            // Killing the local ssh does not stop the remote command: stop its process group there too.
            if (!remotePid || !/^\d+$/.test(remotePid)) return;
            const kill = `kill -TERM -- -$(ps -o pgid= -p ${remotePid} | tr -d ' ') 2>/dev/null || kill -TERM ${remotePid}`;
            stopping = new Promise((resolve) => execFile('ssh', [...args, host.ssh, kill], () => resolve()));
          },
        },
        hooks,
      );
      // The run may close its connections next: the remote kill must have gone through first.
      await stopping;
      // ssh's own exit status, not the command's: the command never started.
      if (result.exitCode === 255 && remotePid === undefined) return { ...result, exitCode: undefined, error: sshFailure(host, result.output) };
      return result;
    },
    async close() {
      // The shared connections would otherwise linger for ControlPersist after the run.
      await Promise.all(
        [...used.values()].map(
          (host) => new Promise<void>((resolve) => execFile('ssh', [...sshArgs(host, options), '-O', 'exit', host.ssh], () => resolve())),
        ),
      );
      if (used.size > 0) rmSync(options.controlDir, { recursive: true, force: true });
    },
  };
}
