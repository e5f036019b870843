import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { RunLayout } from '../core/run-layout.js';
import { runListEntry, type RunListEntry } from '../core/run-list-entry.js';
import { summarizeRun, type RunSummary, type TimedEvent } from '../core/run-summary.js';
import type { JournalRead, RunMeta } from '../ports/run-store.js';
import { createFileRunStore } from './file-run-store.js';

const CHUNK = 1 << 20;
const END_CHUNK = 16 * 1024;

/** Thrown for a journal line that cannot be read and is not the last one: damage, not a crash mid-write. */
export class JournalDamage extends Error {}

/**
 * Reads a journal as a stream (1 MiB chunks, never the whole file at once): every event in order,
 * and whether its last line was torn by a crash mid-write (that line is left out).
 */
export async function readJournalEvents(file: string): Promise<JournalRead> {
  const events: TimedEvent[] = [];
  let rest = '';
  let lineNo = 0;
  let bad: number | undefined;
  const take = (line: string) => {
    lineNo++;
    if (line.trim() === '') return;
    // Only the last line can be torn; a bad line with more after it is damage worth stopping for.
    if (bad !== undefined) throw new JournalDamage(`${file}:${bad}: unreadable journal line`);
    let event: TimedEvent;
    try {
      event = JSON.parse(line) as TimedEvent;
    } catch {
      bad = lineNo;
      return;
    }
    events.push(event);
  };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK });
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      take(text.slice(from, nl));
      from = nl + 1;
    }
    rest = text.slice(from);
  }
  if (rest !== '') take(rest);
  return { events, tornLine: bad !== undefined };
}

function readAt(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.toString('utf8', 0, read);
}

function parse(line: string): TimedEvent | undefined {
  try {
    return JSON.parse(line) as TimedEvent;
  } catch {
    return undefined;
  }
}

/**
 * The first and the last readable events of a journal, reading only its head and its tail: enough
 * to tell when a run started and how it stands, however large its journal has grown.
 */
export function readJournalEnds(file: string): { first?: TimedEvent; last?: TimedEvent; tornLine: boolean } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let first: TimedEvent | undefined;
    for (let length = 4096; ; length *= 2) {
      const head = readAt(fd, 0, Math.min(length, size));
      const nl = head.indexOf('\n');
      if (nl !== -1 || length >= size) {
        first = parse(nl === -1 ? head : head.slice(0, nl));
        break;
      }
    }
    let last: TimedEvent | undefined;
    let tornLine = false;
    for (let length = END_CHUNK; ; length *= 2) {
      const start = Math.max(0, size - length);
      const lines = readAt(fd, start, size - start).split('\n');
      // A tail that starts mid-file starts mid-line: its first piece is not a whole line.
      if (start > 0) lines.shift();
      tornLine = false;
      let seenLine = false;
      for (let i = lines.length - 1; i >= 0 && !last; i--) {
        if (lines[i]!.trim() === '') continue;
        last = parse(lines[i]!);
        if (!last && !seenLine) tornLine = true;
        seenLine = true;
      }
      if (last || start === 0) break;
    }
    return { first, last, tornLine };
  } finally {
    closeSync(fd);
  }
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
export async function readRunSummary(dir: string, runId: string, options: { layout?: RunLayout; output?: boolean } = {}): Promise<{ meta: RunMeta; summary: RunSummary }> {
  const store = createFileRunStore(dir);
  const meta = store.readMeta(runId);
  const journal = await readJournalEvents(join(store.runDir(runId), 'events.jsonl'));
  const summary = summarizeRun(meta, journal.events, { layout: options.layout, includeOutput: options.output === true, tornLine: journal.tornLine });
  return { meta, summary };
}

/**
 * The past runs of one runbook (same path in run.json, or same runbook name), newest first,
 * summarized without their output; at most `limit` of them. Unreadable runs are left out.
 */
export async function readRunHistory(dir: string, runbook: { path: string; name: string }, options: { layout?: RunLayout; limit?: number } = {}): Promise<RunSummary[]> {
  const store = createFileRunStore(dir);
  const summaries: RunSummary[] = [];
  for (const runId of store.list().reverse()) {
    if (options.limit !== undefined && summaries.length >= options.limit) break;
    try {
      const meta = store.readMeta(runId);
      if (meta.runbook.path !== runbook.path && meta.runbook.name !== runbook.name) continue;
      const journal = await readJournalEvents(join(store.runDir(runId), 'events.jsonl'));
      summaries.push(summarizeRun(meta, journal.events, { layout: options.layout, tornLine: journal.tornLine }));
    } catch {
      continue;
    }
  }
  return summaries;
}
