import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { SecretSource } from '../core/plan-types.js';
import { UsageError } from '../core/problem.js';

/** Reads each named secret from its source; every missing one is reported at once. */
export async function readSecrets(
  sources: Readonly<Record<string, SecretSource>>,
  names: readonly string[],
  ask: ((name: string) => Promise<string>) | undefined,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const name of names) {
    const source = sources[name]!;
    if (source.kind === 'env') {
      const value = process.env[source.name];
      if (value === undefined || value === '') missing.push(`${name}: environment variable ${source.name} is not set`);
      else values.set(name, value);
    } else if (source.kind === 'file') {
      const path = source.path.replace(/^~(?=$|\/)/, homedir());
      try {
        values.set(name, readFileSync(path, 'utf8').trim());
      } catch (error) {
        missing.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    } else if (ask) {
      values.set(name, await ask(name));
    } else {
      missing.push(`${name}: asked for at a prompt, and this run has no terminal`);
    }
  }
  if (missing.length) {
    throw new UsageError(`${missing.length} secret${missing.length === 1 ? '' : 's'} could not be read; nothing was run`, {
      expected: 'every secret the selected steps use',
      received: missing.join('; '),
      hint: 'set the environment variables or create the files named in the runbook`s secrets:, or run from a terminal to be asked',
    });
  }
  return values;
}
