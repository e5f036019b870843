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

  let timedOut = false;
  let aborted = false;
  let forceTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (pid === undefined) return;
    spec.onStop?.();
    killGroup(pid, 'SIGTERM');
    forceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    forceTimer.unref();
  };
  const timer =
    spec.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, spec.timeoutMs)
      : undefined;
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (hooks.signal?.aborted) onAbort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  // The step ends when its first process (the group leader) exits: a daemon it started that keeps
  // stdout open (in its own session, out of reach of the group kill) must not hold the step, nor
  // let a deadline pass. Output still in the pipes is read for a moment, then the pipes are let go.
  const leader = new Promise<{ exitCode?: number; signal?: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined }));
  });
  const settled = child.then((r) => ({ exitCode: r.exitCode, signal: r.signal ?? undefined, result: r }));
  let ended = await Promise.race([settled, leader]);
  if (!('result' in ended)) {
    const gone = ended;
    const drained = await Promise.race([settled, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), DRAIN_MS).unref())]);
    if (drained) ended = drained;
    else {
      child.stdout?.destroy();
      child.stderr?.destroy();
      void settled.catch(() => undefined);
      ended = gone;
    }
  }
  const result = 'result' in ended ? ended.result : { failed: false, exitCode: ended.exitCode, signal: ended.signal, shortMessage: undefined };
  clearTimeout(timer);
  hooks.signal?.removeEventListener('abort', onAbort);
  // The first process is gone; make sure nothing it started outlives a timeout or Ctrl-C.
  if ((timedOut || aborted) && pid !== undefined) killGroup(pid, 'SIGKILL');
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
}
