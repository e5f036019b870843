import { realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { invocation } from '../core/views/invocation.js';

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** True when the first `lifeboat` on PATH is the program this process runs. */
function lifeboatOnPath(script: string | undefined): boolean {
  const self = script ? realpath(script) : undefined;
  if (!self) return false;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'lifeboat');
    try {
      if (!statSync(candidate).isFile()) continue;
    } catch {
      continue;
    }
    return realpath(candidate) === self;
  }
  return false;
}

let cached: string | undefined;

/** The command that starts Lifeboat the way this process was started (`npx lifeboat`, `lifeboat`, `node bin/lifeboat.js`). */
export function lifeboatCommand(): string {
  cached ??= invocation({ script: process.argv[1], cwd: process.cwd(), npmCommand: process.env.npm_command, onPath: lifeboatOnPath(process.argv[1]) });
  return cached;
}
