import type { RunEvent } from '../core/model/run-event.js';
import type { TimedEvent } from '../core/review/run-summary.js';

/** One journal line before pino writes it: its level label, its message, and the event's other fields. */
export interface JournalRecord {
  level: 'info' | 'warn';
  msg: string;
  fields: Record<string, unknown>;
}

const PINO_WARN = 40;

/** The one-line message of an event, as `pino-pretty` (or any pino tool) shows it. */
function messageOf(event: RunEvent): string {
  switch (event.kind) {
    case 'run.started':
      return `run ${event.runId} of ${event.runbook.name} started: ${event.steps} step(s)${event.dryRun ? ', dry run' : ''}`;
    case 'run.resumed':
      return `run ${event.runId} resumed by ${event.operator}@${event.hostname}${event.at ? ` at ${event.at}` : ''}`;
    case 'step.started':
      return `${event.position} ${event.title}: started`;
    case 'step.attempt':
      return `${event.step}: attempt ${event.attempt}${event.host ? ` on ${event.host}` : ''}`;
    case 'wait.pending':
      return `${event.step}: waiting for ${event.check}`;
    case 'step.spawned':
      return `${event.step}: command started, pid ${event.pid}`;
    case 'step.output':
      return `${event.step}: ${event.stream}`;
    case 'step.exited':
      return `${event.step}: command ${event.timedOut ? 'timed out' : event.signal ? `killed by ${event.signal}` : `exited ${event.exitCode ?? '?'}`}`;
    case 'check.passed':
      return `${event.step}: ${event.set} check passed: ${event.check}`;
    case 'check.failed':
      return `${event.step}: ${event.set} check failed: ${event.check} (${event.reason})`;
    case 'operator.choice':
      return `${event.step}: ${event.menu} → ${event.choice} (by ${event.by})`;
    case 'shell.opened':
      return `${event.step}: shell opened ${event.where}`;
    case 'shell.closed':
      return `${event.step}: shell closed ${event.where}`;
    case 'step.finished':
      return `${event.position} ${event.status}${event.via ? ` (${event.via})` : ''}${event.reason ? `: ${event.reason}` : ''}`;
    case 'run.note':
      return event.message;
    case 'step.items':
      return `${event.step}: ${event.keys.length} item(s), ${event.pending} to run`;
    case 'item.finished':
      return `${event.step} [${event.item}]: ${event.status}${event.reason ? `: ${event.reason}` : ''}`;
    case 'step.decided':
      return `${event.step}: ${event.applies ? 'applies' : 'not applicable'}`;
    case 'step.captured':
      return `${event.step}: ${event.by ? 'answered' : 'captured'} ${Object.keys(event.values).join(', ')}`;
    case 'run.finished':
      return `run ${event.status}${event.message ? `: ${event.message}` : ''}`;
  }
}

/**
 * How an event is written: standard pino fields (`level` once, `msg`), so pino tools read the
 * journal unaided; a note's own level and message become the line's level and message.
 */
export function toJournalRecord(event: RunEvent): JournalRecord {
  if (event.kind === 'run.note') {
    const { level, message, ...fields } = event;
    return { level, msg: message, fields };
  }
  const level = event.kind === 'step.finished' && event.status === 'failed' ? 'warn' : 'info';
  return { level, msg: messageOf(event), fields: { ...event } };
}

const isWarn = (level: unknown) => (typeof level === 'number' ? level >= PINO_WARN : level === 'warn' || level === 'error' || level === 'fatal');

/**
 * The event a parsed journal line holds, whatever the order of its keys, in the current form
 * (`msg`, one `level`) and the earlier one (`message`, a note's level after pino's); undefined
 * for a line that is no event (not an object, no kind): damage.
 */
export function fromJournalRecord(record: unknown): TimedEvent | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const { level, msg, ...fields } = record as Record<string, unknown>;
  if (typeof fields.kind !== 'string') return undefined;
  if (fields.kind === 'run.note') {
    const message = typeof fields.message === 'string' ? fields.message : typeof msg === 'string' ? msg : '';
    return { ...fields, level: isWarn(level) ? 'warn' : 'info', message } as TimedEvent;
  }
  return (level === undefined ? fields : { level, ...fields }) as TimedEvent;
}

/** Parses one journal line into its event; undefined when it is not whole JSON or no event. */
export function parseJournalLine(line: string): TimedEvent | undefined {
  try {
    return fromJournalRecord(JSON.parse(line));
  } catch {
    return undefined;
  }
}
