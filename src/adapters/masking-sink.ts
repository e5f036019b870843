import type { RunEvent } from '../core/run-event.js';
import { maskDeep, type SecretMasker } from '../core/secret-masker.js';
import type { EventSink } from '../ports/event-sink.js';

/** Fans events out to several sinks, masking every secret value first. */
export function createMaskingSink(masker: SecretMasker, sinks: EventSink[]): EventSink {
  return {
    emit(event: RunEvent) {
      const masked = maskDeep(event, masker);
      for (const sink of sinks) sink.emit(masked);
    },
    async close() {
      for (const sink of sinks) await sink.close?.();
    },
  };
}
