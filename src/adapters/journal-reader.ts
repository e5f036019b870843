import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { RunLayout } from '../core/review/run-layout.js';
import { type RunListEntry, runListEntry } from '../core/review/run-list-entry.js';
import { type RunSummary, startRunSummary, type TimedEvent } from '../core/review/run-summary.js';
import type { JournalRead, RunMeta } from '../ports/run-store.js';
import { createFileRunStore } from './file-run-store.js';
import { readJournalEnds } from './journal-ends.js';
import { parseJournalLine } from './journal-record.js';

export { journalStatus, readJournalEnds } from './journal-ends.js';

const CHUNK = 1 << 20;

// Only the key can hold this text unescaped: inside a JSON string its quotes would be escaped.
const OUTPUT_LINE = '"kind":"step.output"';
const STEP_KEY = '"step":"';
const TEXT_KEY = '"text":"';

/** A journal read back, with (when its output was not wanted) the lines of output of each step, counted. */
export interface JournalScan extends JournalRead {
  outputLines?: Map<string, number>;
  /** Lines (1-based) in the middle of the journal that could not be read, and were read past. */
  damaged?: number[];
}

/**
 * Counts the lines of a step.output journal line's text without parsing it: a `\n` escape is a
 * newline unless its backslash is itself escaped. The keys are found wherever they are (a quote
 * inside a JSON string is escaped, so `"step":"` can only be a key). Undefined when the line is
 * not whole or lacks them; it is then parsed.
 */
function tallyOutput(line: string): { step: string; lines: number } | undefined {
  if (!line.endsWith('}')) return undefined;
  const stepAt = line.indexOf(STEP_KEY);
  const stepEnd = stepAt === -1 ? -1 : line.indexOf('"', stepAt + STEP_KEY.length);
  const textAt = stepEnd === -1 ? -1 : line.indexOf(TEXT_KEY);
  if (textAt === -1) return undefined;
  const textStart = textAt + TEXT_KEY.length;
  let close = textStart;
  for (;;) {
    close = line.indexOf('"', close);
    if (close === -1) return undefined;
    let slashes = 0;
    while (line.charCodeAt(close - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) break;
    close++;
  }
  let lines = 0;
  let endsWithNewline = false;
  for (let at = line.indexOf('\\n', textStart); at !== -1 && at < close; at = line.indexOf('\\n', at + 2)) {
    let slashes = 1;
    while (line.charCodeAt(at - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 1) {
      lines++;
      endsWithNewline = at + 2 === close;
    }
  }
  if (close > textStart && !endsWithNewline) lines++;
  return { step: line.slice(stepAt + STEP_KEY.length, stepEnd), lines };
}

const timeOf = (line: string) => {
  const at = line.indexOf('"time":"');
  return at === -1 ? undefined : line.slice(at + 8, line.indexOf('"', at + 8));
};

/**
 * Reads a journal as a stream (1 MiB chunks, never the whole file at once), handing each event on
 * as it is read, so that no more than a chunk of it is held. Tells at the end whether its last
 * line was torn by a crash mid-write (that line is left out). With `output: false`, step.output
 * lines (most of a big journal) are not parsed, only counted per step; the last one before a
 * (re)start or the end is handed on, textless, for its time.
 */
export async function scanJournal(file: string, onEvent: (event: TimedEvent) => void, options: { output?: boolean } = {}): Promise<Omit<JournalScan, 'events'>> {
  const skipOutput = options.output === false;
  const outputLines = new Map<string, number>();
  let lineNo = 0;
  let bad: number | undefined;
  let lastOutput: string | undefined;
  const damaged: number[] = [];
  const keepLastOutput = () => {
    const tally = lastOutput === undefined ? undefined : tallyOutput(lastOutput);
    if (tally) onEvent({ kind: 'step.output', step: tally.step, stream: 'stdout', text: '', time: timeOf(lastOutput!) });
    lastOutput = undefined;
  };
  const take = (line: string) => {
    lineNo++;
    if (line.trim() === '') return;
    // Only the last line can be torn; a bad line with more after it is damage: noted, and read past.
    if (bad !== undefined) {
      damaged.push(bad);
      bad = undefined;
    }
    if (skipOutput && line.includes(OUTPUT_LINE)) {
      const tally = tallyOutput(line);
      if (tally) {
        outputLines.set(tally.step, (outputLines.get(tally.step) ?? 0) + tally.lines);
        lastOutput = line;
        return;
      }
    }
    const event = parseJournalLine(line);
    if (event === undefined) {
      bad = lineNo;
      return;
    }
    // A session's end is its last event: an output line's time matters right before a resume.
    if (event.kind === 'run.started' || event.kind === 'run.resumed') keepLastOutput();
    else lastOutput = undefined;
    onEvent(event);
  };
  let rest = '';
  // Decoded as UTF-8 by the stream, so a character split between two chunks stays whole.
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK }) as AsyncIterable<string>) {
    const text = rest + chunk;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      take(text.slice(from, nl));
      from = nl + 1;
    }
    rest = text.slice(from);
  }
  if (rest !== '') take(rest);
  keepLastOutput();
  return { tornLine: bad !== undefined, outputLines: skipOutput ? outputLines : undefined, damaged };
}

