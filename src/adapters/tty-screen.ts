import type { RunEvent } from '../core/model/run-event.js';
import { formatDuration } from '../core/text/duration.js';
import { fitText } from '../core/text/fit-text.js';
import { wrapText } from '../core/text/wrap-text.js';
import { countsText, shownValue } from '../core/views/run-counts-text.js';
import type { EventSink } from '../ports/event-sink.js';
import { ItemBoard } from './item-board.js';
import type { ByStep, ScreenInfo } from './plain-screen.js';
import type { Styles } from './terminal-styles.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** How long something has run: mm:ss, or h:mm:ss past an hour. */
export function elapsedClock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const mmss = `${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}:${mmss}` : mmss;
}

/** Spinners are drawn only where colour would be: NO_COLOR and TERM=dumb get one still line per step. */
export function animated(): boolean {
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

type ScreenTexts = ScreenInfo & { titles: ByStep<string>; hosts: ByStep<string | undefined> };
type EventOf<K extends RunEvent['kind']> = Extract<RunEvent, { kind: K }>;

/** The terminal screen: a live line while a step runs, output streamed under it, one history line per step. */
export function createTtyScreen(stream: NodeJS.WriteStream, s: Styles, info: ScreenTexts): EventSink & { pause(): void } {
  const screen = new TtyScreen(stream, s, info);
  const stop = () => screen.stopLive();
  return { emit: (event: RunEvent) => screen.emit(event), pause: stop, close: stop };
}

// The live line is state shared by every event: a class keeps it and the drawing in one place.
class TtyScreen {
  private readonly animate = animated();
  private live: { step: string; started: number; timer?: NodeJS.Timeout; frame: number; until?: string[]; pending?: string; timeoutMs?: number } | undefined;
  // A foreach step's items, while they run: the live area is then a board of several lines.
  private board: ItemBoard | undefined;
  private drawn = 1;
  // A step's precheck results wait until the step's card has been answered: printed at once, they
  // would land above the card of the step they belong to.
  private readonly prechecks = new Map<string, string[]>();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly s: Styles,
    private readonly info: ScreenTexts,
  ) {}

  emit(event: RunEvent): void {
    const s = this.s;
    if (this.board && 'item' in event && event.item !== undefined && event.kind !== 'item.finished') {
      this.onBoard(event, event.item);
      return;
    }
    switch (event.kind) {
      case 'run.started':
        // Interactive runs show this header on every step card already.
        if (event.mode === 'unattended') this.write(`${s.bold(`Lifeboat · ${event.runbook.name}`)} ${s.dim(`· run ${event.runId}${event.dryRun ? ' · DRY RUN: nothing is executed' : ''}`)}\n`);
        return;
      case 'run.resumed':
        this.write(`${s.bold('Resuming')} ${s.dim(`run ${event.runId}`)}\n`);
        return;
      case 'step.started':
      case 'step.spawned':
      case 'shell.opened':
      case 'shell.closed':
        // A shell's start and end are said by the menu that opened it.
        return;
      case 'step.attempt':
        this.attempt(event);
        return;
      case 'wait.pending':
        this.pending(event);
        return;
      case 'step.output':
        this.above(
          event.text
            .replace(/\n$/, '')
            .split('\n')
            .map((l) => `  ${s.dim('│')} ${l}\n`)
            .join(''),
        );
        return;
      case 'step.exited':
        this.exited(event);
        return;
      case 'check.passed':
        this.checked(event, `  ${s.green('✔')} already: ${event.check}\n`, `  ${s.green('✔')} ${event.check}\n`);
        return;
      case 'check.failed':
        this.checked(event, `  ${s.dim(`· precheck not met: ${event.check}`)}\n`, `  ${s.red('✖')} ${event.check}: ${event.reason}\n`);
        return;
      case 'operator.choice':
        // The menu wrote the answer, and the step's history line carries a skip's reason: said once.
        if (event.choice === 'skip' || event.choice === 'abort') this.prechecks.delete(event.step);
        else if (event.menu === 'confirm' && event.by === 'unattended' && event.reason) this.write(`  ${s.yellow('!')} ${event.choice}: ${event.reason}\n`);
        return;
      case 'step.finished':
        this.finished(event);
        return;
      case 'run.note':
        this.above(`${event.level === 'warn' ? s.yellow('!') : s.dim('·')} ${event.message}\n`);
        return;
      case 'step.items':
        this.startBoard(event);
        return;
      case 'item.finished':
        this.board?.finished(event.item, event.status === 'done');
        this.above(
          `  ${event.status === 'done' ? s.green('✔') : s.red('✖')} [${event.item}] ${s.dim(formatDuration(event.durationMs))}${event.via ? s.dim(` ${event.via === 'precheck' ? 'already done' : 'recovered'}`) : ''}${event.reason ? ` ${event.reason}` : ''}\n`,
        );
        return;
      case 'step.decided':
        for (const c of event.conditions) this.above(`  ${c.held ? s.green('✔') : s.yellow('·')} when ${c.condition}${c.detail ? s.dim(` (${c.detail})`) : ''}\n`);
        return;
      case 'step.captured':
        for (const [name, value] of Object.entries(event.values))
          this.above(s.dim(`  = ${name}: ${shownValue(value)}${event.by && event.by !== 'operator' ? ` (${event.by === 'flag' ? 'from --answer' : 'the default'})` : ''}\n`));
        return;
      case 'run.finished':
        this.runFinished(event);
        return;
      default: {
        const unhandled: never = event;
        void unhandled;
      }
    }
  }

  stopLive(): void {
    this.board = undefined;
    if (!this.live) return;
    if (this.live.timer) clearInterval(this.live.timer);
    this.clearLive();
    this.live = undefined;
  }

  private width(): number {
    return Math.max(40, this.stream.columns ?? 80);
  }

  private write(text: string): void {
    this.stream.write(text);
  }

  private clearLive(): void {
    if (!this.live?.timer) return;
    // A board of several lines: back to its first line, then clear to the end of the screen.
    this.write(this.drawn > 1 ? `\x1b[${this.drawn - 1}A\r\x1b[J` : '\r\x1b[2K');
    this.drawn = 1;
  }

  private liveText(mark: string): string {
    const { live, info } = this;
    if (!live) return '';
    const elapsed = Date.now() - live.started;
    const host = info.hosts.get(live.step);
    const tail: string[] = [];
    if (host) tail.push(`on ${host}`);
    if (live.until) {
      const pending = live.pending ?? live.until[0];
      if (pending) tail.push(`waiting for: ${pending}`);
      // Whole seconds rounded up: 59.9 s left reads "1m left", never "60s left".
      if (live.timeoutMs !== undefined) tail.push(`${formatDuration(Math.ceil(Math.max(0, live.timeoutMs - elapsed) / 1000) * 1000).replace(/\.\ds$/, 's')} left`);
    }
    tail.push(elapsedClock(elapsed));
    const suffix = ` · ${tail.join(' · ')}`;
    const head = `${mark} ${info.positions.get(live.step)} `;
    const title = info.titles.get(live.step) ?? live.step;
    const room = this.width() - 1 - [...head].length - [...suffix].length;
    // A narrow console keeps the step and the time; the title gives way first, then the details.
    const line = room >= 8 ? `${head}${fitText(title, room)}${suffix}` : `${fitText(`${head}${title}`, this.width() - 1 - 6)} · ${elapsedClock(elapsed)}`;
    return fitText(line, this.width() - 1);
  }

  private drawLive(): void {
    if (!this.live?.timer) return;
    const frame = SPINNER[this.live.frame++ % SPINNER.length]!;
    if (this.board) {
      const head = `${this.info.positions.get(this.board.step) ?? ''} ${this.info.titles.get(this.board.step) ?? this.board.step} · ${elapsedClock(Date.now() - this.live.started)}`;
      const lines = this.board.lines(head, elapsedClock, Date.now(), this.width());
      this.clearLive();
      this.write(`${this.s.cyan(frame)} ${lines.join('\n')}`);
      this.drawn = lines.length;
      return;
    }
    const text = this.liveText(frame);
    this.write(`\r\x1b[2K${this.s.cyan(frame)}${text.slice(frame.length)}`);
  }

  /** A foreach step's items start: the live area becomes their board. */
  private startBoard(event: EventOf<'step.items'>): void {
    this.stopLive();
    this.flushPrechecks(event.step);
    this.write(this.s.dim(`  ${event.keys.length} items${event.pending < event.keys.length ? `, ${event.pending} to run (the others finished before)` : ''}\n`));
    this.board = new ItemBoard(event.step, event.keys.length, event.keys.length - event.pending);
    this.startLive({ kind: 'step.attempt', step: event.step, attempt: event.attempt });
  }

  /** An item's command, output or check: its line on the board changes; its end is said above the board. */
  private onBoard(event: RunEvent, item: string): void {
    if (event.kind === 'step.attempt') this.board!.started(item, Date.now());
    else if (event.kind === 'step.output') this.board!.printed(item, event.text);
    else if (event.kind === 'check.failed' && event.set !== 'precheck') this.above(`  ${this.s.red('✖')} [${item}] ${event.check}: ${event.reason}\n`);
    if (!this.animate && event.kind === 'step.attempt') this.write(`  ${this.s.cyan('$')} [${item}] ${(event.command ?? '').trim().split('\n')[0]}\n`);
    else this.drawLive();
  }

  private above(text: string): void {
    this.clearLive();
    this.write(text);
    this.drawLive();
  }

  private flushPrechecks(step: string): void {
    const lines = this.prechecks.get(step);
    this.prechecks.delete(step);
    if (lines?.length) this.above(lines.join(''));
  }

  private history(mark: string, step: string, detail: string, plainMark: string): string {
    const { info } = this;
    const line = historyLine({ mark: plainMark, position: info.positions.get(step) ?? step, title: info.titles.get(step) ?? step, host: info.hosts.get(step), detail }, this.width());
    return `${mark}${line.slice(plainMark.length)}\n`;
  }

  private startLive(event: EventOf<'step.attempt'>): void {
    const live: NonNullable<TtyScreen['live']> = { step: event.step, started: Date.now(), frame: 0, until: event.until, timeoutMs: event.timeoutMs };
    this.live = live;
    if (this.animate) {
      live.timer = setInterval(() => this.drawLive(), 100);
      live.timer.unref();
      this.drawLive();
    } else {
      // No spinner: one still line says what runs, where, and for a wait what it waits for.
      this.write(`${this.liveText('▸').replace(/ · \d+(:\d\d)+$/, '')}\n`);
    }
  }

  private attempt(event: EventOf<'step.attempt'>): void {
    const s = this.s;
    this.stopLive();
    this.flushPrechecks(event.step);
    if (event.command) this.write(`${event.attempt > 1 ? s.yellow(`  try ${event.attempt}: `) : '  '}${s.cyan('$')} ${event.command.trim().split('\n').join(`\n    `)}\n`);
    this.startLive(event);
  }

  private pending(event: EventOf<'wait.pending'>): void {
    const live = this.live;
    if (live?.step !== event.step || live.pending === event.check) return;
    // The first pending check is on the still line already; a later one gets a line of its own.
    if (!this.animate && (live.pending !== undefined || event.check !== live.until?.[0])) this.write(this.s.dim(`  · waiting for: ${event.check}\n`));
    live.pending = event.check;
    this.drawLive();
  }

  private exited(event: EventOf<'step.exited'>): void {
    this.stopLive();
    if (event.exitCode !== 0) {
      const why = event.error ?? (event.timedOut ? `timed out after ${formatDuration(event.durationMs)}` : `exited ${event.exitCode ?? event.signal} after ${formatDuration(event.durationMs)}`);
      this.write(`  ${this.s.red('✖')} ${why}\n`);
    }
  }

  // A precheck's line is held for the step's card; any other check is said at once.
  private checked(event: EventOf<'check.passed' | 'check.failed'>, heldLine: string, line: string): void {
    if (event.set === 'precheck' && !event.assumed) {
      this.prechecks.set(event.step, [...(this.prechecks.get(event.step) ?? []), heldLine]);
      return;
    }
    this.flushPrechecks(event.step);
    if (event.assumed) this.above(`  ${this.s.dim(`· ${event.check} (not run: dry run)`)}\n`);
    else this.above(line);
  }

  private finished(event: EventOf<'step.finished'>): void {
    const s = this.s;
    this.stopLive();
    if (event.via === 'precheck') this.flushPrechecks(event.step);
    this.prechecks.delete(event.step);
    const time = formatDuration(event.durationMs);
    if (event.status === 'done') {
      const note = event.via === 'precheck' ? 'already done' : event.via === 'operator' ? `${time}  marked done` : time;
      this.write(this.history(s.green('✔'), event.step, note, '✔'));
    } else if (event.status === 'skipped' || event.status === 'not-applicable') {
      this.write(this.history(s.yellow('↷'), event.step, event.status === 'skipped' ? 'skipped' : 'not applicable', '↷'));
      if (event.reason) for (const l of wrapText(`why: ${event.reason}`, this.width() - 5)) this.write(s.dim(`    ${l}\n`));
    } else this.write(this.history(s.red('✖'), event.step, `${time}  failed${event.exitCode !== undefined ? `, exit ${event.exitCode}` : ''}; run goes on`, '✖'));
  }

  private runFinished(event: EventOf<'run.finished'>): void {
    const s = this.s;
    this.stopLive();
    const c = event.counts;
    const mark = event.status === 'done' ? s.green('✔') : event.status === 'interrupted' ? s.yellow('!') : s.red('✖');
    this.write(`\n${mark} ${s.bold(`Run ${event.status}`)} after ${formatDuration(event.durationMs)}: ${countsText(c)}\n`);
    if (event.message) this.write(`  ${event.message}\n`);
  }
}
