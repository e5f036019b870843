import { fitText } from '../core/text/fit-text.js';

/** How many running steps and items the board shows one line each; the rest are counted on one more line. */
const SHOWN = 8;

interface Running {
  step: string;
  item?: string;
  started: number;
  last?: string;
}

/** How the board names a step: its position and title. */
export interface BoardNames {
  position(step: string): string;
  title(step: string): string;
}

/**
 * The live board of steps running side by side: one line per running step or foreach item (its
 * position, item key, how long it has run, its last line of output), the finished ones folded
 * into counts.
 */
export class RunningBoard {
  private readonly running = new Map<string, Running>();
  private done = 0;
  private failed = 0;

  /** A step's (or one of its items') command or wait started. */
  started(step: string, item: string | undefined, now: number): void {
    const key = keyOf(step, item);
    if (!this.running.has(key)) this.running.set(key, { step, ...(item !== undefined ? { item } : {}), started: now });
  }

  /** It printed, or waits for something: its last non-empty line is shown beside it. */
  said(step: string, item: string | undefined, text: string): void {
    const entry = this.running.get(keyOf(step, item));
    const last = text
      .split('\n')
      .filter((l) => l.trim())
      .at(-1);
    if (entry && last !== undefined) entry.last = last.trim();
  }

  /** An item ended: its line goes. */
  itemEnded(step: string, item: string): void {
    this.running.delete(keyOf(step, item));
  }

  /** A step ended (a foreach step with all its items): its lines go, and it is counted. */
  stepEnded(step: string, ok: boolean): void {
    for (const [key, entry] of this.running) if (entry.step === step) this.running.delete(key);
    if (ok) this.done += 1;
    else this.failed += 1;
  }

  /** Whether anything runs: an empty board is not drawn. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** The board's lines for a terminal `width` wide: a summary, then what runs, longest first. */
  lines(names: BoardNames, clock: (ms: number) => string, now: number, width: number): string[] {
    const counts = [`${this.running.size} running`, `${this.done} done`, ...(this.failed ? [`${this.failed} failed`] : [])];
    const lines = [fitText(`side by side · ${counts.join(' · ')}`, width - 3)];
    const entries = [...this.running.values()].sort((a, b) => a.started - b.started);
    for (const e of entries.slice(0, SHOWN)) {
      const head = `  ${names.position(e.step)}${e.item !== undefined ? ` [${e.item}]` : ''} `;
      const tail = ` · ${clock(now - e.started)}${e.last ? ` · ${e.last}` : ''}`;
      const room = width - 1 - [...head].length - [...tail].length;
      // A narrow console keeps the position, the item and the time; the title gives way first.
      lines.push(fitText(room >= 8 ? `${head}${fitText(names.title(e.step), Math.min(room, 36))}${tail}` : `${head}${tail.slice(3)}`, width - 1));
    }
    if (entries.length > SHOWN) lines.push(`  … and ${entries.length - SHOWN} more running`);
    return lines;
  }
}

function keyOf(step: string, item: string | undefined): string {
  return item === undefined ? step : `${step}\n${item}`;
}
