/**
 * Where the current step's time went: its start, and the time at menus and in shells opened from
 * them (not part of its working time). Steps run one at a time, so only one step is tracked.
 */
export class StepTimes {
  private step: string | undefined;
  private startedAt = 0;
  private waitedMs = 0;
  private shellMs = 0;

  constructor(private readonly now: () => number) {}

  /** A new step starts: the previous step's times are dropped. */
  start(step: string): void {
    this.step = step;
    this.startedAt = this.now();
    this.waitedMs = 0;
    this.shellMs = 0;
  }

  /** Time spent waiting for an answer about the step. */
  addWaited(step: string, ms: number): void {
    if (step === this.step) this.waitedMs += ms;
  }

  /** Time spent in a shell opened from a menu of the step. */
  addShell(step: string, ms: number): void {
    if (step === this.step) this.shellMs += ms;
  }

  shell(step: string): number {
    return step === this.step ? this.shellMs : 0;
  }

  waited(step: string): number {
    return step === this.step ? this.waitedMs : 0;
  }

  /** Working time so far: start to now, less waiting and shells. */
  working(step: string): number {
    if (step !== this.step) return 0;
    return Math.max(0, Math.round(this.now() - this.startedAt - this.waitedMs - this.shellMs));
  }
}
