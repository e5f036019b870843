import type { RunEvent } from '../core/model/run-event.js';
import { type MaskingStream, maskDeep, type SecretMasker } from '../core/secrets/secret-masker.js';
import type { EventSink } from '../ports/event-sink.js';

type Output = Extract<RunEvent, { kind: 'step.output' }>;

// Masked text is passed on in whole lines, as it came, unless a line grows past this.
const MAX_PENDING = 8 * 1024;

/**
 * Fans events out to several sinks, masking every secret value first. A command's output is
 * masked as one stream per step and stream, whatever its pieces: a tail that may be the start of
 * a secret is held back until the next piece, or until any other event (its exit) ends it.
 */
export function createMaskingSink(masker: SecretMasker, sinks: EventSink[]): EventSink {
  const streams = new Map<string, { step: string; item?: string; stream: Output['stream']; masking: MaskingStream; ready: string }>();
  const send = (event: RunEvent) => {
    for (const sink of sinks) sink.emit(event);
  };
  // An event of a step (or of one of its items) ends only that step's (or item's) streams: steps
  // and items running beside it go on printing, and a secret split across two of their pieces is
  // still held back whole. An event of no step (the run's end) ends them all.
  const endStreams = (event?: RunEvent) => {
    const step = event && 'step' in event ? (event as { step?: string }).step : undefined;
    const item = event && 'item' in event ? event.item : undefined;
    for (const [key, { step: from, item: of, stream, masking, ready }] of streams) {
      if (step !== undefined && (from !== step || of !== item)) continue;
      const text = ready + masking.end();
      if (text) send({ kind: 'step.output', step: from, ...(of !== undefined ? { item: of } : {}), stream, text });
      streams.delete(key);
    }
  };
  return {
    emit(event: RunEvent) {
      if (event.kind === 'step.output' && !masker.empty) {
        // One stream per item too: items of one step print side by side.
        const key = `${event.stream}\n${event.step}\n${event.item ?? ''}`;
        let entry = streams.get(key);
        if (!entry) streams.set(key, (entry = { step: event.step, item: event.item, stream: event.stream, masking: masker.stream(), ready: '' }));
        const ready = entry.ready + entry.masking.push(event.text);
        const cut = ready.lastIndexOf('\n');
        const end = cut >= 0 ? cut + 1 : ready.length >= MAX_PENDING ? ready.length : 0;
        entry.ready = ready.slice(end);
        if (end > 0) send({ ...event, text: ready.slice(0, end) });
        return;
      }
      endStreams(event);
      send(maskDeep(event, masker));
    },
    async close() {
      endStreams();
      for (const sink of sinks) await sink.close?.();
    },
  };
}
