import type { RunEvent } from '../core/model/run-event.js';
import { terminalSafe } from '../core/text/terminal-safe.js';
import type { EventSink } from '../ports/event-sink.js';

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return terminalSafe(value);
  if (Array.isArray(value)) return value.map(safeValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeValue(v)]));
  return value;
}

/** A screen that is given every text of an event terminal-safe; the journal keeps them as they were. */
export function terminalSafeScreen<S extends EventSink>(screen: S): S {
  return { ...screen, emit: (event: RunEvent) => screen.emit(safeValue(event) as RunEvent) };
}
