import type { RunEvent } from '../core/model/run-event.js';
import { terminalSafe } from '../core/text/terminal-safe.js';
import type { EventSink } from '../ports/event-sink.js';

/** A value with every string in it (nested ones too) terminal-safe: an event, a view of a step, a failure. */
export function terminalSafeValue<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map(terminalSafeValue) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, terminalSafeValue(v)])) as T;
  return value;
}

/** A screen that is given every text of an event terminal-safe; the journal keeps them as they were. */
export function terminalSafeScreen<S extends EventSink>(screen: S): S {
  return { ...screen, emit: (event: RunEvent) => screen.emit(terminalSafeValue(event)) };
}
