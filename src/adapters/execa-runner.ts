import { execa } from 'execa';
import type { CommandHooks, CommandResult, CommandRunner, CommandSpec } from '../ports/command-runner.js';

const TAIL_BYTES = 64 * 1024;
const KILL_GRACE_MS = 2_000;

/** Keeps the last `limit` characters of a growing text. */
class Tail {
  private text = '';
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text.slice(-this.limit);
  }
}

/** Signals a whole process group, ignoring one that is already gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs bash scripts locally with execa, each in its own process group, so that a timeout or
 * Ctrl-C stops the whole tree it started, not just bash.
 */
export function createExecaRunner(): CommandRunner {
  return {
    async run(spec: CommandSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
      const started = performance.now();
      const output = new Tail(TAIL_BYTES);
      const stdout = new Tail(TAIL_BYTES);
      if (spec.host) {
        const error = `step runs on host ${spec.host.name}: remote hosts (on:) are not supported yet`;
        return { timedOut: false, aborted: false, durationMs: 0, output: '', stdout: '', error };
      }
      const child = execa('bash', ['-c', spec.script], {
        env: spec.env,
        extendEnv: true,
        cwd: spec.cwd,
        detached: true,
        reject: false,
        stdin: 'ignore',
        buffer: false,
        encoding: 'utf8',
      });
      const pid = child.pid;
      if (pid !== undefined) hooks.onSpawn?.(pid);
      const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer | string) => {
        const text = chunk.toString();
        output.push(text);
        if (stream === 'stdout') stdout.push(text);
        hooks.onOutput?.(stream, text);
      };
      child.stdout?.on('data', onData('stdout'));
      child.stderr?.on('data', onData('stderr'));

      let timedOut = false;
      let aborted = false;
      let forceTimer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (pid === undefined) return;
        killGroup(pid, 'SIGTERM');
        forceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
        forceTimer.unref();
      };
      const timer = spec.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), stop()), spec.timeoutMs) : undefined;
      const onAbort = () => ((aborted = true), stop());
      if (hooks.signal?.aborted) onAbort();
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      const result = await child;
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', onAbort);
      if ((timedOut || aborted) && pid !== undefined) {
        // bash is gone; make sure nothing it started outlives the timeout.
        killGroup(pid, 'SIGKILL');
      }
      if (forceTimer) clearTimeout(forceTimer);
      const failedToStart = result.failed && result.exitCode === undefined && !result.signal && !timedOut && !aborted;
      return {
        exitCode: result.exitCode,
        signal: result.signal ?? undefined,
        timedOut,
        aborted,
        durationMs: performance.now() - started,
        output: output.toString(),
        stdout: stdout.toString(),
        error: failedToStart ? result.shortMessage : undefined,
      };
    },
  };
}
