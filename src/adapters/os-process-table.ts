import { readFileSync } from 'node:fs';
import type { ProcessTable } from '../ports/process-table.js';
import { killGroup } from './execa-runner.js';

function readStartTicks(pid: number): number | undefined {
  try {
    // Field 22 of /proc/PID/stat, counted after the command name, which may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Process groups on this machine, through signals and /proc. */
export const osProcessTable: ProcessTable = {
  alive(pgid, startTicks) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    // The group leader may be gone while its children run on; only a different leader means reuse.
    const now = readStartTicks(pgid);
    return startTicks === undefined || now === undefined || now === startTicks;
  },
  kill(pgid) {
    killGroup(pgid, 'SIGTERM');
    setTimeout(() => killGroup(pgid, 'SIGKILL'), 2_000).unref();
  },
  startTicks: readStartTicks,
};
