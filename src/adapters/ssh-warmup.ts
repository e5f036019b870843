import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { HostRef, PlanStep } from '../core/model/plan-types.js';
import { type SshOptions, sshArgs } from './ssh-args.js';

/** A connection being opened ahead of its first use. */
export interface Warmup {
  host: HostRef;
  /** Settles once it is up (true) or could not be opened (false). */
  ready: Promise<boolean>;
  /** Gives up on one still being opened (the run ends before using it). */
  cancel(): void;
}

/** Connections being opened ahead of their first use, by host name. */
export type Warmups = ReadonlyMap<string, Warmup>;

/**
 * Opens a host's shared connection in the background (ssh as the control master, running `true`
 * there), so that the handshake goes on while Lifeboat gets ready. A host that cannot be reached
 * is not reported here: the first step on it connects again and says why. Needs only node, not
 * the step runner (which loads later).
 */
function warmUp(host: HostRef, options: SshOptions): Warmups {
  try {
    mkdirSync(options.controlDir, { recursive: true, mode: 0o700 });
  } catch {
    // The first step makes it, or says why it cannot.
    return new Map();
  }
  let settled = false;
  let child: ReturnType<typeof execFile> | undefined;
  const ready = new Promise<boolean>((resolve) => {
    // As the control master (it stays, ControlPersist) running `true`: a connection's first
    // session costs sshd more than the next ones, and that is paid here too, not by the step.
    child = execFile('ssh', [...sshArgs(host, options, 'yes'), '-n', '--', host.ssh, 'true'], { timeout: ((options.connectTimeoutSeconds ?? 10) + 5) * 1000 }, (error) => {
      settled = true;
      resolve(!error);
    });
  });
  const cancel = () => {
    if (!settled) child?.kill('SIGTERM');
  };
  return new Map([[host.name, { host, ready, cancel }]]);
}

/**
 * Opens the connection of the step a run starts with, when that step runs on a host (a script
 * step reaches its host itself); otherwise nothing.
 */
export function warmUpFirst(step: PlanStep | undefined, options: SshOptions): Warmups {
  return step?.host && step.action.kind !== 'script' ? warmUp(step.host, options) : new Map();
}
