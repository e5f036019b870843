import { readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** Whether a process with this pid exists (one of another user counts: it exists). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the socket folders of runs that are gone (killed, or the machine rebooted): a run
 * closes its own connections as it ends, but one that was killed could not, and its folder would
 * stay in /tmp with a dead socket. `controlDir` is this run's folder; its siblings are named by
 * the pid of their run.
 */
export function removeStaleControlDirs(controlDir: string): void {
  const parent = dirname(controlDir);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    // No folder yet: nothing was left.
    return;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid || alive(Number(name))) continue;
    rmSync(`${parent}/${name}`, { recursive: true, force: true });
  }
}
