import { fromPromise } from 'xstate';
import type { SleepInput } from '../core/machine/machine-setup.js';
import type { RunDeps } from './run-deps.js';

/** The sleep actor: the pause before a retry, cut short when the run is interrupted. */
export function sleepActor(deps: RunDeps) {
  return fromPromise<void, SleepInput>(async ({ input }) => deps.ports.clock.sleep(input.ms, deps.settings.signal));
}
