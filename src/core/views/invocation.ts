import { shellQuote } from '../shell/shell-quote.js';

/** How this process was started, as the command line's edge sees it. */
export interface StartFacts {
  /** The script node runs (process.argv[1]), absolute. */
  script: string | undefined;
  /** The working folder, absolute. */
  cwd: string;
  /** `npm_command` from the environment: `exec` under npx or npm exec, `run-script` under npm run. */
  npmCommand: string | undefined;
  /** True when `lifeboat` found on PATH is this same program. */
  onPath: boolean;
}

function relativeTo(cwd: string, path: string): string | undefined {
  const base = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return path.startsWith(base) ? path.slice(base.length) : undefined;
}

/**
 * The words that start Lifeboat again the way this process was started, for every hint that
 * names a command: `npx lifeboat`, `lifeboat` (its name on PATH) or `node bin/lifeboat.js`.
 */
export function invocation(facts: StartFacts): string {
  const script = facts.script;
  if (!script) return 'lifeboat';
  const name = script.slice(script.lastIndexOf('/') + 1);
  // npx and npm run start the bin link with node_modules/.bin on their own PATH only: the
  // operator's shell has npx. (Their variables are inherited by anything started below them,
  // so they count only when this process was started through the link.)
  if (name === 'lifeboat' && (facts.npmCommand === 'exec' || facts.npmCommand === 'run-script')) return 'npx lifeboat';
  // Started by its name (a bin link), and that name leads here from PATH: the name is enough.
  if (name === 'lifeboat' && facts.onPath) return 'lifeboat';
  const relative = relativeTo(facts.cwd, script);
  if (name === 'lifeboat') return shellQuote(relative ? `./${relative}` : script);
  return `node ${shellQuote(relative ?? script)}`;
}
