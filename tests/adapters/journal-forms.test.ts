// The journal as pino writes it now (msg, one level) and as earlier versions wrote it (message,
// a note's level after pino's), read by every reader (stream, head and tail, resume), whatever
// the order of the keys on a line.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJournalFile } from '../../src/adapters/file-run-store.js';
import { readJournalEnds, readJournalEvents } from '../../src/adapters/journal-reader.js';
import { createPinoJournal } from '../../src/adapters/pino-journal.js';
import type { RunEvent } from '../../src/core/model/run-event.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-forms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const file = (lines: string[]) => {
  const path = join(dir, `j${n++}.jsonl`);
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
  return path;
};

const events: RunEvent[] = [
  { kind: 'step.started', step: 's', position: '1.1', title: 'Import the pool', phase: 'p', action: 'run' },
  { kind: 'step.output', step: 's', stream: 'stdout', text: 'one\ntwo\n' },
  { kind: 'run.note', level: 'warn', message: 'the run lock was lost (its file was removed)' },
  { kind: 'run.note', level: 'info', message: 'a plain note', step: 's' },
  { kind: 'step.finished', step: 's', position: '1.1', status: 'failed', attempts: 1, durationMs: 5 },
  { kind: 'run.finished', status: 'failed', durationMs: 9, counts: { done: 0, skipped: 0, 'not-applicable': 0, failed: 1, pending: 0 }, message: 'Stopped at 1.1' },
];

/** What any reader must make of the events above, whichever form they were written in. */
const expected = [
  { kind: 'step.started', title: 'Import the pool' },
  { kind: 'step.output', text: 'one\ntwo\n' },
  { kind: 'run.note', level: 'warn', message: 'the run lock was lost (its file was removed)' },
  { kind: 'run.note', level: 'info', message: 'a plain note' },
  { kind: 'step.finished', status: 'failed' },
  { kind: 'run.finished', status: 'failed', message: 'Stopped at 1.1' },
];

/** A journal written by the real pino journal. */
function currentJournal(): string {
  const runDir = join(dir, `run${n++}`);
  mkdirSync(runDir);
  const journal = createPinoJournal(runDir, 'r');
  for (const event of events) journal.emit(event);
  void journal.close?.();
  return join(runDir, 'events.jsonl');
}

/** The same events as earlier versions wrote them: pino's level label first, `message` for notes. */
function oldJournal(): string {
  return file(
    events.map((event, i) => {
      const level = event.kind === 'run.note' ? event.level : event.kind === 'step.finished' ? 'warn' : 'info';
      return JSON.stringify({ level, time: `2026-11-25T10:00:00.00${i}Z`, runId: 'r', ...event });
    }),
  );
}

/** Each line's keys in reverse order: nothing may depend on where a key stands. */
function reversed(path: string): string {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return file(lines.map((line) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as Record<string, unknown>).reverse()))));
}

describe('the journal as written', () => {
  it("carries pino's standard fields: level exactly once, time, and a msg on every line", () => {
    const lines = readFileSync(currentJournal(), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(events.length);
    for (const line of lines) {
      expect(line.match(/"level":/g), line).toHaveLength(1);
      expect(line).toMatch(/"time":"\d{4}-\d\d-\d\dT/);
      expect(typeof (JSON.parse(line) as { msg?: unknown }).msg).toBe('string');
      expect(line).not.toContain('"message":"the run lock');
    }
    const parsed = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(parsed[2]).toMatchObject({ level: 'warn', msg: 'the run lock was lost (its file was removed)' });
    expect(parsed[3]).toMatchObject({ level: 'info', msg: 'a plain note' });
    expect(parsed[4]!.level).toBe('warn');
  });
});

describe.each([
  ['written now', currentJournal],
  ['written by earlier versions', oldJournal],
  ['written now, keys in reverse order', () => reversed(currentJournal())],
  ['written by earlier versions, keys in reverse order', () => reversed(oldJournal())],
])('a journal %s', (_name, make) => {
  it('is read the same by the streamed reader, with and without output', async () => {
    const path = make();
    expect((await readJournalEvents(path)).events).toMatchObject(expected);
    const counted = await readJournalEvents(path, { output: false });
    expect(counted.outputLines?.get('s')).toBe(2);
    expect(counted.damaged).toEqual([]);
    expect(counted.events.filter((e) => e.kind === 'run.note')).toMatchObject([expected[2], expected[3]]);
  });

  it('is read the same by the resume reader and by the head-and-tail reader', () => {
    const path = make();
    const read = readJournalFile(path);
    expect(read.tornLine).toBe(false);
    expect(read.events).toMatchObject(expected);
    const ends = readJournalEnds(path);
    expect(ends.first).toMatchObject(expected[0]!);
    expect(ends.last).toMatchObject(expected[5]!);
  });
});

describe('a line that is JSON but no event', () => {
  it('is damage, not a crash: read past by the streamed reader, refused with its line by the resume reader', async () => {
    const good = JSON.stringify({ level: 'info', time: '2026-11-25T10:00:00.000Z', runId: 'r', kind: 'step.started', step: 's', msg: 'started' });
    const path = file([good, 'null', '{"level":"info","msg":"no kind"}', good]);
    expect((await readJournalEvents(path)).damaged).toEqual([2, 3]);
    expect(() => readJournalFile(path)).toThrow(/:2: the run's journal is damaged/);
  });
});
