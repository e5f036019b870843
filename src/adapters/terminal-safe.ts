import type { RunEvent } from '../core/model/run-event.js';
import { terminalSafe } from '../core/text/terminal-safe.js';
import type { EventSink } from '../ports/event-sink.js';

/** A value with every string in it (nested ones too) terminal-safe as text: a view of a step, a failure's summary. */
export function terminalSafeValue<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map(terminalSafeValue) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, terminalSafeValue(v)])) as T;
  return value;
}

/**
 * An event as a screen may show it: what a command printed (its output, a failing check's output)
 * terminal-safe as output, every other text terminal-safe as text. The journal keeps them as they were.
 */
export function terminalSafeEvent(event: RunEvent): RunEvent {
  if (event.kind === 'step.output') return { ...event, text: terminalSafe(event.text, 'output') };
  const safe = terminalSafeValue(event);
  if (event.kind === 'check.failed' && event.output !== undefined && safe.kind === 'check.failed') return { ...safe, output: terminalSafe(event.output, 'output') };
  return safe;
}

/** A screen that is given every event terminal-safe. */
export function terminalSafeScreen<S extends EventSink>(screen: S): S {
  return { ...screen, emit: (event: RunEvent) => screen.emit(terminalSafeEvent(event)) };
}
