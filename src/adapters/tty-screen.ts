import type { Styles } from './terminal-styles.js';
import { formatDuration } from '../core/duration.js';
import type { RunEvent } from '../core/run-event.js';
import { fitText } from '../core/fit-text.js';
import { wrapText } from '../core/wrap-text.js';
import type { EventSink } from '../ports/event-sink.js';
import type { ScreenInfo } from './plain-screen.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** mm:ss, or h:mm:ss past an hour. */
function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const mmss = `${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}:${mmss}` : mmss;
}

/** Spinners are drawn only where colour would be: NO_COLOR and TERM=dumb get one still line per step. */
function animated(): boolean {
  const env = process.env;
  return !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

/** The parts of one history line: the mark, the step, its host and what happened, fitted to `width`. */
export function historyLine(parts: { mark: string; position: string; title: string; host?: string; detail: string }, width: number): string {
  // The last column is left free: a line as wide as the terminal wraps on some of them.
  const room = width - 1;
  const right = `${parts.host ? `${parts.host}  ` : ''}${parts.detail}`;
  const titleWidth = Math.max(12, Math.min(44, room - 2 - 2 - [...right].length));
  const title = fitText(`${parts.position} ${parts.title}`, titleWidth).padEnd(titleWidth);
  return `${parts.mark} ${title}  ${right}`;
}

/** The terminal screen: a live line while a step runs, output streamed under it, one history line per step. */
export function createTtyScreen(stream: NodeJS.WriteStream, s: Styles, info: ScreenInfo & { titles: ReadonlyMap<string, string>; hosts: ReadonlyMap<string, string | undefined> }): EventSink & { pause(): void } {
  const animate = animated();
  let live: { step: string; started: number; timer?: NodeJS.Timeout; frame: number; until?: string[]; pending?: string; timeoutMs?: number } | undefined;
  // A step's precheck results wait until the step's card has been answered: printed at once, they
  // would land above the card of the step they belong to.
  const prechecks = new Map<string, string[]>();
  const width = () => Math.max(40, stream.columns ?? 80);
  const write = (text: string) => stream.write(text);
  const clearLive = () => live?.timer && write('\r\x1b[2K');
  const liveText = (mark: string): string => {
    if (!live) return '';
    const elapsed = Date.now() - live.started;
    const host = info.hosts.get(live.step);
    const tail: string[] = [];
    if (host) tail.push(`on ${host}`);
    if (live.until) {
      const pending = live.pending ?? live.until[0];
      if (pending) tail.push(`waiting for: ${pending}`);
      if (live.timeoutMs !== undefined) tail.push(`${formatDuration(Math.max(0, live.timeoutMs - elapsed)).replace(/\.\ds$/, 's')} left`);
    }
    tail.push(clock(elapsed));
    const suffix = ` · ${tail.join(' · ')}`;
    const head = `${mark} ${info.positions.get(live.step)} `;
    const title = info.titles.get(live.step) ?? live.step;
    const room = width() - 1 - [...head].length - [...suffix].length;
    // A narrow console keeps the step and the time; the title gives way first, then the details.
    const line = room >= 8 ? `${head}${fitText(title, room)}${suffix}` : fitText(`${head}${title}`, width() - 1 - 6) + ` · ${clock(elapsed)}`;
    return fitText(line, width() - 1);
  };
  const drawLive = () => {
    if (!live?.timer) return;
    const frame = SPINNER[live.frame++ % SPINNER.length]!;
    const text = liveText(frame);
    write(`\r\x1b[2K${s.cyan(frame)}${text.slice(frame.length)}`);
  };
  const stopLive = () => {
    if (!live) return;
    if (live.timer) clearInterval(live.timer);
    clearLive();
    live = undefined;
  };
  const above = (text: string) => {
    clearLive();
    write(text);
    drawLive();
  };
  const flushPrechecks = (step: string) => {
    const lines = prechecks.get(step);
    prechecks.delete(step);
    if (lines?.length) above(lines.join(''));
  };
  const history = (mark: string, step: string, detail: string, plainMark: string) => {
    const line = historyLine({ mark: plainMark, position: info.positions.get(step) ?? step, title: info.titles.get(step) ?? step, host: info.hosts.get(step), detail }, width());
    return `${mark}${line.slice(plainMark.length)}\n`;
  };
  const startLive = (event: Extract<RunEvent, { kind: 'step.attempt' }>) => {
    live = { step: event.step, started: Date.now(), frame: 0, until: event.until, timeoutMs: event.timeoutMs };
    if (animate) {
      live.timer = setInterval(drawLive, 100);
      live.timer.unref();
      drawLive();
    } else {
      // No spinner: one still line says what runs, where, and for a wait what it waits for.
      write(`${liveText('▸').replace(/ · \d+(:\d\d)+$/, '')}\n`);
    }
  };

  const emit = (event: RunEvent): void => {
    switch (event.kind) {
      case 'run.started':
        // Interactive runs show this header on every step card already.
        if (event.mode === 'unattended') write(`${s.bold(`Lifeboat · ${event.runbook.name}`)} ${s.dim(`· run ${event.runId}${event.dryRun ? ' · DRY RUN: nothing is executed' : ''}`)}\n`);
        return;
      case 'run.resumed':
        write(`${s.bold('Resuming')} ${s.dim(`run ${event.runId}`)}\n`);
        return;
      case 'step.started':
      case 'step.spawned':
      case 'shell.opened':
      case 'shell.closed':
        // A shell's start and end are said by the menu that opened it.
        return;
      case 'step.attempt':
        stopLive();
        flushPrechecks(event.step);
        if (event.command) write(`${event.attempt > 1 ? s.yellow(`  try ${event.attempt}: `) : '  '}${s.cyan('$')} ${event.command.trim().split('\n').join(`\n    `)}\n`);
        startLive(event);
        return;
      case 'wait.pending':
        if (live?.step !== event.step || live.pending === event.check) return;
        // The first pending check is on the still line already; a later one gets a line of its own.
        if (!animate && (live.pending !== undefined || event.check !== live.until?.[0])) write(s.dim(`  · waiting for: ${event.check}\n`));
        live.pending = event.check;
        drawLive();
        return;
      case 'step.output':
        above(event.text.replace(/\n$/, '').split('\n').map((l) => `  ${s.dim('│')} ${l}\n`).join(''));
        return;
      case 'step.exited':
        stopLive();
        if (event.exitCode !== 0) {
          const why = event.error ?? (event.timedOut ? `timed out after ${formatDuration(event.durationMs)}` : `exited ${event.exitCode ?? event.signal} after ${formatDuration(event.durationMs)}`);
          write(`  ${s.red('✖')} ${why}\n`);
        }
        return;
      case 'check.passed':
        if (event.set === 'precheck' && !event.assumed) {
          prechecks.set(event.step, [...(prechecks.get(event.step) ?? []), `  ${s.green('✔')} already: ${event.check}\n`]);
          return;
        }
        flushPrechecks(event.step);
        if (event.assumed) above(`  ${s.dim(`· ${event.check} (not run: dry run)`)}\n`);
        else above(`  ${s.green('✔')} ${event.check}\n`);
        return;
      case 'check.failed':
        if (event.set === 'precheck' && !event.assumed) {
          prechecks.set(event.step, [...(prechecks.get(event.step) ?? []), `  ${s.dim(`· precheck not met: ${event.check}`)}\n`]);
          return;
        }
        flushPrechecks(event.step);
        if (event.assumed) above(`  ${s.dim(`· ${event.check} (not run: dry run)`)}\n`);
        else above(`  ${s.red('✖')} ${event.check}: ${event.reason}\n`);
        return;
      case 'operator.choice':
        // The menu wrote the answer, and the step's history line carries a skip's reason: said once.
        if (event.choice === 'skip' || event.choice === 'abort') prechecks.delete(event.step);
        else if (event.menu === 'confirm' && event.by === 'unattended' && event.reason) write(`  ${s.yellow('!')} ${event.choice}: ${event.reason}\n`);
        return;
      case 'step.finished': {
        stopLive();
        if (event.via === 'precheck') flushPrechecks(event.step);
        prechecks.delete(event.step);
        const time = formatDuration(event.durationMs);
        if (event.status === 'done') {
          const note = event.via === 'precheck' ? 'already done' : event.via === 'operator' ? `${time}  marked done` : time;
          write(history(s.green('✔'), event.step, note, '✔'));
        } else if (event.status === 'skipped') {
          write(history(s.yellow('↷'), event.step, 'skipped', '↷'));
          if (event.reason) for (const l of wrapText(`why: ${event.reason}`, width() - 5)) write(s.dim(`    ${l}\n`));
        } else write(history(s.red('✖'), event.step, `${time}  failed${event.exitCode !== undefined ? `, exit ${event.exitCode}` : ''}; run goes on`, '✖'));
        return;
      }
      case 'run.note':
        above(`${event.level === 'warn' ? s.yellow('!') : s.dim('·')} ${event.message}\n`);
        return;
      case 'run.finished': {
        stopLive();
        const c = event.counts;
        const mark = event.status === 'done' ? s.green('✔') : event.status === 'interrupted' ? s.yellow('!') : s.red('✖');
        write(`\n${mark} ${s.bold(`Run ${event.status}`)} after ${formatDuration(event.durationMs)}: ${c.done} done, ${c.skipped} skipped, ${c.failed} failed, ${c.pending} not reached\n`);
        if (event.message) write(`  ${event.message}\n`);
        return;
      }
      default: {
        const unhandled: never = event;
        void unhandled;
      }
    }
  };
  return { emit, pause: stopLive, close: stopLive };
}
