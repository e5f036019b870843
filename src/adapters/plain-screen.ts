import { formatDuration } from '../core/text/duration.js';
import type { RunEvent } from '../core/model/run-event.js';
import type { EventSink } from '../ports/event-sink.js';
import { counted } from '../core/text/plural.js';

/** What the screens need to know besides the events: positions and titles by step id. */
export interface ScreenInfo {
  positions: ReadonlyMap<string, string>;
  /** Step titles: a command already shown as the title is not shown again. */
  titles?: ReadonlyMap<string, string>;
}

function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

/** Formats one event as the plain, timestamped lines of an unattended or piped run; a case per kind. */
export function formatPlainEvent(event: RunEvent, info: ScreenInfo, at: Date): string[] {
  const pos = (step: string) => (info.positions.get(step) ?? step).padEnd(5);
  const line = (step: string | undefined, tag: string, text: string) => `${clock(at)} ${step ? pos(step) : '     '} ${tag.padEnd(8)}${text}`;
  switch (event.kind) {
    case 'run.started':
      return [
        line(
          undefined,
          'run',
          `${event.runbook.name} · run ${event.runId} · ${counted(event.steps, 'step')} in ${counted(event.phases, 'phase')}${event.dryRun ? ' · DRY RUN: nothing is executed' : ''}`,
        ),
      ];
    case 'run.resumed':
      return [line(event.at, 'resume', `run ${event.runId} resumed by ${event.operator}@${event.hostname}${event.at ? ` at ${info.positions.get(event.at) ?? event.at}` : ''}`)];
    case 'step.started':
      // Nobody reads a step card here: what a manual step asks of a person is shown with it.
      return [
        line(event.step, 'start', `${event.title}${event.host ? ` (${event.host})` : ''}`),
        ...(event.instructions ?? '')
          .split('\n')
          .filter((text) => text.trim())
          .map((text) => line(event.step, 'do', text)),
      ];
    case 'wait.pending':
      return [line(event.step, 'wait', `waiting for: ${event.check}`)];
    case 'shell.opened':
      return [line(event.step, 'shell', `opened on ${event.where}`)];
    case 'shell.closed':
      return [
        line(event.step, 'shell', `closed on ${event.where} after ${formatDuration(event.durationMs)}: ${event.error ?? (event.signal ? `signal ${event.signal}` : `exit ${event.exitCode ?? '?'}`)}`),
      ];
    case 'step.attempt':
      if (event.attempt === 1 && event.command !== undefined && info.titles?.get(event.step) === event.command.trim().split('\n').join(' ⏎ ')) return [];
      return event.command ? [line(event.step, event.attempt > 1 ? `try ${event.attempt}` : '$', event.command.trim().split('\n').join(' ⏎ '))] : [];
    case 'step.spawned':
      return [];
    case 'step.output':
      return event.text
        .replace(/\n$/, '')
        .split('\n')
        .map((text) => line(event.step, 'out', text));
    case 'step.exited':
      if (event.exitCode === 0) return [];
      return [
        line(
          event.step,
          'exited',
          event.error ?? (event.timedOut ? `timed out after ${formatDuration(event.durationMs)}` : `exit ${event.exitCode ?? event.signal} after ${formatDuration(event.durationMs)}`),
        ),
      ];
    case 'check.passed':
      return [line(event.step, 'check', event.assumed ? `· ${event.check} (not run: dry run)` : `✔ ${event.check}`)];
    case 'check.failed':
      if (event.assumed) return [line(event.step, 'check', `· ${event.check} (not run: dry run)`)];
      return [
        line(event.step, 'check', `${event.set === 'precheck' ? '· not yet:' : '✖'} ${event.check}: ${event.reason}`),
        ...(event.output && event.set !== 'precheck' ? event.output.split('\n').map((t) => line(event.step, 'out', t)) : []),
      ];
    case 'operator.choice':
      // A confirmation nobody was asked for is always said: it is on record, and on screen. A skip's reason is said once, on the step's `skipped` line.
      return event.by === 'operator' || event.choice === 'skip' || event.choice === 'abort' || event.menu === 'confirm'
        ? [
            line(
              event.step,
              'choice',
              `${event.choice}${event.reason && event.choice !== 'skip' ? `: ${event.reason}` : ''}${event.by === 'unattended' ? ' (unattended)' : ''}${event.waitedMs ? ` · waited ${formatDuration(event.waitedMs)} for the operator` : ''}`,
            ),
          ]
        : [];
    case 'step.finished': {
      if (event.via === 'precheck') return [line(event.step, 'already', 'already done: its precheck passed')];
      if (event.status === 'skipped') return [line(event.step, 'skipped', event.reason ?? '')];
      const how = event.via === 'operator' ? 'marked done by the operator' : (event.reason ?? '');
      const waited = event.waitedMs ? ` · waited ${formatDuration(event.waitedMs)} for the operator` : '';
      return [line(event.step, event.status, `${formatDuration(event.durationMs)}${how ? ` · ${how}` : ''}${waited}`)];
    }
    case 'run.note':
      return [line(event.step, event.level === 'warn' ? 'warning' : 'note', event.message)];
    case 'run.finished': {
      const c = event.counts;
      const summary = `${event.status} after ${formatDuration(event.durationMs)}: ${c.done} done, ${c.skipped} skipped, ${c.failed} failed, ${c.pending} not reached`;
      return [line(event.stoppedAt, 'run', summary), ...(event.message ? [line(event.stoppedAt, 'run', event.message)] : [])];
    }
    default: {
      const unhandled: never = event;
      return [String(unhandled)];
    }
  }
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
