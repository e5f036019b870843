import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import type { HostRef } from '../core/model/plan-types.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import type { CommandHooks, CommandResult, CommandRunner, CommandSpec } from '../ports/command-runner.js';
import { runProcess } from './run-process.js';
import { type SshOptions, sshArgs, sshFailure } from './ssh-args.js';
import type { Warmups } from './ssh-warmup.js';

const PID_MARK = '\u001elifeboat-pid ';
// Reads the whole script (secrets included) from stdin, so nothing of it shows on a command
// line, announces its pid so a timeout can stop it, and runs it with stdin closed.
const REMOTE_WRAPPER = `bash -c 'IFS= read -r -d "" s; printf "\\036lifeboat-pid %s\\n" "$$" >&2; eval "$s" </dev/null'`;

/**
 * Runs scripts on hosts with the system's OpenSSH client, reusing one connection per host for the
 * whole run. `warm`: connections opened ahead of their first use (closed with the others).
 */
export function createSshRunner(options: SshOptions, warm: Warmups = new Map()): CommandRunner & { close(): Promise<void> } {
  const used = new Map<string, HostRef>([...warm].map(([name, w]) => [name, w.host]));
  const inflight = new Set<Promise<CommandResult>>();
  let closing = false;
  // A way out that skips close() (a second Ctrl-C, an error that ends the process) still closes
  // the shared connections: they would otherwise outlive Lifeboat for ControlPersist.
  const onExit = () => {
    for (const host of used.values()) spawnSync('ssh', [...sshArgs(host, options), '-O', 'exit', '--', host.ssh], { stdio: 'ignore', timeout: 2_000 });
    if (used.size > 0) rmSync(options.controlDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  const run = async (spec: CommandSpec, hooks: CommandHooks): Promise<CommandResult> => {
    const host = spec.host!;
    // Once closing, nothing opens a connection again: it would outlive the run.
    if (closing) return { timedOut: false, aborted: true, durationMs: 0, stdout: '', output: '', error: 'not run: the run is ending and its connections are closed' };
    // A connection still being opened is waited for: a second one would be a second handshake.
    await warm.get(host.name)?.ready;
    // Made on first use: a run with no remote step leaves nothing in /tmp.
    if (!used.has(host.name)) mkdirSync(options.controlDir, { recursive: true, mode: 0o700 });
    used.set(host.name, host);
    const args = sshArgs(host, options);
    // A name is written into the script as code: one that is not a shell identifier never is.
    const odd = Object.keys(spec.env).find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
    if (odd !== undefined) {
      return {
        timedOut: false,
        aborted: false,
        durationMs: 0,
        stdout: '',
        output: '',
        error: `not run: the environment variable name ${JSON.stringify(odd)} is not a shell identifier (letters, digits, _; not starting with a digit)`,
      };
    }
    const exports = Object.entries(spec.env)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
      .join('');
    const input = `${exports}${spec.cwd ? `cd ${shellQuote(spec.cwd)} || exit 1\n` : ''}${spec.script}\n`;
    // The script travels NUL-terminated: a NUL inside it would cut it short silently, so it never runs.
    if (input.includes('\0')) {
      return { timedOut: false, aborted: false, durationMs: 0, stdout: '', output: '', error: 'not run: a value in this command holds a NUL byte, which cannot be passed to a shell' };
    }
    let remotePid: string | undefined;
    let stopping: Promise<void> | undefined;
    const result = await runProcess(
      {
        file: 'ssh',
        args: [...args, '--', host.ssh, REMOTE_WRAPPER],
        env: {},
        input: `${input}\0`,
        timeoutMs: spec.timeoutMs,
        filterStderr: (line) => {
          // Only the wrapper's own line, which comes first: a command printing one later is output, and never decides what a timeout kills.
          if (remotePid !== undefined || !line.startsWith(PID_MARK)) return true;
          remotePid = line.slice(PID_MARK.length).trim();
          return false;
        },
        onStop: () => {
          // Killing the local ssh does not stop the remote command: stop its process group there too.
          if (!remotePid || !/^\d+$/.test(remotePid)) return;
          const kill = `kill -TERM -- -$(ps -o pgid= -p ${remotePid} | tr -d ' ') 2>/dev/null || kill -TERM ${remotePid}`;
          stopping = new Promise((resolve) => execFile('ssh', [...args, '--', host.ssh, kill], () => resolve()));
        },
      },
      hooks,
    );
    // The run may close its connections next: the remote kill must have gone through first.
    await stopping;
    // ssh's own exit status, not the command's: the command never started.
    if (result.exitCode === 255 && remotePid === undefined) return { ...result, exitCode: undefined, error: sshFailure(host, result.output) };
    return result;
  };
  return {
    run(spec: CommandSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
      const running = run(spec, hooks);
      inflight.add(running);
      void running.finally(() => inflight.delete(running));
      return running;
    },
    async close() {
      closing = true;
      process.off('exit', onExit);
      // One still being opened is given up; one that is up is closed with the others.
      for (const w of warm.values()) w.cancel();
      await Promise.all([...warm.values()].map((w) => w.ready));
      // A command still ending (stopped, its group being killed) may yet open a connection: it ends first.
      await Promise.allSettled([...inflight]);
      // The shared connections would otherwise linger for ControlPersist after the run.
      await Promise.all([...used.values()].map((host) => new Promise<void>((resolve) => execFile('ssh', [...sshArgs(host, options), '-O', 'exit', '--', host.ssh], () => resolve()))));
      if (used.size > 0) rmSync(options.controlDir, { recursive: true, force: true });
    },
  };
}
