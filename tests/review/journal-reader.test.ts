// The streamed journal reader and the head-and-tail reader of `logs list`, on real files: chunk
// boundaries, long lines, torn and damaged lines, and characters split between chunks.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJournalEnds, readJournalEvents } from '../../src/adapters/journal-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const file = (lines: string[], tail = '') => {
  const path = join(dir, `j${n++}.jsonl`);
  writeFileSync(path, lines.map((l) => `${l}\n`).join('') + tail);
  return path;
};
const event = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 'info', time: new Date(Date.UTC(2026, 10, 25, 10, 0, 0, i)).toISOString(), runId: 'r', kind: 'step.output', step: 's', stream: 'stdout', text: `line ${i}\n`, ...extra });

describe('readJournalEvents', () => {
  it('reads a journal over several 1 MiB chunks, characters split between chunks included', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => event(i, { text: `ünïcødé ✔ ${'€'.repeat(i % 7)} ${i}\n` }));
    const read = await readJournalEvents(file(lines));
    expect(read.tornLine).toBe(false);
    expect(read.events).toHaveLength(30_000);
    expect((read.events[29_999] as { text: string }).text).toBe(`ünïcødé ✔ ${'€'.repeat(29_999 % 7)} 29999\n`);
  });

  it('leaves out a torn last line and says so; a bad line with more after it is damage', async () => {
    const torn = await readJournalEvents(file([event(1), event(2)], '{"level":"info","time":"2026-'));
    expect(torn).toMatchObject({ tornLine: true });
    expect(torn.events).toHaveLength(2);
    // A damaged middle line is left out and its number reported, so `logs` can show the rest and then say so.
    const damaged = await readJournalEvents(file([event(1), '{"broken', event(3)]));
    expect(damaged.damaged).toEqual([2]);
    expect(damaged.events.map((e) => (e as { text: string }).text)).toEqual(['line 1\n', 'line 3\n']);
  });

  it('with output: false, counts output lines per step without parsing them, exactly as parsing would', async () => {
    const texts = ['one\n', 'two\nthree\n', 'no newline at the end', '', 'a backslash then n: \\n, not a newline\n', 'ends in a backslash \\', 'quotes " and \\" inside\n', '\n\n\n'];
    const lines = texts.map((text, i) => event(i, { step: i % 2 ? 'odd' : 'even', text }));
    const other = JSON.stringify({ level: 'info', time: '2026-11-25T10:00:00.000Z', runId: 'r', kind: 'run.note', message: 'says "kind":"step.output" in its text' });
    const read = await readJournalEvents(file([...lines, other]), { output: false });
    const count = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    const expected = new Map<string, number>();
    texts.forEach((text, i) => {
      expected.set(i % 2 ? 'odd' : 'even', (expected.get(i % 2 ? 'odd' : 'even') ?? 0) + count(text));
    });
    expect(read.outputLines).toEqual(expected);
    expect(read.events.map((e) => e.kind)).toEqual(['run.note']);
  });

  it('with output: false, keeps the time of the last output line before a resume and at the end', async () => {
    const resumed = JSON.stringify({ level: 'info', time: '2026-11-25T11:00:00.000Z', runId: 'r', kind: 'run.resumed', operator: 'ann' });
    const read = await readJournalEvents(file([event(1), event(2), resumed, event(3), event(4)]), { output: false });
    expect(read.events.map((e) => [e.kind, e.time])).toEqual([
      ['step.output', event(2).match(/"time":"([^"]+)"/)![1]],
      ['run.resumed', '2026-11-25T11:00:00.000Z'],
      ['step.output', event(4).match(/"time":"([^"]+)"/)![1]],
    ]);
    // A torn output line at the end is still a torn line.
    const torn = await readJournalEvents(file([event(1)], event(2).slice(0, 60)), { output: false });
    expect(torn.tornLine).toBe(true);
  });
});

describe('readJournalEnds', () => {
  it('reads the first and the last event, however long the lines in between', () => {
    const long = event(5, { text: `${'x'.repeat(200_000)}\n` });
    const ends = readJournalEnds(file([event(0, { kind: 'run.started' }), ...Array.from({ length: 500 }, (_, i) => event(i + 1)), long]));
    expect(ends.first?.kind).toBe('run.started');
    expect((ends.last as { text: string }).text.length).toBe(200_001);
    expect(ends.tornLine).toBe(false);
  });

  it('skips a torn last line (even one longer than the tail it first reads) and says so', () => {
    const torn = readJournalEnds(file([event(0), event(1)], `{"level":"info","text":"${'y'.repeat(40_000)}`));
    expect(torn.tornLine).toBe(true);
    expect(torn.last?.time).toBe(new Date(Date.UTC(2026, 10, 25, 10, 0, 0, 1)).toISOString());
  });

  it('an empty journal (a run that died before its first event) has no ends', () => {
    expect(readJournalEnds(file([]))).toEqual({ first: undefined, last: undefined, tornLine: false });
  });

  it('a journal of one torn line', () => {
    const path = file([]);
    appendFileSync(path, '{"level":"in');
    expect(readJournalEnds(path)).toEqual({ first: undefined, last: undefined, tornLine: true });
  });
});
