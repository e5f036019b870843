/** What the engine may ask about processes it started in an earlier, interrupted run. */
export interface ProcessTable {
  /** True while any process of the group still runs (and is the one recorded, when its start time is known). */
  alive(pgid: number, startTicks?: number): boolean;
  kill(pgid: number): void;
  /** When the process started, in clock ticks since boot, so a reused pid is not mistaken for it. */
  startTicks(pid: number): number | undefined;
}
