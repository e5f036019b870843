// Shared pieces of the durability tests: temp folders, generated runbooks, the real `lifeboat`
// binary as a child process, and triggers that watch a run's journal (or its output file) to kill
// or interrupt it at a chosen moment. Nothing here mocks anything: every run is a real process.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { fromJournalRecord } from '../../src/adapters/journal-record.js';
import { RUN_ID_PATTERN } from '../../src/core/model/run-id.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/lifeboat.js');

/** Generous: only there to turn a hang into a failure, never to judge speed. */
export const HANG_MS = 90_000;

// ---------------------------------------------------------------------------------------------
// Temp folders

const made: string[] = [];
const immutable: string[] = [];

/** A fresh temp folder, removed by cleanupTemp(). */
export function tempDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lifeboat-durable-${tag}-`));
  made.push(dir);
  return dir;
}

/** Marks a path immutable (`chattr +i`: even root cannot write it); false when the file system cannot. */
export function makeImmutable(path: string): boolean {
  try {
    execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
    immutable.push(path);
    return true;
  } catch {
    return false;
  }
}

export function clearImmutable(path: string): void {
  try {
    execFileSync('chattr', ['-i', path], { stdio: 'ignore' });
  } catch {
    // already mutable, or gone
  }
}

/** Removes every temp folder made so far (and any chattr +i left on paths inside them). */
export function cleanupTemp(): void {
  for (const path of immutable.splice(0)) clearImmutable(path);
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Runbooks

const q = (s: string) => JSON.stringify(s);

export interface StepSpec {
  id: string;
  run: string;
  verify?: string[];
  idempotent?: boolean;
  onFailure?: 'stop' | 'continue';
}

/** A runbook's YAML from phases of steps (every phase needs the one before it). */
export function runbookYaml(name: string, phases: StepSpec[][]): string {
  const out = [`name: ${name}`, 'phases:'];
  phases.forEach((steps, p) => {
    out.push(`  - id: p${p + 1}`, `    title: ${q(`Phase ${p + 1}`)}`);
    if (p > 0) out.push(`    needs: [p${p}]`);
    out.push('    steps:');
    for (const step of steps) {
      out.push(`      - id: ${step.id}`, `        title: ${q(`Step ${step.id}`)}`, `        run: ${q(step.run)}`);
      if (step.idempotent) out.push('        idempotent: true');
      if (step.onFailure) out.push(`        on_failure: ${step.onFailure}`);
      if (step.verify?.length) {
        out.push('        verify:');
        for (const check of step.verify) out.push(`          - run: ${q(check)}`);
      }
    }
  });
  return `${out.join('\n')}\n`;
}

/** Shell-quotes a path for use inside generated commands. */
export const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A step that appends `line<n>` to `out` after a short sleep, and verifies that line. */
export function lineStep(n: number, out: string, options: { idempotent?: boolean; checkSleep?: number; cmdSleep?: number } = {}): StepSpec {
  const cmdSleep = options.cmdSleep ?? 0.05;
  const checkSleep = options.checkSleep ?? 0;
  return {
    id: `s${n}`,
    run: `sleep ${cmdSleep}; echo line${n} >> ${sh(out)}`,
    idempotent: options.idempotent ?? true,
    verify: [`${checkSleep ? `sleep ${checkSleep}; ` : ''}grep -qx line${n} ${sh(out)}`],
  };
}

/**
 * A step whose command waits until `gate` exists, then appends `line<n>`: it stays "during its
 * command" for as long as the test wants, with no timing involved.
 */
export function gatedStep(n: number, out: string, gate: string, idempotent: boolean): StepSpec {
  return {
    id: `s${n}`,
    run: `while [ ! -e ${sh(gate)} ]; do sleep 0.02; done; echo line${n} >> ${sh(out)}`,
    idempotent,
    verify: [`grep -qx line${n} ${sh(out)}`],
  };
}

/** The 30-step line runbook in three phases of ten; `override` replaces given steps. */
export function thirtyLines(out: string, override: Record<number, StepSpec> = {}, checkSleep = 0.05): StepSpec[][] {
  return lineRunbook(30, out, override, checkSleep);
}

/**
 * A line runbook of `count` steps in phases of ten (the last one shorter), for a test that needs a
 * run that goes on for a while but not the thirty steps the kill tests land in.
 */
export function lineRunbook(count: number, out: string, override: Record<number, StepSpec> = {}, checkSleep = 0.05): StepSpec[][] {
  const steps = Array.from({ length: count }, (_, i) => override[i + 1] ?? lineStep(i + 1, out, { checkSleep }));
  return Array.from({ length: Math.ceil(count / 10) }, (_, p) => steps.slice(p * 10, p * 10 + 10));
}

/** Writes a runbook, plus an empty steps folder, into `dir`; returns both paths. */
export function writeRunbook(dir: string, name: string, phases: StepSpec[][], file = 'runbook.yaml'): { file: string; steps: string } {
  const path = join(dir, file);
  writeFileSync(path, runbookYaml(name, phases));
  const steps = join(dir, 'steps');
  mkdirSync(steps, { recursive: true });
  return { file: path, steps };
}

// ---------------------------------------------------------------------------------------------
// The binary

/** The environment the CLI gets: no colours, and no LIFEBOAT_LOGS from whoever runs the tests. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'LIFEBOAT_LOGS') env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

export type Lifeboat = ResultPromise<{ reject: false; all: true; stdin: 'ignore' }>;

/** Starts `lifeboat ARGS` (not awaited), with stdin not a terminal; `umask` runs it under that umask (via sh). */
export function start(args: string[], options: { cwd?: string; env?: Record<string, string>; umask?: string; hangMs?: number } = {}): Lifeboat {
  const [file, argv] = options.umask ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  return execa(file, argv, {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: options.hangMs ?? HANG_MS,
    killSignal: 'SIGKILL',
  }) as Lifeboat;
}

export interface Finished {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
  all: string;
}

export async function finish(child: Lifeboat): Promise<Finished> {
  const r = await child;
  if (r.timedOut) throw new Error(`${r.command} hung (killed by the hang guard)\n${r.all}`);
  return { code: r.exitCode ?? -1, signal: r.signal ?? undefined, stdout: String(r.stdout), stderr: String(r.stderr), all: String(r.all) };
}

/** Runs `lifeboat ARGS` to its end. */
export async function lifeboat(args: string[], options: { cwd?: string; env?: Record<string, string>; umask?: string; hangMs?: number } = {}): Promise<Finished> {
  return finish(start(args, options));
}

// ---------------------------------------------------------------------------------------------
// Runs on disk

export interface JournalEvent {
  kind: string;
  step?: string;
  time?: string;
  [key: string]: unknown;
}

/** The run folders under a logs folder, oldest first. */
export function runIds(logs: string): string[] {
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((name) => RUN_ID_PATTERN.test(name) && statSync(join(logs, name)).isDirectory())
    .sort();
}

/** The one run in a logs folder, if any. */
export function onlyRun(logs: string): string | undefined {
  const ids = runIds(logs);
  if (ids.length > 1) throw new Error(`expected at most one run in ${logs}, found ${ids.join(', ')}`);
  return ids[0];
}

export function journalFile(logs: string, runId: string): string {
  return join(logs, runId, 'events.jsonl');
}

/** Size of a file in bytes, 0 when absent. */
export function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The events of a journal from byte `from` on. Lines that do not parse are returned in `bad`
 * (a line being written while we read, at the very end, is not counted as bad).
 */
export function readEvents(file: string, from = 0): { events: JournalEvent[]; bad: string[] } {
  if (!existsSync(file)) return { events: [], bad: [] };
  const text = readFileSync(file).subarray(from).toString('utf8');
  // A line being written while we read (no line break yet, at the very end) is not counted as bad.
  return readLines(text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1));
}

/** Lines of a text file (no trailing empty line); [] when it does not exist. */
export function linesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

// ---------------------------------------------------------------------------------------------
// Triggers

/**
 * When to act on a running lifeboat: when its journal shows an event (of a kind, for a step,
 * optionally with a message containing some text) after the offset the watch started at, when the
 * output file has `lines` lines, or `delayMs` after its journal's first event (so the run exists).
 */
export type Trigger = { event: string; step?: string; message?: string } | { lines: number } | { delayMs: number };

export function describeTrigger(t: Trigger): string {
  if ('event' in t) return `on ${t.event}${t.step ? ` of ${t.step}` : ''}${t.message ? ` "${t.message}"` : ''}`;
  if ('lines' in t) return `when the file has ${t.lines} line(s)`;
  return `${t.delayMs} ms after the run started`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Watch {
  logs: string;
  /** The output file the steps append to (for `lines` triggers). */
  out?: string;
  /** Only journal bytes from here on count (a resume appends to the journal of the run it resumes). */
  journalFrom?: number;
  runId?: string;
}

/**
 * The events of a journal as it grows, read from a byte offset on: each poll reads only the bytes
 * added since the last one, and parses only the lines they complete. (Polling every few ms, reading
 * and parsing the whole journal each time cost more CPU than the run being watched.)
 */
class JournalTail {
  readonly events: JournalEvent[] = [];
  private carry = '';

  private offset: number;

  constructor(
    private readonly file: string,
    private readonly from: number,
  ) {
    this.offset = from;
  }

  /** Reads what was appended since the last call; returns the events so far. */
  poll(): JournalEvent[] {
    const size = sizeOf(this.file);
    if (size < this.offset) {
      // Cut shorter than what was read (a torn tail cut off): read it again from the start.
      this.events.length = 0;
      this.carry = '';
      this.offset = this.from;
    }
    if (size <= this.offset) return this.events;
    const fd = openSync(this.file, 'r');
    let chunk: Buffer;
    try {
      chunk = Buffer.alloc(size - this.offset);
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      chunk = chunk.subarray(0, read);
    } finally {
      closeSync(fd);
    }
    this.offset += chunk.length;
    // A line break is one byte of its own in UTF-8: the text up to the last one is whole characters.
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) {
      this.carry += chunk.toString('latin1');
      return this.events;
    }
    const text = Buffer.concat([Buffer.from(this.carry, 'latin1'), chunk.subarray(0, end + 1)]).toString('utf8');
    this.carry = chunk.subarray(end + 1).toString('latin1');
    this.events.push(...readLines(text).events);
    return this.events;
  }
}

/** The events of whole journal lines (each ending in a line break); lines that do not parse are `bad`. */
function readLines(text: string): { events: JournalEvent[]; bad: string[] } {
  const events: JournalEvent[] = [];
  const bad: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      // Read as the journal reader reads it: a note's level and message whatever form the line has.
      const event = fromJournalRecord(JSON.parse(line));
      if (event === undefined) throw new Error('no event');
      events.push(event as unknown as JournalEvent);
    } catch {
      bad.push(line);
    }
  }
  return { events, bad };
}

/** What a wait has seen so far: when the run's first event showed, and its journal as it grows. */
interface Seen {
  firstEventAt?: number;
  tail?: JournalTail;
}

function fired(trigger: Trigger, watch: Watch, seen: Seen): boolean {
  if ('lines' in trigger) return linesOf(watch.out!).length >= trigger.lines;
  if (!seen.tail) {
    const runId = watch.runId ?? runIds(watch.logs).at(-1);
    if (!runId) return false;
    seen.tail = new JournalTail(journalFile(watch.logs, runId), watch.journalFrom ?? 0);
  }
  const events = seen.tail.poll();
  if ('delayMs' in trigger) {
    if (events.length === 0) return false;
    seen.firstEventAt ??= Date.now();
    return Date.now() - seen.firstEventAt >= trigger.delayMs;
  }
  return events.some(
    (e) => e.kind === trigger.event && (trigger.step === undefined || e.step === trigger.step) && (trigger.message === undefined || String(e.message ?? '').includes(trigger.message)),
  );
}

/**
 * Waits until the trigger fires (polling every few ms), then returns 'fired'; returns 'exited'
 * if the process ended first. Throws after HANG_MS.
 */
export async function waitFor(child: Lifeboat, trigger: Trigger, watch: Watch): Promise<'fired' | 'exited'> {
  let exited = false;
  void child.then(() => (exited = true));
  const seen: Seen = {};
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    if (fired(trigger, watch, seen)) return 'fired';
    if (exited) return 'exited';
    if (Date.now() > deadline) throw new Error(`trigger ${describeTrigger(trigger)} never fired`);
    await pause(3);
  }
}

/** Waits for the trigger, then sends the signal; says whether the process was still there to get it. */
export async function signalAt(child: Lifeboat, trigger: Trigger, watch: Watch, signal: NodeJS.Signals = 'SIGKILL'): Promise<boolean> {
  const how = await waitFor(child, trigger, watch);
  if (how === 'exited') return false;
  // process.kill, not execa's kill(): nothing added (no SIGKILL after a grace period).
  try {
    process.kill(child.pid!, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group is alive (zombies included: they are still in the group). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills a process group outright and waits until the kernel has no live member of it. */
export async function killGroup(pgid: number): Promise<void> {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return;
  }
  const deadline = Date.now() + HANG_MS;
  while (groupAlive(pgid) && Date.now() < deadline) {
    // A member may linger as a zombie until its (re)parent reaps it; a dead one has state Z.
    if (groupOnlyZombies(pgid)) return;
    await pause(10);
  }
}

/** True when every process in the group is a zombie (dead, waiting to be reaped). */
export function groupOnlyZombies(pgid: number): boolean {
  let members = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      members++;
      if (fields[0] !== 'Z') return false;
    } catch {}
  }
  return members > 0;
}

/** The run.finished records of a journal, in order. */
export const finishes = (events: JournalEvent[]) => events.filter((e) => e.kind === 'run.finished');

/** The `Continue with: lifeboat resume …` command a run printed, as argv after `lifeboat`. */
export function continueCommand(output: string): string[] | undefined {
  // Options may carry a value (`--logs DIR`); paths here have no spaces or quotes.
  const match = /Continue with: (?:node \S+|npx lifeboat|lifeboat) (resume \S+(?: --\S+(?: [^-\s]\S*)?)*)\s*$/m.exec(output);
  return match ? match[1]!.split(' ') : undefined;
}

/**
 * Runs `resume --yes` until one is not killed: each trigger of `kills`, in order, kills one resume
 * (`killed` hears which round, and where its journal began). Returns how the last resume ended.
 */
export async function resumeUntilDone(
  on: { dir: string; logs: string; out?: string; journal: string; runId?: string },
  kills: readonly Trigger[],
  killed?: (round: number, from: number, end: Finished) => void,
): Promise<Finished> {
  const left = [...kills];
  for (let round = 0; ; round++) {
    const from = sizeOf(on.journal);
    const resume = start(['resume', '--yes', '--logs', on.logs], { cwd: on.dir });
    const trigger = left.shift();
    const again = trigger ? await signalAt(resume, trigger, { logs: on.logs, out: on.out, journalFrom: from, runId: on.runId }) : false;
    const end = await finish(resume);
    if (!again || round >= 9) return end;
    killed?.(round, from, end);
  }
}
