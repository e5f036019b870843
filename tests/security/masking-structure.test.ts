// What is masked and what is not: text from outside is, the journal's own structure never is;
// the masking sink holds back a possible secret start until the stream goes on or ends.
import { describe, expect, it } from 'vitest';
import { createMaskingSink } from '../../src/adapters/masking-sink.js';
import type { RunEvent } from '../../src/core/model/run-event.js';
import { bytesToSecret, displayForm, printfEscaped, secretBytes } from '../../src/core/secrets/secret-bytes.js';
import { createMasker, maskDeep, maskSnapshot } from '../../src/core/secrets/secret-masker.js';

describe('structure is never masked', () => {
  for (const word of ['import', 'failed', 'done', 'step', 'pool', 'output']) {
    it(`a secret "${word}" changes no id, status or event name`, () => {
      const m = createMasker(new Map([['w', word]]));
      const finished = {
        kind: 'step.finished',
        step: 'import-pool',
        position: '1.1',
        status: 'failed',
        via: 'operator',
        attempts: 1,
        durationMs: 3,
        reason: `failed: import-pool done output step`,
      } as const;
      const masked = maskDeep(finished, m);
      expect({ ...masked, reason: undefined }).toEqual({ ...finished, reason: undefined });
      expect(masked.reason).toContain(`[secret:w]`);
      const snapshot = {
        status: 'active',
        value: { step: 'failed' },
        context: { position: 0, current: 'import-pool', record: { status: 'failed', attempts: 1, reason: `output ${word}` }, tally: { done: 0, skipped: 0, failed: 0 }, outcome: 'failed' },
      };
      const saved = maskSnapshot(snapshot, m);
      expect(saved.value).toEqual(snapshot.value);
      expect(saved.context.current).toBe('import-pool');
      expect(saved.context.record.status).toBe('failed');
      expect(saved.context.record.reason).toBe('output [secret:w]'.replace('output', word === 'output' ? '[secret:w]' : 'output'));
    });
  }
});

describe('masking sink', () => {
  it('a secret split over many output events of one stream is masked whole; held text comes out at the exit', () => {
    const seen: RunEvent[] = [];
    const sink = createMaskingSink(createMasker(new Map([['k', 'ab\ncd-secret']])), [{ emit: (e) => seen.push(e) }]);
    for (const text of ['x ab', '\n', 'cd-sec', 'ret y\n', 'trailing ab']) sink.emit({ kind: 'step.output', step: 's', stream: 'stdout', text });
    sink.emit({ kind: 'step.output', step: 's', stream: 'stderr', text: 'err\n' });
    sink.emit({ kind: 'step.exited', step: 's', attempt: 1, exitCode: 0, timedOut: false, durationMs: 1 });
    const out = seen
      .filter((e): e is Extract<RunEvent, { kind: 'step.output' }> => e.kind === 'step.output' && e.stream === 'stdout')
      .map((e) => e.text)
      .join('');
    expect(out).toBe('x [secret:k] y\ntrailing ab');
    expect(seen.at(-1)!.kind).toBe('step.exited');
  });

  it('steps side by side: events of another step in between do not cut a secret split over two pieces', () => {
    const seen: RunEvent[] = [];
    const sink = createMaskingSink(createMasker(new Map([['k', 'hunter2-secret']])), [{ emit: (e) => seen.push(e) }]);
    sink.emit({ kind: 'step.output', step: 'a', stream: 'stdout', text: 'token hunter2' });
    // Step b starts, prints and ends while a's piece is held.
    sink.emit({ kind: 'step.started', step: 'b', position: '2.1', title: 'b', phase: 'p2', action: 'run' });
    sink.emit({ kind: 'step.output', step: 'b', stream: 'stdout', text: 'b says hi\n' });
    sink.emit({ kind: 'step.exited', step: 'b', attempt: 1, exitCode: 0, timedOut: false, durationMs: 1 });
    sink.emit({ kind: 'step.output', step: 'a', stream: 'stdout', text: '-secret done\n' });
    sink.emit({ kind: 'step.exited', step: 'a', attempt: 1, exitCode: 0, timedOut: false, durationMs: 1 });
    const text = (step: string) =>
      seen
        .filter((e): e is Extract<RunEvent, { kind: 'step.output' }> => e.kind === 'step.output' && e.step === step)
        .map((e) => e.text)
        .join('');
    expect(text('a')).toBe('token [secret:k] done\n');
    expect(text('b')).toBe('b says hi\n');
    expect(JSON.stringify(seen)).not.toContain('hunter2');
  });
});

describe('raw secret bytes', () => {
  it('bytes that are not UTF-8 survive the round trip and become printf escapes', () => {
    const raw = Uint8Array.from([0xff, 0x41, 0xc3, 0xa9, 0x80, 0x5c, 0x0a, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80]);
    const value = bytesToSecret(raw);
    expect([...secretBytes(value)]).toEqual([...raw]);
    expect(printfEscaped(value)).toBe('\\xffA\\xc3\\xa9\\x80\\x5c\\x0a\\xf0\\x9f\\x98\\x80\\xed\\xa0\\x80');
    expect(displayForm(value)).toBe(new TextDecoder().decode(raw));
    expect(displayForm('plain é')).toBe('plain é');
  });
});
