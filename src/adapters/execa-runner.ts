import type { CommandHooks, CommandResult, CommandRunner, CommandSpec } from '../ports/command-runner.js';
import { runProcess } from './run-process.js';

export { killGroup } from './run-process.js';

/**
 * Runs bash scripts: locally with execa, or, for a step with a host, through `remote` (the
 * SSH runner). Without one, a remote step is a clear error rather than a local run.
 */
export function createExecaRunner(remote?: CommandRunner): CommandRunner {
  return {
    async run(spec: CommandSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
      if (spec.host) {
        if (remote) return remote.run(spec, hooks);
        const error = `step runs on host ${spec.host.name}, and this runner has no SSH`;
        return { timedOut: false, aborted: false, durationMs: 0, output: '', stdout: '', error };
      }
      return runProcess({ file: 'bash', args: ['-c', spec.script], env: spec.env, cwd: spec.cwd, timeoutMs: spec.timeoutMs }, hooks);
    },
  };
}
