import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

/** The project root, for running the built CLI. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/lifeboat.js`;

/** Runs the real `lifeboat` binary (built by `npm test`) and returns its exit code and output. */
export async function lifeboat(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: '1', ...options.env },
    input: options.input,
    reject: false,
    timeout: 60_000,
  });
  return { code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
