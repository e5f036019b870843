import { readFileSync } from 'node:fs';

/** Lifeboat's version, read from package.json beside the build. */
export function lifeboatVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
