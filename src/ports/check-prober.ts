import type { Check, HostRef } from '../core/model/plan-types.js';
import type { CheckSet } from '../core/model/run-event.js';

/** What looking at one check found: it passed, it failed, or it was not looked at (and why). */
export interface CheckLook {
  outcome: 'passed' | 'failed' | 'not run';
  reason?: string;
}

/** Looks at checks without changing anything: read-only checks only, on hosts that answer. */
export interface CheckProber {
  look(check: Check, set: CheckSet, signal?: AbortSignal): Promise<CheckLook>;
  /** Opens the connection to a host: undefined when it answers, else why it cannot be reached. */
  reach(host: HostRef): Promise<string | undefined>;
}
