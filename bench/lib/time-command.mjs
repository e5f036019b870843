// Times one run of a whole command as a child process.
import { spawnSync } from 'node:child_process';
import { ROOT } from './paths.mjs';

const STDERR_LINES = 4;

/** Thrown when a timed command exits non-zero, carrying the first lines of its stderr. */
export class CommandFailed extends Error {}

/** Runs the command once with stdio ignored and returns its wall-clock time in ms; throws CommandFailed if it fails. */
export function timeCommand(command) {
  const [file, ...args] = command.argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: ROOT, stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error || result.status !== 0) throw failure(command, result);
  return elapsed;
}

// Re-runs a failed command with stderr captured so the report can say why it failed.
function failure(command, first) {
  if (first.error) return new CommandFailed(`\`${command.label}\`: ${first.error.message}`);
  const [file, ...args] = command.argv;
  const again = spawnSync(file, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const how = first.signal ? `was killed by ${first.signal}` : `exited with ${first.status}`;
  const head = (again.stderr || '')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, STDERR_LINES)
    .join('\n');
  return new CommandFailed(`\`${command.label}\` ${how}${head ? `:\n${head}` : ''}`);
}
