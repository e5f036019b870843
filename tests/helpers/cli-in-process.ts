// The command line run in this process: runCli (src/cli/program.ts), the function bin/lifeboat.js
// hands its arguments to, with the same option parsing, the same command, the same single error
// boundary and exit code, and its output captured. It saves starting node and loading the CLI
// (about 0.3 s of CPU a run) where only the command's logic is tested: validate's report, the views
// of `logs`. What only a process shows (signals, a stream closed under it, colour on a terminal, a
// crash's stack trace and exit 70, the name it is invoked by) stays with tests/helpers/cli.ts.
import { runCli } from '../../src/cli/program.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * `lifeboat ARGS` in this process, from `cwd`, with NO_COLOR=1 and `env` set for the call (undefined
 * unsets a variable); stdout and stderr without their final line break, as tests/helpers/cli.ts
 * gives them. Calls run one after the other: the output streams, the environment and the
 * working directory are this process's own.
 */
export function lifeboatInProcess(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<InProcessResult> {
  const call = queue.then(() => runCaptured(args, options));
  queue = call.catch(() => undefined);
  return call;
}

async function runCaptured(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> }): Promise<InProcessResult> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const env = { NO_COLOR: '1', ...options.env };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const home = process.cwd();
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set(env);
  if (options.cwd) process.chdir(options.cwd);
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    const code = await runCli(args);
    // As tests/helpers/cli.ts gives it (execa's way): without the one final line break.
    const text = (parts: string[]) => parts.join('').replace(/\r?\n$/, '');
    return { code, stdout: text(out), stderr: text(err) };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.chdir(home);
    set(saved);
  }
}
