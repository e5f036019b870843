import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { SecretSource } from '../core/model/plan-types.js';
import { UsageError } from '../core/model/problem.js';
import { bytesToSecret, isUtf8, secretBytes } from '../core/secrets/secret-bytes.js';

/** Where the variables that carry secrets to commands start; one inherited from outside is dropped too. */
const CARRIER_PREFIX = 'LIFEBOAT_SECRET_';

/**
 * Reads each named secret from its source; every missing one is reported at once. Afterwards the
 * environment variables secrets come from are removed from this process, so that no command
 * inherits them: a command gets only the secrets its step uses, in its own variables.
 */
export async function readSecrets(sources: Readonly<Record<string, SecretSource>>, names: readonly string[], ask: ((name: string) => Promise<string>) | undefined): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const missing: string[] = [];
  const refused: string[] = [];
  const take = (name: string, value: string, where: string) => {
    // A NUL byte ends a C string: no environment variable (nor bash variable) can carry it.
    const nul = value.indexOf('\0');
    if (nul >= 0) refused.push(`${name}: ${where} holds a NUL byte (at byte ${secretBytes(value.slice(0, nul)).length})`);
    else values.set(name, value);
  };
  for (const name of names) {
    const source = sources[name]!;
    if (source.kind === 'env') {
      const value = process.env[source.name];
      if (value === undefined || value === '') missing.push(`${name}: environment variable ${source.name} is not set`);
      else take(name, value, `environment variable ${source.name}`);
    } else if (source.kind === 'file') {
      const path = source.path.replace(/^~(?=$|\/)/, homedir());
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        missing.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        continue;
      }
      take(name, fileSecret(bytes), `file ${path}`);
    } else if (ask) {
      take(name, await ask(name), 'the value typed');
    } else {
      missing.push(`${name}: asked for at a prompt, and this run has no terminal`);
    }
  }
  scrubSecretSources(sources);
  if (refused.length) {
    throw new UsageError(`${refused.length} secret${refused.length === 1 ? '' : 's'} cannot be given to a command; nothing was run`, {
      expected: 'secret values without NUL bytes: they reach commands in environment variables, which end at the first NUL',
      received: refused.join('; '),
      hint: 'store a binary key encoded (e.g. `base64 -w0 key > key.b64`) and decode it in the command: `base64 -d <<<"{{ secrets.NAME }}"`',
    });
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

/**
 * A secret file's value: text (UTF-8) has its surrounding whitespace, such as the final newline,
 * trimmed; anything else (a raw key) is kept byte for byte.
 */
export function fileSecret(bytes: Uint8Array): string {
  return isUtf8(bytes) ? Buffer.from(bytes).toString('utf8').trim() : bytesToSecret(bytes);
}

/** Removes from this process's environment every variable a secret is read from, and any secret carrier inherited from outside. */
export function scrubSecretSources(sources: Readonly<Record<string, SecretSource>>): void {
  for (const source of Object.values(sources)) if (source.kind === 'env') delete process.env[source.name];
  for (const name of Object.keys(process.env)) if (name.startsWith(CARRIER_PREFIX)) delete process.env[name];
}
