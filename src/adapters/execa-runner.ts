import { hasRawBytes, printfEscaped } from '../core/secrets/secret-bytes.js';
import type { CommandHooks, CommandResult, CommandRunner, CommandSpec } from '../ports/command-runner.js';
import { runProcess } from './run-process.js';

export { killGroup } from './run-process.js';

/**
 * Runs bash scripts: locally with execa, or, for a step with a host, through `remote` (the
 * SSH runner). Without one, a remote step is a clear error rather than a local run.
 */
export function createExecaRunner(remote?: CommandRunner): CommandRunner {
  return {
    async run(given: CommandSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
      const spec = carryRawBytes(given);
      if (spec.host) {
        if (remote) return remote.run(spec, hooks);
        const error = `step runs on host ${spec.host.name}, and this runner has no SSH`;
        return { timedOut: false, aborted: false, durationMs: 0, output: '', stdout: '', error };
      }
      return runProcess({ file: 'bash', args: ['-c', spec.script], env: spec.env, cwd: spec.cwd, timeoutMs: spec.timeoutMs }, hooks);
    },
  };
}

/**
 * An environment value with bytes that are not UTF-8 (a raw key read from a file) cannot be
 * handed to a process as text: it travels as `printf %b` escapes in plain ASCII, and the script
 * first turns it back into the exact bytes with bash's own printf, locally or on the host.
 */
export function carryRawBytes(spec: CommandSpec): CommandSpec {
  const raw = Object.keys(spec.env).filter((name) => hasRawBytes(spec.env[name]!));
  if (raw.length === 0) return spec;
  const odd = raw.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  // Never written into the script: a name that is not a shell identifier would be code there.
  if (odd !== undefined) throw new Error(`environment variable ${JSON.stringify(odd)} holds bytes that are not UTF-8, and its name is not a shell identifier`);
  const env = { ...spec.env };
  for (const name of raw) env[name] = printfEscaped(env[name]!);
  const decode = raw.map((name) => `printf -v ${name} %b "$${name}" || exit 125\n`).join('');
  return { ...spec, env, script: `${decode}${spec.script}` };
}
