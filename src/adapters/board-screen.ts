import type { EventSink } from '../ports/event-sink.js';
import { createPlainScreen, type ScreenInfo } from './plain-screen.js';
import { RunningBoard } from './running-board.js';
import type { Styles } from './terminal-styles.js';
import { animated, elapsedClock } from './tty-screen.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The terminal screen of steps running side by side: every event on a line of its own, named by
 * its step (and item), scrolling above a live board of what runs now. Without animation
 * (NO_COLOR, TERM=dumb) the lines alone. `pause` takes the board off the screen until the next
 * event (a question is drawn in its place).
 */
export function createBoardScreen(stream: NodeJS.WriteStream, s: Styles, info: ScreenInfo, options: { cards?: boolean } = {}): EventSink & { pause(): void } {
  const board = new RunningBoard();
  const animate = animated();
  const names = { position: (step: string) => info.positions.get(step) ?? step, title: (step: string) => info.titles?.get(step) ?? step };
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;

  const clear = () => {
    // Back to the board's first line, then clear to the end of the screen.
    if (drawn > 0) stream.write(`${drawn > 1 ? `\x1b[${drawn - 1}A` : ''}\r\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    if (!board.busy) return;
    const width = Math.max(40, stream.columns ?? 80);
    const lines = board.lines(names, elapsedClock, Date.now(), width);
    stream.write(`${s.cyan(SPINNER[frame++ % SPINNER.length]!)} ${lines.join('\n')}`);
    drawn = lines.length;
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    clear();
  };
  // Each line is written above the board: the board is taken away, the line written, the board drawn again.
  const lines = createPlainScreen(
    (text) => {
      clear();
      stream.write(text);
    },
    info,
    options,
  );

  return {
    emit(event) {
      const item = 'item' in event ? event.item : undefined;
      if (event.kind === 'step.attempt') board.started(event.step, item, Date.now());
      else if (event.kind === 'step.output') board.said(event.step, item, event.text);
      else if (event.kind === 'wait.pending') board.said(event.step, undefined, `waiting for: ${event.check}`);
      else if (event.kind === 'item.finished') board.itemEnded(event.step, event.item);
      else if (event.kind === 'step.finished') board.stepEnded(event.step, event.status !== 'failed');
      lines.emit(event);
      if (!animate) return;
      if (event.kind === 'run.finished') {
        stop();
        return;
      }
      draw();
      if (timer === undefined && board.busy) {
        timer = setInterval(draw, 100);
        timer.unref();
      }
    },
    pause: stop,
    close: stop,
  };
}
