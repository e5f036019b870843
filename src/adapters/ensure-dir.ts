import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates a folder and its missing parents one level at a time. (Node's recursive mkdir loops
 * forever on some pseudo file systems such as /proc; this fails with their error instead.)
 */
export function ensureDir(path: string, mode = 0o755): void {
  try {
    if (statSync(path).isDirectory()) return;
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = dirname(path);
  if (parent !== path) ensureDir(parent);
  mkdirSync(path, { mode });
}
