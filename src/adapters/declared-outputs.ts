import type { CheckSet, RunEvent } from '../core/model/run-event.js';
import type { PretendAttempt, PretendResult } from '../core/runbook-test/test-case.js';
import type { CheckRunner } from '../ports/check-runner.js';
import type { CommandRunner } from '../ports/command-runner.js';

/** A runner and checks that answer from a test case, plus the sink hook that tells them which step is running. */
export interface DeclaredOutputs {
  runner: CommandRunner;
  checks: CheckRunner;
  /** Fed every run event: the engine asks the ports nothing about steps, so the events say which one is current. */
  observe(event: RunEvent): void;
}

// A check nobody pretended about: a precheck says "not done yet" so the step runs, the rest pass.
const DEFAULTS: Record<CheckSet, PretendResult> = { precheck: 'fail', verify: 'pass', when: 'pass', wait: 'pass' };

/**
 * Ports that execute nothing: each command "exits" as its step's case declares (0 with no output
 * when it declares nothing) and each check passes or fails as declared, per attempt, the last
 * declared attempt repeating. An item of a foreach step pretends what `items` declares for its
 * key, else what its step declares; the engine names the item with each command and check.
 */
export function createDeclaredOutputs(declared: Readonly<Record<string, PretendAttempt[]>>, items: Readonly<Record<string, Record<string, PretendAttempt[]>>> = {}): DeclaredOutputs {
  let current: string | undefined;
  // The step's attempt; a foreach step's pass over its items.
  let attempt = 0;
  // Calls per step, item, attempt and check set, so a list of results is read one call at a time within its attempt.
  const calls = new Map<string, number>();
  const attemptOf = (item: string | undefined): PretendAttempt => {
    const own = item === undefined || !current ? undefined : items[current]?.[item];
    const list = own ?? ((current && declared[current]) || []);
    return list[Math.min(Math.max(attempt - 1, 0), list.length - 1)] ?? {};
  };
  return {
    observe(event) {
      if (event.kind === 'step.started') {
        current = event.step;
        attempt = 0;
      } else if (event.kind === 'step.attempt' || event.kind === 'step.items') {
        current = event.step;
        attempt = event.attempt;
      }
    },
    runner: {
      async run(spec, hooks = {}) {
        const pretend = attemptOf(spec.item);
        if (pretend.stdout) hooks.onOutput?.('stdout', pretend.stdout);
        if (pretend.stderr) hooks.onOutput?.('stderr', pretend.stderr);
        const output = `${pretend.stdout ?? ''}${pretend.stderr ?? ''}`;
        return { exitCode: pretend.exit ?? 0, timedOut: false, aborted: false, durationMs: 0, output, stdout: pretend.stdout ?? '' };
      },
    },
    checks: {
      async run(_check, set, _signal, item) {
        const key = `${current}\0${item ?? ''}\0${attempt}\0${set}`;
        const n = calls.get(key) ?? 0;
        calls.set(key, n + 1);
        const list = attemptOf(item)[set];
        const result = list ? list[Math.min(n, list.length - 1)]! : DEFAULTS[set];
        return result === 'pass' ? { ok: true, durationMs: 0 } : { ok: false, durationMs: 0, reason: 'declared to fail by the test case' };
      },
    },
  };
}
