import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach } from 'vitest';
import { fromJournalRecord } from '../../src/adapters/journal-record.js';
import { RUN_ID_PATTERN } from '../../src/core/model/run-id.js';
import { BIN, ROOT } from './cli.js';

/** The runbooks of the `lifeboat run` tests. */
export const RUN_FIXTURES = join(ROOT, 'tests/fixtures/run');

/** A throwaway folder for one run: the run's cwd, its logs/ and its steps/ folder. */
export interface Workspace {
  dir: string;
  logs: string;
  steps: string;
  /** A path inside the workspace. */
  path(name: string): string;
  /** The text of a file in the workspace, or undefined when it does not exist. */
  read(name: string): string | undefined;
  cleanup(): void;
}

/** A script for script steps: appends its first argument as a line to the file named by its second. */
const APPEND_SCRIPT = `import { appendFileSync } from 'node:fs';
const [what, file] = process.argv.slice(2);
appendFileSync(file, what + '\\n');
console.log('appended ' + what);
`;

/** Makes a workspace in the system temp folder, with steps/demo/append.mjs. */
export function workspace(prefix = 'lifeboat-run-'): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const steps = join(dir, 'steps');
  mkdirSync(join(steps, 'demo'), { recursive: true });
  writeFileSync(join(steps, 'demo/append.mjs'), APPEND_SCRIPT);
  const path = (name: string) => join(dir, name);
  return {
    dir,
    logs: join(dir, 'logs'),
    steps,
    path,
    read: (name) => (existsSync(path(name)) ? readFileSync(path(name), 'utf8') : undefined),
    cleanup: () => removeWhenReleased(dir, join(dir, 'logs')),
  };
}

/** The arguments of `lifeboat run FIXTURE` with the workspace's logs and steps. */
export function runArgs(ws: Workspace, fixture: string, ...extra: string[]): string[] {
  return ['run', join(RUN_FIXTURES, fixture), '--logs', ws.logs, '--steps', ws.steps, ...extra];
}

/**
 * Removes a workspace once no run holds a lock in its logs (at most 10 s): a run stopped with its
 * terminal writes its last records, then lets go of its lock, as it exits.
 */
function removeWhenReleased(dir: string, logs: string): void {
  const held = () => existsSync(logs) && readdirSync(logs).some((name) => name.endsWith('.lock'));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; held() && waited < 10_000; waited += 50) Atomics.wait(pause, 0, 0, 50);
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** The run folders under a logs folder. */
export function runDirs(logs: string): string[] {
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((name) => RUN_ID_PATTERN.test(name) && statSync(join(logs, name)).isDirectory())
    .sort()
    .map((name) => join(logs, name));
}

/** One journal line: an event with what pino adds. */
export type JournalLine = Record<string, unknown> & { kind: string; level: string; time: string; runId: string };

/** The journal of the only run in a logs folder, one parsed object per line, and its raw lines. */
export function readOnlyJournal(logs: string): { runDir: string; runId: string; file: string; lines: string[]; events: JournalLine[] } {
  const dirs = runDirs(logs);
  if (dirs.length !== 1) throw new Error(`expected exactly one run in ${logs}, found ${dirs.length}`);
  const runDir = dirs[0]!;
  const file = join(runDir, 'events.jsonl');
  const text = readFileSync(file, 'utf8');
  if (!text.endsWith('\n')) throw new Error(`${file} does not end with a newline`);
  const lines = text.slice(0, -1).split('\n');
  const events = lines.map((line, i) => {
    try {
      // Read as the journal reader reads it: a note's level and message whatever form the line has.
      const event = fromJournalRecord(JSON.parse(line));
      if (event === undefined) throw new Error('no event');
      return event as unknown as JournalLine;
    } catch {
      throw new Error(`${file}:${i + 1} is not one JSON object: ${line}`);
    }
  });
  return { runDir, runId: runDir.split('/').pop()!, file, lines, events };
}

/** Events of one kind (optionally of one step). */
export function eventsOf(events: JournalLine[], kind: string, step?: string): JournalLine[] {
  return events.filter((e) => e.kind === kind && (step === undefined || e.step === step));
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** The state letter and process group of a process from /proc, or undefined when there is no such process. */
export function procStat(pid: number): { state: string; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/**
 * True when the process exists and is not a zombie. A killed orphan is reparented and may stay a
 * zombie until its new parent reaps it: it no longer runs, so it counts as gone.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The live (non-zombie) processes whose process group is `pgid`, from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(name));
  }
  return members;
}

/** Waits until `condition` holds, polling; throws with `what` when it has not after `timeoutMs` (a bound, not a measurement). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 15_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs / 1000}s for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Runs the real binary with stdin an open pipe that is never written to nor closed, as when a
 * script starts lifeboat with nobody at the keyboard. `timeoutMs` is a safety net: a run that
 * waits for input is killed then, and `timedOut` says so.
 */
export async function lifeboatWithOpenStdin(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }) {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: { NO_COLOR: '1', ...options.env },
    stdin: 'pipe',
    reject: false,
    timeout: options.timeoutMs ?? 10_000,
  });
  return { code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut === true };
}

/**
 * The keys that appear more than once in one object of a JSON text, as `path.key` (JSON.parse
 * keeps only the last of them, so it cannot tell). Throws on text that is not JSON.
 */
export function repeatedKeys(json: string): string[] {
  let i = 0;
  const repeated: string[] = [];
  const fail = (what: string): never => {
    throw new Error(`not JSON at ${i} (${what}): ${json}`);
  };
  const space = () => {
    while (/\s/.test(json[i] ?? '')) i++;
  };
  const string = (): string => {
    const start = i;
    if (json[i++] !== '"') fail('a string');
    while (json[i] !== '"') {
      if (i >= json.length) fail('an unterminated string');
      i += json[i] === '\\' ? 2 : 1;
    }
    i++;
    return JSON.parse(json.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = json[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      space();
      if (json[i] === '}') return void i++;
      for (;;) {
        space();
        const key = string();
        if (seen.has(key)) repeated.push(`${path}${key}`);
        seen.add(key);
        space();
        if (json[i++] !== ':') fail('a colon');
        value(`${path}${key}.`);
        space();
        const next = json[i++];
        if (next === '}') return;
        if (next !== ',') fail('a comma or }');
      }
    }
    if (c === '[') {
      i++;
      space();
      if (json[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}${n}.`);
        space();
        const next = json[i++];
        if (next === ']') return;
        if (next !== ',') fail('a comma or ]');
      }
    }
    if (c === '"') return void string();
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(json.slice(i));
    if (!literal) fail('a value');
    i += literal![0].length;
  };
  value('');
  space();
  if (i !== json.length) fail('the end');
  return repeated;
}

/** A workspace factory for a test file: every workspace it makes is removed after each test. */
export function workspacesPerTest(prefix?: string): () => Workspace {
  let spaces: Workspace[] = [];
  afterEach(() => {
    for (const w of spaces) w.cleanup();
    spaces = [];
  });
  return () => {
    const w = workspace(prefix);
    spaces.push(w);
    return w;
  };
}
