import type { Paint } from './paint.js';

/** How a step, a phase or a run stands once its journal is read. */
export type Outcome = 'done' | 'skipped' | 'not-applicable' | 'failed' | 'aborted' | 'interrupted' | 'running' | 'incomplete' | 'not reached';

// A symbol beside every word: colour is never the only thing that carries the status.
const MARKS: Record<Outcome, { symbol: string; colour: keyof Paint }> = {
  done: { symbol: '✔', colour: 'green' },
  skipped: { symbol: '↷', colour: 'cyan' },
  'not-applicable': { symbol: '⊘', colour: 'dim' },
  failed: { symbol: '✖', colour: 'red' },
  aborted: { symbol: '■', colour: 'magenta' },
  interrupted: { symbol: '‖', colour: 'yellow' },
  running: { symbol: '…', colour: 'blue' },
  incomplete: { symbol: '◐', colour: 'yellow' },
  'not reached': { symbol: '○', colour: 'dim' },
};

/** The symbol that goes with an outcome everywhere it is shown (terminal, HTML, Markdown). */
export function statusSymbol(outcome: Outcome): string {
  return MARKS[outcome].symbol;
}

/** The colour of an outcome, to apply to any text about it (plain when the paint has no colour). */
export function statusPaint(outcome: Outcome, paint: Paint): (text: string) => string {
  return (text) => paint[MARKS[outcome].colour](text);
}

/** An outcome as `✔ done`, coloured when the paint has colour. */
export function statusMark(outcome: Outcome, paint: Paint): string {
  return statusPaint(outcome, paint)(`${MARKS[outcome].symbol} ${outcome}`);
}
