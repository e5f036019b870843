import type { RunEvent } from '../core/model/run-event.js';
import { formatDuration } from '../core/text/duration.js';
import { counted } from '../core/text/plural.js';
import { countsText, shownValue } from '../core/views/run-counts-text.js';
import type { EventSink } from '../ports/event-sink.js';

/** A step's value by its id: a Map, or a lookup into the plan's own steps (no copy per screen). */
export interface ByStep<T> {
  get(step: string): T | undefined;
}

/** What the screens need to know besides the events: positions and titles by step id. */
export interface ScreenInfo {
  positions: ByStep<string>;
  /** Step titles: a command already shown as the title is not shown again. */
  titles?: ByStep<string>;
}

function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

/** Writes one plain line: the time, the step's position (or blanks), a tag and the text. */
type Line = (step: string | undefined, tag: string, text: string) => string;
/** Formats one kind of event; `info` gives positions and titles by step. */
type Formatter<K extends RunEvent['kind']> = (event: Extract<RunEvent, { kind: K }>, line: Line, info: ScreenInfo) => string[];

const waitedFor = (ms: number | undefined) => (ms ? ` · waited ${formatDuration(ms)} for the operator` : '');

/** One formatter per kind of event: a kind without one fails to compile. */
const PLAIN_FORMATTERS: { [K in RunEvent['kind']]: Formatter<K> } = {
  'run.started': (event, line) => [
    line(undefined, 'run', `${event.runbook.name} · run ${event.runId} · ${counted(event.steps, 'step')} in ${counted(event.phases, 'phase')}${event.dryRun ? ' · DRY RUN: nothing is executed' : ''}`),
  ],
  'run.resumed': (event, line, info) => [
    line(event.at, 'resume', `run ${event.runId} resumed by ${event.operator}@${event.hostname}${event.at ? ` at ${info.positions.get(event.at) ?? event.at}` : ''}`),
  ],
  // Nobody reads a step card here: what a manual step asks of a person is shown with it.
  'step.started': (event, line) => [
    line(event.step, 'start', `${event.title}${event.host ? ` (${event.host})` : ''}`),
    ...(event.instructions ?? '')
      .split('\n')
      .filter((text) => text.trim())
      .map((text) => line(event.step, 'do', text)),
  ],
  'wait.pending': (event, line) => [line(event.step, 'wait', `waiting for: ${event.check}`)],
  'shell.opened': (event, line) => [line(event.step, 'shell', `opened on ${event.where}`)],
  'shell.closed': (event, line) => [
    line(event.step, 'shell', `closed on ${event.where} after ${formatDuration(event.durationMs)}: ${event.error ?? (event.signal ? `signal ${event.signal}` : `exit ${event.exitCode ?? '?'}`)}`),
  ],
  'step.attempt': (event, line, info) => {
    if (event.command === undefined) return [];
    const command = event.command.trim().split('\n').join(' ⏎ ');
    // A first attempt whose command is the step's title was shown already, on its start line.
    if (event.attempt === 1 && info.titles?.get(event.step) === command) return [];
    return event.command ? [line(event.step, event.attempt > 1 ? `try ${event.attempt}` : '$', command)] : [];
  },
  'step.spawned': () => [],
  'step.output': (event, line) =>
    event.text
      .replace(/\n$/, '')
      .split('\n')
      .map((text) => line(event.step, 'out', text)),
  'step.exited': (event, line) => {
    if (event.exitCode === 0) return [];
    const why = event.error ?? (event.timedOut ? `timed out after ${formatDuration(event.durationMs)}` : `exit ${event.exitCode ?? event.signal} after ${formatDuration(event.durationMs)}`);
    return [line(event.step, 'exited', why)];
  },
  'check.passed': (event, line) => [line(event.step, 'check', event.assumed ? `· ${event.check} (not run: dry run)` : `✔ ${event.check}`)],
  'check.failed': (event, line) => {
    if (event.assumed) return [line(event.step, 'check', `· ${event.check} (not run: dry run)`)];
    return [
      line(event.step, 'check', `${event.set === 'precheck' ? '· not yet:' : '✖'} ${event.check}: ${event.reason}`),
      ...(event.output && event.set !== 'precheck' ? event.output.split('\n').map((t) => line(event.step, 'out', t)) : []),
    ];
  },
  // A confirmation nobody was asked for is always said: it is on record, and on screen. A skip's reason is said once, on the step's `skipped` line.
  'operator.choice': (event, line) => {
    if (!(event.by === 'operator' || event.choice === 'skip' || event.choice === 'abort' || event.menu === 'confirm')) return [];
    const reason = event.reason && event.choice !== 'skip' ? `: ${event.reason}` : '';
    return [line(event.step, 'choice', `${event.choice}${reason}${event.by === 'unattended' ? ' (unattended)' : ''}${waitedFor(event.waitedMs)}`)];
  },
  'step.finished': (event, line) => {
    if (event.via === 'precheck') return [line(event.step, 'already', 'already done: its precheck passed')];
    if (event.status === 'skipped') return [line(event.step, 'skipped', event.reason ?? '')];
    if (event.status === 'not-applicable') return [line(event.step, 'n/a', `not applicable: ${event.reason ?? ''}`)];
    const how = event.via === 'operator' ? 'marked done by the operator' : (event.reason ?? '');
    return [line(event.step, event.status, `${formatDuration(event.durationMs)}${how ? ` · ${how}` : ''}${waitedFor(event.waitedMs)}`)];
  },
  'run.note': (event, line) => [line(event.step, event.level === 'warn' ? 'warning' : 'note', event.message)],
  'step.items': (event, line) => [
    line(
      event.step,
      'items',
      `${counted(event.keys.length, 'item')}${event.pending < event.keys.length ? `, ${event.pending} to run (the others finished before)` : ''}: ${event.keys.slice(0, 8).join(', ')}${event.keys.length > 8 ? ', …' : ''}`,
    ),
  ],
  'item.finished': (event, line) => [
    line(
      event.step,
      event.status === 'done' ? 'item' : 'item ✖',
      `[${event.item}] ${event.status === 'done' ? (event.via === 'precheck' ? 'already done' : event.via === 'recovered' ? 'recovered' : 'done') : 'failed'} · ${formatDuration(event.durationMs)}${event.reason ? ` · ${event.reason}` : ''}`,
    ),
  ],
  'step.decided': (event, line) => event.conditions.map((c) => line(event.step, 'when', `${c.held ? '✔' : '·'} ${c.condition}${c.detail ? ` (${c.detail})` : ''}`)),
  'step.captured': (event, line) =>
    Object.entries(event.values).map(([name, value]) =>
      line(event.step, event.by ? 'answer' : 'capture', `${name} = ${shownValue(value)}${event.by && event.by !== 'operator' ? ` (${event.by === 'flag' ? 'from --answer' : 'the default'})` : ''}`),
    ),
  'run.finished': (event, line) => {
    const c = event.counts;
    const summary = `${event.status} after ${formatDuration(event.durationMs)}: ${countsText(c)}`;
    return [line(event.stoppedAt, 'run', summary), ...(event.message ? [line(event.stoppedAt, 'run', event.message)] : [])];
  },
};

