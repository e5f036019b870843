import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessTable } from '../ports/process-table.js';
import { killGroup } from './execa-runner.js';

/** When a process started, in clock ticks since boot (field 22 of /proc/PID/stat); undefined when it is gone. */
export function processStartTicks(pid: number): number | undefined {
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

function groupHasLiving(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch {}
  }
  return false;
}

/** Process groups on this machine, through signals and /proc. */
export const osProcessTable: ProcessTable = {
  alive(pgid, startTicks) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    // A group of zombies answers signals but runs nothing (a parent that never reaps): not alive.
    if (!groupHasLiving(pgid)) return false;
    // The group leader may be gone while its children run on; only a different leader means reuse.
    const now = processStartTicks(pgid);
    return startTicks === undefined || now === undefined || now === startTicks;
  },
  kill(pgid) {
    killGroup(pgid, 'SIGTERM');
    setTimeout(() => killGroup(pgid, 'SIGKILL'), 2_000).unref();
  },
  startTicks: processStartTicks,
};