/** Reads a whole journal into memory (see scanJournal): for small journals and tests. */
export async function readJournalEvents(file: string, options: { output?: boolean } = {}): Promise<JournalScan> {
  const events: TimedEvent[] = [];
  const end = await scanJournal(file, (event) => events.push(event), options);
  return { events, ...end };
}

/** Every run in a logs folder as a list entry, newest first; runs whose files cannot be read are counted, not fatal. */
export function listRunEntries(dir: string): { entries: RunListEntry[]; unreadable: string[] } {
  const store = createFileRunStore(dir);
  const entries: RunListEntry[] = [];
  const unreadable: string[] = [];
  for (const runId of store.list()) {
    try {
      entries.push(runListEntry(store.readMeta(runId), readJournalEnds(join(store.runDir(runId), 'events.jsonl'))));
    } catch {
      unreadable.push(runId);
    }
  }
  entries.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : b.runId.localeCompare(a.runId)));
  return { entries, unreadable };
}

/** Reads one run whole: its metadata and its journal, summarized. */
export async function readRunSummary(
  dir: string,
  runId: string,
  options: { layout?: RunLayout; output?: boolean } = {},
): Promise<{ meta: RunMeta; summary: RunSummary; damaged: number[]; journal: string }> {
  const store = createFileRunStore(dir);
  const meta = store.readMeta(runId);
  const summarizer = startRunSummary(meta, { layout: options.layout, includeOutput: options.output === true });
  const journal = join(store.runDir(runId), 'events.jsonl');
  const end = await scanJournal(journal, summarizer.add, { output: options.output === true });
  return { meta, summary: summarizer.finish(end), damaged: end.damaged ?? [], journal };
}

/**
 * The past runs of one runbook (same path in run.json, or same runbook name), newest first,
 * summarized from their journals without output lines; at most `limit` of them. Unreadable runs
 * are left out.
 */
export async function readRunHistory(dir: string, runbook: { path: string; name: string }, options: { layout?: RunLayout; limit?: number } = {}): Promise<RunSummary[]> {
  const store = createFileRunStore(dir);
  const summaries: RunSummary[] = [];
  for (const runId of store.list().reverse()) {
    if (options.limit !== undefined && summaries.length >= options.limit) break;
    try {
      const meta = store.readMeta(runId);
      if (meta.runbook.path !== runbook.path && meta.runbook.name !== runbook.name) continue;
      const summarizer = startRunSummary(meta, { layout: options.layout });
      summaries.push(summarizer.finish(await scanJournal(join(store.runDir(runId), 'events.jsonl'), summarizer.add, { output: false })));
    } catch {}
  }
  return summaries;
}
