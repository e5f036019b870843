import { execa } from 'execa';
import type { CommandHooks, CommandResult } from '../ports/command-runner.js';
import { Tail } from './output-tail.js';

/** How much of a command's output is kept for messages: its last 64 Ki characters. */
export const TAIL_CHARS = 64 * 1024;
const KILL_GRACE_MS = 2_000;
// How long output left in the pipes is still read after the leader exited.
const DRAIN_MS = 200;

/** Signals a whole process group, ignoring one that is already gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** How to run one process. */
export interface ProcessSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** Written to its standard input, which is then closed; without it stdin is /dev/null. */
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  /** Drops lines of stderr that are for Lifeboat, not for people (e.g. the remote pid). */
  filterStderr?: (line: string) => boolean;
  /** Called when the timeout or the abort signal stops the process, before its group is killed. */
  onStop?: () => void;
}

/**
 * Runs a process in its own process group, streaming its output, so that a timeout or Ctrl-C
 * stops the whole tree it started, not just its first process.
 */
export async function runProcess(spec: ProcessSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
  const started = performance.now();
  const output = new Tail(TAIL_CHARS);
  const stdout = new Tail(TAIL_CHARS);
  const child = execa(spec.file, spec.args, {
    env: spec.env,
    extendEnv: true,
    cwd: spec.cwd,
    detached: true,
    reject: false,
    ...(spec.input === undefined ? { stdin: 'ignore' as const } : { input: spec.input }),
    buffer: false,
    encoding: 'utf8',
  });
  const pid = child.pid;
  if (pid !== undefined) hooks.onSpawn?.(pid);
  streamOutput(child, spec, hooks, output, stdout);
  const stopper = new GroupStopper(pid, spec, hooks.signal);
  const result = await leaderExit(child);
  const { timedOut, aborted } = stopper.finish();
  const failedToStart = result.failed && result.exitCode === undefined && !result.signal && !timedOut && !aborted;
  return {
    exitCode: result.exitCode,
    signal: result.signal ?? undefined,
    timedOut,
    aborted,
    durationMs: performance.now() - started,
    output: output.toString(),
    stdout: stdout.toString(),
    ...(stdout.truncated ? { stdoutTruncated: true } : {}),
    error: failedToStart ? result.shortMessage : undefined,
  };
}

type Child = ReturnType<typeof execa>;
/** How the process ended, as far as the run cares. */
interface Exit {
  failed: boolean;
  exitCode?: number;
  signal?: string;
  shortMessage?: string;
}

/** Hands each piece of output to the hooks and the tails, less the stderr lines meant for Lifeboat. */
function streamOutput(child: Child, spec: ProcessSpec, hooks: CommandHooks, output: Tail, stdout: Tail): void {
  const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer | string) => {
    let text = chunk.toString();
    if (stream === 'stderr' && spec.filterStderr)
      text = text
        .split(/(?<=\n)/)
        .filter(spec.filterStderr)
        .join('');
    if (!text) return;
    output.push(text);
    if (stream === 'stdout') stdout.push(text);
    hooks.onOutput?.(stream, text);
  };
  // Decoded as streams: a character cut in two by a pipe read is not turned into two wrong ones.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', onData('stdout'));
  child.stderr?.on('data', onData('stderr'));
}

/**
 * Waits for the group leader. The step ends when its first process exits: a daemon it started
 * that keeps stdout open (in its own session, out of reach of the group kill) must not hold the
 * step, nor let a deadline pass. Output still in the pipes is read for a moment, then let go.
 */
async function leaderExit(child: Child): Promise<Exit> {
  const leader = new Promise<{ exitCode?: number; signal?: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined }));
  });
  const settled = child.then((r) => ({ exitCode: r.exitCode, signal: r.signal ?? undefined, result: r }));
  const ended = await Promise.race([settled, leader]);
  if ('result' in ended) return ended.result;
  const drained = await Promise.race([settled, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), DRAIN_MS).unref())]);
  if (drained) return drained.result;
  child.stdout?.destroy();
  child.stderr?.destroy();
  void settled.catch(() => undefined);
  return { failed: false, exitCode: ended.exitCode, signal: ended.signal, shortMessage: undefined };
}

/** Stops the process group at the timeout or on the abort signal: SIGTERM, then SIGKILL after a grace period. */
class GroupStopper {
  timedOut = false;
  aborted = false;
  private forceTimer: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => {
    this.aborted = true;
    this.stop();
  };

  constructor(
    private readonly pid: number | undefined,
    private readonly spec: ProcessSpec,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer =
      spec.timeoutMs !== undefined
        ? setTimeout(() => {
            this.timedOut = true;
            this.stop();
          }, spec.timeoutMs)
        : undefined;
    if (signal?.aborted) this.onAbort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private stop(): void {
    if (this.pid === undefined) return;
    this.spec.onStop?.();
    killGroup(this.pid, 'SIGTERM');
    const pid = this.pid;
    this.forceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    this.forceTimer.unref();
  }

  /** The leader is gone: timers off, and nothing it started outlives a timeout or Ctrl-C. */
  finish(): { timedOut: boolean; aborted: boolean } {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    if ((this.timedOut || this.aborted) && this.pid !== undefined) killGroup(this.pid, 'SIGKILL');
    if (this.forceTimer) clearTimeout(this.forceTimer);
    return { timedOut: this.timedOut, aborted: this.aborted };
  }
}
