import { fitText } from '../core/text/fit-text.js';

/** How many running items the board shows one line each; the rest are counted on one more line. */
const SHOWN = 8;

/**
 * The live board of a foreach step: one line per running item (its key, how long it has run, its
 * last line of output), the finished ones folded into counts.
 */
export class ItemBoard {
  private readonly running = new Map<string, { started: number; last?: string }>();
  private done = 0;
  private failed = 0;

  constructor(
    readonly step: string,
    readonly total: number,
    private readonly before: number,
  ) {}

  /** An item's command started. */
  started(item: string, now: number): void {
    if (!this.running.has(item)) this.running.set(item, { started: now });
  }

  /** An item printed: its last non-empty line is shown beside it. */
  printed(item: string, text: string): void {
    const entry = this.running.get(item);
    const last = text
      .split('\n')
      .filter((l) => l.trim())
      .at(-1);
    if (entry && last !== undefined) entry.last = last;
  }

  /** An item ended. */
  finished(item: string, ok: boolean): void {
    this.running.delete(item);
    if (ok) this.done += 1;
    else this.failed += 1;
  }

  /** The board's lines for a terminal `width` wide: a summary, then the running items. */
  lines(head: string, clock: (ms: number) => string, now: number, width: number): string[] {
    const counts = [`${this.before + this.done}/${this.total} done`, ...(this.failed ? [`${this.failed} failed`] : []), `${this.running.size} running`];
    const lines = [fitText(`${head} · ${counts.join(' · ')}`, width - 1)];
    const items = [...this.running].sort((a, b) => a[1].started - b[1].started);
    for (const [key, entry] of items.slice(0, SHOWN)) {
      lines.push(fitText(`    [${key}] ${clock(now - entry.started)}${entry.last ? ` · ${entry.last}` : ''}`, width - 1));
    }
    if (items.length > SHOWN) lines.push(`    … and ${items.length - SHOWN} more running`);
    return lines;
  }
}
