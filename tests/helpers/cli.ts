import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The project root, for running the built CLI. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/lifeboat.js`;

/**
 * Runs the real `lifeboat` binary (built by `npm test`) and returns its exit code and output.
 * `timeoutMs` (60 s unless given) only turns a hang into a failure.
 */
export async function lifeboat(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}) {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: '1', ...options.env },
    input: options.input,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