/** Formats one event as the plain, timestamped lines of an unattended or piped run. */
export function formatPlainEvent(event: RunEvent, info: ScreenInfo, at: Date): string[] {
  const pos = (step: string) => (info.positions.get(step) ?? step).padEnd(5);
  // An item's command, output and checks say which item they are of; its end says so itself.
  const item = event.kind !== 'item.finished' && 'item' in event && event.item !== undefined ? `[${event.item}] ` : '';
  const line: Line = (step, tag, text) => `${clock(at)} ${step ? pos(step) : '     '} ${tag.padEnd(8)}${item}${text}`;
  return (PLAIN_FORMATTERS[event.kind] as Formatter<RunEvent['kind']>)(event as never, line, info);
}

/**
 * The screen of an unattended or piped run: plain, timestamped lines, no colour, no spinners.
 * With `cards` (an interactive run, whose step card is written between a step's start and its
 * question), a step's precheck results wait for what follows the card: printed at once, they
 * would stand above the card of the step they belong to.
 */
export function createPlainScreen(write: (text: string) => void, info: ScreenInfo, options: { cards?: boolean } = {}): EventSink {
  const held = new Map<string, string[]>();
  return {
    emit(event) {
      const lines = formatPlainEvent(event, info, new Date());
      const step = 'step' in event && typeof event.step === 'string' ? event.step : undefined;
      if (options.cards && step && (event.kind === 'check.passed' || event.kind === 'check.failed') && event.set === 'precheck' && !event.assumed) {
        held.set(step, [...(held.get(step) ?? []), ...lines]);
        return;
      }
      // The run's end lets out whatever is still held: a plain log loses nothing.
      const before = event.kind === 'run.finished' ? [...held.values()].flat() : (step && held.get(step)) || [];
      if (event.kind === 'run.finished') held.clear();
      else if (step) held.delete(step);
      for (const l of [...before, ...lines]) write(`${l}\n`);
    },
  };
}
