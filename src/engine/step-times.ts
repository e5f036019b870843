/** Where a running step's time goes so far. */
interface Times {
  startedAt: number;
  waitedMs: number;
  shellMs: number;
}

/**
 * Where each running step's time went: its start, and the time at menus and in shells opened
 * from them (not part of its working time). Steps may run side by side, so each is tracked until
 * it finishes, then let go.
 */
export class StepTimes {
  private readonly steps = new Map<string, Times>();

  constructor(private readonly now: () => number) {}

  /** A step starts: its times from zero. */
  start(step: string): void {
    this.steps.set(step, { startedAt: this.now(), waitedMs: 0, shellMs: 0 });
  }

  /** A step finished: its times are no longer kept. */
  finish(step: string): void {
    this.steps.delete(step);
  }

  /** Time spent waiting for an answer about the step. */
  addWaited(step: string, ms: number): void {
    const times = this.steps.get(step);
    if (times) times.waitedMs += ms;
  }

  /** Time spent in a shell opened from a menu of the step. */
  addShell(step: string, ms: number): void {
    const times = this.steps.get(step);
    if (times) times.shellMs += ms;
  }

  shell(step: string): number {
    return this.steps.get(step)?.shellMs ?? 0;
  }

  waited(step: string): number {
    return this.steps.get(step)?.waitedMs ?? 0;
  }

  /** Working time so far: start to now, less waiting and shells. */
  working(step: string): number {
    const times = this.steps.get(step);
    if (!times) return 0;
    return Math.max(0, Math.round(this.now() - times.startedAt - times.waitedMs - times.shellMs));
  }
}
