import type { Styles } from './terminal-styles.js';
import { formatDuration } from '../core/duration.js';
import type { RunEvent } from '../core/run-event.js';
import type { EventSink } from '../ports/event-sink.js';
import type { ScreenInfo } from './plain-screen.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The terminal screen: a live line while a step runs, output streamed under it, one history line per step. */
export function createTtyScreen(stream: NodeJS.WriteStream, s: Styles, info: ScreenInfo & { titles: ReadonlyMap<string, string>; hosts: ReadonlyMap<string, string | undefined> }): EventSink & { pause(): void } {
  let live: { step: string; started: number; timer: NodeJS.Timeout; frame: number } | undefined;
  const write = (text: string) => stream.write(text);
  const clearLive = () => live && write('\r\x1b[2K');
  const drawLive = () => {
    if (!live) return;
    const seconds = Math.floor((Date.now() - live.started) / 1000);
    const elapsed = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
    const host = info.hosts.get(live.step);
    const text = `${s.cyan(SPINNER[live.frame++ % SPINNER.length]!)} ${info.positions.get(live.step)} ${info.titles.get(live.step)}${host ? ` · on ${host}` : ''} · ${elapsed}`;
    write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 120) + 20)}`);
  };
  const stopLive = () => {
    if (!live) return;
    clearInterval(live.timer);
    clearLive();
    live = undefined;
  };
  const above = (text: string) => {
    clearLive();
    write(text);
    drawLive();
  };
  const historyLine = (mark: string, step: string, detail: string) => {
    const title = `${info.positions.get(step)} ${info.titles.get(step)}`;
    const host = info.hosts.get(step) ?? '';
    return `${mark} ${title.padEnd(44)} ${host.padEnd(8)} ${detail}\n`;
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
        return;
      case 'step.attempt':
        stopLive();
        if (event.command) write(`${event.attempt > 1 ? s.yellow(`  try ${event.attempt}: `) : '  '}${s.cyan('$')} ${event.command.trim().split('\n').join(`\n    `)}\n`);
        live = { step: event.step, started: Date.now(), frame: 0, timer: setInterval(drawLive, 100) };
        live.timer.unref();
        drawLive();
        return;
      case 'step.spawned':
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
        if (event.assumed) above(`  ${s.dim(`· ${event.check} (not run: dry run)`)}\n`);
        else above(`  ${s.green('✔')} ${event.set === 'precheck' ? 'already: ' : ''}${event.check}\n`);
        return;
      case 'check.failed':
        if (event.assumed) above(`  ${s.dim(`· ${event.check} (not run: dry run)`)}\n`);
        else if (event.set === 'precheck') above(`  ${s.dim(`· not yet: ${event.check}`)}\n`);
        else above(`  ${s.red('✖')} ${event.check}: ${event.reason}\n`);
        return;
      case 'operator.choice':
        if (event.choice === 'skip' || event.choice === 'abort') write(s.dim(`  ${event.choice}${event.reason ? `: ${event.reason}` : ''}\n`));
        else if (event.menu === 'confirm' && event.by === 'unattended' && event.reason) write(`  ${s.yellow('!')} ${event.choice}: ${event.reason}\n`);
        return;
      case 'step.finished': {
        stopLive();
        const time = formatDuration(event.durationMs);
        if (event.status === 'done') {
          const note = event.via === 'precheck' ? s.dim('already done') : event.via === 'operator' ? s.dim('marked done') : '';
          write(historyLine(s.green('✔'), event.step, `${time}  ${note}`));
        } else if (event.status === 'skipped') write(historyLine(s.yellow('↷'), event.step, `skipped${event.reason ? `: ${event.reason}` : ''}`));
        else write(historyLine(s.red('✖'), event.step, `${time}  failed${event.exitCode !== undefined ? `, exit ${event.exitCode}` : ''} (run continues)`));
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
