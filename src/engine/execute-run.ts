import { createActor, fromPromise, type AnyStateMachine } from 'xstate';
import { compileMachine } from '../core/compile-machine.js';
import type { Check, Plan, PlanStep } from '../core/plan-types.js';
import { displayText, renderShell, revealWith, secretEnvFor } from '../core/rendered.js';
import type { AskInput, AskOutput, ChecksInput, ChecksOutput, ConfirmOutput, RecoverOutput, RestoreContext, SleepInput, StepFinishedEvent, StepInput, StepOutput } from '../core/restore-machine.js';
import type { ProcessTable } from '../ports/process-table.js';
import type { CheckSet, RunEvent, RunStatus } from '../core/run-event.js';
import { shellQuote } from '../core/shell-quote.js';
import type { Clock } from '../ports/clock.js';
import type { CommandResult, CommandRunner } from '../ports/command-runner.js';
import type { EventSink } from '../ports/event-sink.js';
import type { FailureInfo, PromptContext, Prompter } from '../ports/prompter.js';
import type { CheckRunner } from '../ports/check-runner.js';
import { LineBuffer } from './line-buffer.js';
import type { CheckResult } from '../ports/check-runner.js';
import { formatDuration } from '../core/duration.js';

/** The effects a run uses; tests and --dry-run swap them. */
export interface RunPorts {
  runner: CommandRunner;
  checks: CheckRunner;
  prompter: Prompter;
  sink: EventSink;
  clock: Clock;
  /** Processes left by an interrupted run; needed only when resuming. */
  processes?: ProcessTable;
}

/** The step whose command may have been running when an earlier run died. */
export interface InFlight {
  step: string;
  /** Its process group, when the journal recorded the spawn. */
  pgid?: number;
  startTicks?: number;
  /** When the journal saw it spawned (ISO time): its timeout counts from then. */
  spawnedAt?: string;
}

export interface RunSettings {
  runId: string;
  plan: Plan;
  /** Secret values by name, read at the start of the run. */
  secrets: ReadonlyMap<string, string>;
  /** Absolute path of the steps folder, where script steps live. */
  stepsDir: string;
  /** The node binary that runs zx script steps. */
  nodePath: string;
  /** What runs a script step, before its path and arguments (node with zx); `nodePath` alone when unset. */
  scriptRunner?: readonly string[];
  /** Aborted on Ctrl-C or SIGTERM: the running command's process group is killed. */
  signal?: AbortSignal;
  /** Nobody reads the step cards (--yes): steps that are not manual go straight on, unasked. */
  unattended?: boolean;
  /** A rehearsal: confirmations are walked through, not given. */
  dryRun?: boolean;
  /** Resuming: the context the interrupted run had recorded. */
  context?: RestoreContext;
  /** Resuming: the command that may still be running. */
  inFlight?: InFlight;
  /** Resuming: when the run first started (ms since the epoch), so that its elapsed time goes on from there. */
  runStartedAt?: number;
  /**
   * Saves the machine's persisted snapshot after every transition (given as a function, so a
   * store that coalesces writes only builds the ones it writes). The journal, written before
   * each thing happens, stays the record a resume trusts first.
   */
  persist?: (snapshot: () => unknown) => void;
}

export interface RunOutcome {
  status: RunStatus;
  /** The step the run stopped at, when it did not finish. */
  stoppedAt?: PlanStep;
  message?: string;
  counts: Record<'done' | 'skipped' | 'failed' | 'pending', number>;
  /** The run stopped at a question only a person can answer (a manual step, an interrupted step that is not idempotent). */
  needsPerson?: boolean;
  /** The run stopped before a step whose confirmation nobody gave: its id, for `--confirm ID`. */
  needsConfirm?: string;
}

const WAIT_BACKOFF = 1.5;
const WAIT_MAX_INTERVAL_MS = 30_000;

/** Executes a plan by running its compiled XState machine with actors built on the given ports. */
export async function executeRun(ports: RunPorts, settings: RunSettings): Promise<RunOutcome> {
  const { plan, signal } = settings;
  const steps = new Map(plan.phases.flatMap((phase) => phase.steps.filter((s) => s.selected).map((s) => [s.id, s] as const)));
  const phases = plan.phases.filter((p) => p.steps.some((s) => s.selected));
  const runStarted = settings.runStartedAt ?? ports.clock.now();
  // Time at menus and in shells opened from them, per step: not part of a step's working time.
  const waited = new Map<string, number>();
  const inShell = new Map<string, number>();
  const addTo = (map: Map<string, number>, id: string, ms: number) => map.set(id, (map.get(id) ?? 0) + ms);
  const startedAt = new Map<string, number>();
  const lastExit = new Map<string, number | undefined>();
  const failures = new Map<string, FailureInfo>();
  let abortedFrom: AskInput['menu'] | 'confirm' | undefined;
  let needsPerson = false;
  let needsConfirm: string | undefined;
  let abortReason: string | undefined;
  const emit = (event: RunEvent) => ports.sink.emit(event);
  const reveal = revealWith(settings.secrets);
  const secretEnv = (names: string[]) => secretEnvFor(settings.secrets, names);
  const stepOf = (id: string) => {
    const step = steps.get(id);
    if (!step) throw new Error(`no selected step \`${id}\``);
    return step;
  };

  const begin = (step: PlanStep) => {
    if (startedAt.has(step.id)) return;
    startedAt.set(step.id, ports.clock.now());
    const instructions = step.action.kind === 'manual' ? { instructions: displayText(step.action.instructions) } : {};
    emit({ kind: 'step.started', step: step.id, position: step.position, title: step.title, phase: step.phase, action: step.action.kind, host: step.host?.name, ...instructions });
  };

  const context = (step: PlanStep): PromptContext => {
    const phaseIndex = phases.findIndex((p) => p.id === step.phase);
    const phase = phases[phaseIndex]!;
    return {
      runId: settings.runId,
      runbook: plan.name,
      phaseNumber: phase.number,
      phaseCount: plan.phases.length,
      phaseTitle: phase.title,
      stepNumber: Number(step.position.split('.')[1]),
      stepCount: phase.steps.length,
      elapsedMs: Math.max(0, ports.clock.now() - runStarted),
      shell: {
        opened: (where) => emit({ kind: 'shell.opened', step: step.id, where }),
        closed: (where, end) => {
          addTo(inShell, step.id, end.durationMs);
          emit({ kind: 'shell.closed', step: step.id, where, durationMs: Math.round(end.durationMs), exitCode: end.exitCode, signal: end.signal, error: end.error });
        },
      },
    };
  };

  /** Time a question waited for its answer, less any shell opened from it; added to the step's waiting. */
  const waitedSince = (id: string, asked: number, shellBefore: number): number | undefined => {
    if (ports.prompter.by !== 'operator') return undefined;
    const ms = Math.max(0, Math.round(ports.clock.now() - asked - ((inShell.get(id) ?? 0) - shellBefore)));
    addTo(waited, id, ms);
    return ms;
  };

  const lastOutput = new Map<string, string[]>();
  const checkPassed = (step: PlanStep, set: CheckSet, check: Check, result: CheckResult) =>
    emit({ kind: 'check.passed', step: step.id, set, check: check.label, durationMs: Math.round(result.durationMs), ...(result.assumed ? { assumed: true } : {}), ...(result.measured ? { measured: result.measured } : {}) });
  const checkFailed = (step: PlanStep, set: CheckSet, check: Check, result: CheckResult) => {
    emit({ kind: 'check.failed', step: step.id, set, check: check.label, durationMs: Math.round(result.durationMs), reason: result.reason ?? 'failed', output: result.output, ...(result.assumed ? { assumed: true } : {}), ...(result.measured ? { measured: result.measured } : {}) });
    if (set !== 'precheck') {
      // A check that printed nothing is explained best by what the step's own command printed.
      const own = (result.output ?? '').split('\n').filter(Boolean);
      failures.set(step.id, { summary: `check failed: ${check.label}: ${result.reason ?? 'failed'}`, tail: own.length ? own.slice(-10) : lastOutput.get(step.id) ?? [] });
    }
  };
  /** Runs checks in order until one fails; `quiet` leaves reporting to the caller (a wait polls many times). */
  const runChecks = async (step: PlanStep, checks: Check[], set: CheckSet, quiet = false): Promise<ChecksOutput & { results: CheckResult[] }> => {
    const results: CheckResult[] = [];
    for (const check of checks) {
      const result = await ports.checks.run(check, set, signal);
      results.push(result);
      if (result.ok) {
        if (!quiet) checkPassed(step, set, check, result);
        continue;
      }
      if (!quiet) checkFailed(step, set, check, result);
      return { ok: false, failed: check.label, results };
    }
    return { ok: true, results };
  };

  const persistNow = () => settings.persist?.(() => actor.getPersistedSnapshot());
  // A runner that throws (a bug, or an adapter failing) still yields a result that says why.
  const runSafely = async (...args: Parameters<CommandRunner['run']>): Promise<CommandResult> => {
    try {
      return await ports.runner.run(...args);
    } catch (error) {
      return { timedOut: false, aborted: false, durationMs: 0, output: '', stdout: '', error: (error as Error).message };
    }
  };

  const runCommand = async (step: PlanStep, attempt: number, script: string, env: Record<string, string>, shown: string): Promise<StepOutput> => {
    // On disk before the command starts: a resume then knows it may have run.
    persistNow();
    emit({ kind: 'step.attempt', step: step.id, attempt, command: shown, host: step.host?.name });
    const lines = new LineBuffer((stream, text) => emit({ kind: 'step.output', step: step.id, stream, text }));
    const result: CommandResult = await runSafely(
      { script, host: step.action.kind === 'script' ? undefined : step.host, env, timeoutMs: step.timeoutMs },
      {
        signal,
        onSpawn: (pid) => emit({ kind: 'step.spawned', step: step.id, attempt, pid, pgid: pid, startTicks: ports.processes?.startTicks(pid) }),
        onOutput: (stream, text) => lines.push(stream, text),
      },
    );
    lines.flush();
    lastExit.set(step.id, result.exitCode);
    emit({
      kind: 'step.exited',
      step: step.id,
      attempt,
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      durationMs: Math.round(result.durationMs),
      error: result.error,
      // Stopped by Ctrl-C: whether it did its work is unknown, as after a crash.
      ...(result.aborted ? { interrupted: true } : {}),
    });
    const tail = result.output.trimEnd().split('\n').filter(Boolean).slice(-10);
    lastOutput.set(step.id, tail);
    if (result.aborted) return { ok: false, reason: 'interrupted' };
    if (result.error) {
      failures.set(step.id, { summary: result.error, tail });
      return { ok: false, reason: result.error };
    }
    if (result.timedOut) {
      const reason = `timed out after ${formatDuration(step.timeoutMs ?? 0)}; its process group was killed`;
      failures.set(step.id, { summary: reason, tail });
      return { ok: false, reason };
    }
    if (result.exitCode !== 0) {
      const reason = `exited ${result.exitCode ?? result.signal} after ${formatDuration(result.durationMs)}`;
      const lines = shown.trim().split('\n');
      failures.set(step.id, { summary: lines.length === 1 ? `\`${lines[0]}\` ${reason}` : `its ${lines.length}-line command ${reason}`, tail });
      return { ok: false, reason };
    }
    return { ok: true };
  };

  const attempts = new Map<string, number>();
  const actors = {
    runChecks: fromPromise<ChecksOutput, ChecksInput>(async ({ input }) => {
      const step = stepOf(input.step);
      begin(step);
      return runChecks(step, input.set === 'precheck' ? step.precheck : step.verify, input.set);
    }),
    askOperator: fromPromise<AskOutput, AskInput>(async ({ input }) => {
      const step = stepOf(input.step);
      begin(step);
      const failure = failures.get(step.id) ?? { summary: 'the step failed', tail: [] };
      const asked = ports.clock.now();
      const shellBefore = inShell.get(step.id) ?? 0;
      let answer: AskOutput;
      try {
        answer =
          input.menu === 'before'
            ? await ports.prompter.beforeStep(step, context(step))
            : input.menu === 'failure'
              ? await ports.prompter.afterFailure(step, failure, context(step))
              : await ports.prompter.afterInterruption(step, failure, context(step));
      } catch (error) {
        // The machine aborts on a broken prompt; the run's end must still say why.
        abortedFrom = input.menu;
        abortReason = `the question could not be asked: ${(error as Error).message}`;
        throw error;
      }
      // A manual step is done while its card is shown: that time is its work, not waiting.
      const waitedMs = input.menu === 'before' && step.action.kind === 'manual' ? undefined : waitedSince(step.id, asked, shellBefore);
      emit({ kind: 'operator.choice', step: step.id, menu: input.menu, choice: answer.choice, reason: answer.reason, by: ports.prompter.by, ...(waitedMs ? { waitedMs } : {}) });
      if (answer.choice === 'abort') {
        abortedFrom = input.menu;
        abortReason = answer.reason;
      }
      return answer;
    }),
    confirmStep: fromPromise<ConfirmOutput, StepInput>(async ({ input }) => {
      const step = stepOf(input.step);
      const word = step.confirm?.kind === 'typed' ? reveal(step.confirm.word) : undefined;
      const asked = ports.clock.now();
      const confirmed = await ports.prompter.confirm(step, word);
      const unattended = ports.prompter.by === 'unattended' && !settings.dryRun;
      // Nobody was asked: the record says on whose word the step went on, or why it did not.
      const why = !unattended
        ? undefined
        : confirmed
          ? step.confirm?.kind === 'typed'
            ? `typed confirmation given on the command line (--confirm ${step.id})`
            : 'accepted unattended (--yes): nobody was asked'
          : `nobody is here to confirm it; an unattended run confirms it only when the command line names it (--confirm ${step.id})`;
      const waitedMs = waitedSince(step.id, asked, inShell.get(step.id) ?? 0);
      emit({ kind: 'operator.choice', step: step.id, menu: 'confirm', choice: confirmed ? 'confirmed' : 'declined', by: ports.prompter.by, ...(why ? { reason: why } : {}), ...(waitedMs ? { waitedMs } : {}) });
      if (!confirmed && ports.prompter.by === 'unattended') {
        // Declined with nobody there: asking again would loop, going on would run it. The run stops, resumable.
        abortedFrom = 'confirm';
        needsConfirm = step.id;
        abortReason = `${step.position} ${step.title} asks for ${step.confirm?.kind === 'typed' ? 'typed ' : ''}confirmation, and ${why ?? 'nobody gave it'}`;
        throw new Error(abortReason);
      }
      return { confirmed };
    }),
    runStep: fromPromise<StepOutput, StepInput>(async ({ input }) => {
      const step = stepOf(input.step);
      begin(step);
      const attempt = (attempts.get(step.id) ?? 0) + 1;
      attempts.set(step.id, attempt);
      const env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, reveal(v)]));
      const action = step.action;
      switch (action.kind) {
        case 'run': {
          const { script, secrets } = renderShell(action.command);
          return runCommand(step, attempt, script, { ...env, ...secretEnv(secrets) }, displayText(action.command));
        }
        case 'script': {
          const path = `${settings.stepsDir}/${action.script}`;
          const args = action.args.map((a) => shellQuote(reveal(a))).join(' ');
          const runner = (settings.scriptRunner ?? [settings.nodePath]).map(shellQuote).join(' ');
          const script = `exec ${runner} ${shellQuote(path)}${args ? ` ${args}` : ''}`;
          // A script reaches its host itself: it gets the inventory's settings for ssh.
          const host = step.host;
          const hostEnv: Record<string, string> = host
            ? {
                LIFEBOAT_HOST: host.name,
                LIFEBOAT_SSH: host.ssh,
                ...(host.port ? { LIFEBOAT_SSH_PORT: String(host.port) } : {}),
                ...(host.identity ? { LIFEBOAT_SSH_IDENTITY: host.identity } : {}),
                ...(host.knownHosts ? { LIFEBOAT_SSH_KNOWN_HOSTS: host.knownHosts } : {}),
              }
            : {};
          return runCommand(step, attempt, script, { ...env, ...hostEnv }, `zx ${action.script}${action.args.length ? ` ${action.args.map(displayText).join(' ')}` : ''}`);
        }
        case 'wait': {
          emit({ kind: 'step.attempt', step: step.id, attempt, command: `wait up to ${Math.round(action.timeoutMs / 1000)}s`, until: action.until.map((c) => c.label), timeoutMs: action.timeoutMs });
          let pending: string | undefined;
          // Polls until every check passes, the last poll falling on the deadline; only the outcome is reported.
          const deadline = ports.clock.now() + action.timeoutMs;
          let interval = action.intervalMs;
          for (;;) {
            const result = await runChecks(step, action.until, 'wait', true);
            if (result.ok) {
              action.until.forEach((check, i) => checkPassed(step, 'wait', check, result.results[i]!));
              return { ok: true };
            }
            if (signal?.aborted) return { ok: false, reason: 'interrupted' };
            if (result.failed !== pending) {
              pending = result.failed!;
              emit({ kind: 'wait.pending', step: step.id, check: pending });
            }
            const left = deadline - ports.clock.now();
            if (left <= 0) {
              const failing = action.until.find((c) => c.label === result.failed)!;
              checkFailed(step, 'wait', failing, result.results[result.results.length - 1]!);
              const reason = `still failing after ${formatDuration(action.timeoutMs)}: ${result.failed}`;
              failures.set(step.id, { summary: reason, tail: failures.get(step.id)?.tail ?? [] });
              return { ok: false, reason };
            }
            await ports.clock.sleep(Math.min(interval, left), signal);
            interval = Math.min(interval * WAIT_BACKOFF, WAIT_MAX_INTERVAL_MS);
          }
        }
        case 'manual':
          return { ok: true };
      }
    }),
    sleep: fromPromise<void, SleepInput>(async ({ input }) => ports.clock.sleep(input.ms, signal)),
    recoverStep: fromPromise<RecoverOutput, StepInput>(async ({ input }) => {
      const step = stepOf(input.step);
      begin(step);
      const flight = settings.inFlight?.step === step.id ? settings.inFlight : undefined;
      const table = ports.processes;
      if (flight?.pgid !== undefined && table?.alive(flight.pgid, flight.startTicks)) {
        // The step's own timeout counts from its spawn: a resume waits for the orphan no longer than that.
        const spawned = flight.spawnedAt ? Date.parse(flight.spawnedAt) : NaN;
        const deadline = step.timeoutMs !== undefined && Number.isFinite(spawned) ? spawned + step.timeoutMs : undefined;
        const overdue = () => deadline !== undefined && ports.clock.now() >= deadline;
        if (!overdue()) {
          const answer = await ports.prompter.stillRunning(step, flight.pgid);
          emit({ kind: 'operator.choice', step: step.id, menu: 'still-running', choice: answer, by: ports.prompter.by });
          if (answer === 'kill') table.kill(flight.pgid);
          else emit({ kind: 'run.note', level: 'info', step: step.id, message: `waiting for process group ${flight.pgid}, started by the interrupted run, to end${deadline !== undefined ? ` (at most until its timeout of ${formatDuration(step.timeoutMs!)} is up)` : ''}` });
        }
        while (table.alive(flight.pgid, flight.startTicks) && !signal?.aborted) {
          if (overdue()) {
            table.kill(flight.pgid);
            const reason = `timed out after ${formatDuration(step.timeoutMs!)}: its command, left running by the interrupted run, was still running; its process group was killed`;
            emit({ kind: 'run.note', level: 'warn', step: step.id, message: reason });
            failures.set(step.id, { summary: reason, tail: [] });
            return { ok: false, reason };
          }
          await ports.clock.sleep(deadline === undefined ? 200 : Math.max(1, Math.min(200, deadline - ports.clock.now())), signal);
        }
      }
      if (step.verify.length === 0) {
        const reason = 'it has no verify checks to show whether it completed';
        failures.set(step.id, { summary: reason, tail: [] });
        return { ok: false, reason };
      }
      emit({ kind: 'run.note', level: 'info', step: step.id, message: `${step.position} was running when the run stopped: checking it before going on` });
      const result = await runChecks(step, step.verify, 'verify');
      return result.ok ? { ok: true } : { ok: false, reason: `interrupted, and check failed: ${result.failed}` };
    }),
  };

  // Resuming, steps that had ended are left out of the machine: a long run stopped near its end
  // resumes without building (and walking) states for everything already done.
  const ended = (step: PlanStep) => {
    const status = settings.context?.steps[step.id]?.status;
    return status === 'done' || status === 'skipped' || (status === 'failed' && step.onFailure === 'continue');
  };
  const remaining: Plan = settings.context
    ? { ...plan, phases: plan.phases.map((phase) => ({ ...phase, steps: phase.steps.map((step) => (step.selected && ended(step) ? { ...step, selected: false } : step)) })) }
    : plan;
  const machine: AnyStateMachine = compileMachine(remaining, settings.context, actors, { unattended: settings.unattended === true });
  const actor = createActor(machine);
  let current: string | undefined;
  actor.on('step.finished', (event: StepFinishedEvent) => {
    const { step: id, record } = event;
    const step = stepOf(id);
    emit({
      kind: 'step.finished',
      step: id,
      position: step.position,
      status: record.status as 'done' | 'skipped' | 'failed',
      via: record.via,
      exitCode: lastExit.get(id),
      attempts: record.attempts,
      durationMs: Math.max(0, Math.round(ports.clock.now() - (startedAt.get(id) ?? ports.clock.now()) - (waited.get(id) ?? 0) - (inShell.get(id) ?? 0))),
      reason: record.reason,
      ...(waited.get(id) ? { waitedMs: Math.round(waited.get(id)!) } : {}),
    });
  });

  const outcome = await new Promise<RunOutcome>((resolve) => {
    const stop = (status: RunStatus, message?: string) => {
      const snapshot = actor.getSnapshot();
      const stoppedAt = status !== 'done' && current ? steps.get(current) : undefined;
      // Resolved on the next tick, so that a flag set just after stop() is included.
      queueMicrotask(() =>
        resolve({ status, stoppedAt, message, counts: countSteps(snapshot.context as RestoreContext, steps.size), ...(needsPerson ? { needsPerson } : {}), ...(needsConfirm ? { needsConfirm } : {}) }),
      );
    };
    const onAbort = () => {
      // The step in flight is not finished: it stays current, so a resume checks it first.
      actor.stop();
      stop('interrupted', 'interrupted by a signal');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    actor.subscribe({
      next: (snapshot) => {
        current = currentStep(snapshot.value) ?? current;
        persistNow();
        if (snapshot.status === 'done') {
          signal?.removeEventListener('abort', onAbort);
          persistNow();
          const ctx = snapshot.context as RestoreContext;
          if (ctx.outcome === 'aborted') {
            const stoppedAt = lastStepOf(ctx, steps);
            current = stoppedAt;
            stop(abortedFrom === 'failure' && ports.prompter.by === 'unattended' ? 'failed' : 'aborted', abortReason);
            if (ports.prompter.by === 'unattended' && (abortedFrom === 'interrupted' || abortedFrom === 'before')) needsPerson = true;
          } else stop('done');
        }
      },
      error: (error) => {
        signal?.removeEventListener('abort', onAbort);
        stop(signal?.aborted ? 'interrupted' : 'aborted', abortReason ?? (error as Error).message);
      },
    });
    actor.start();
  });
  return outcome;
}

/** The id of the step the machine is in, from a state value like { zfs: { 'import-pool': 'running' } }. */
export function currentStep(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const [, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  if (typeof inner === 'string') return inner.startsWith('_') ? undefined : inner;
  if (!inner || typeof inner !== 'object') return undefined;
  const [step] = Object.keys(inner);
  return step && !step.startsWith('_') ? step : undefined;
}

function lastStepOf(ctx: RestoreContext, steps: ReadonlyMap<string, PlanStep>): string | undefined {
  let last: string | undefined;
  for (const id of steps.keys()) if (ctx.steps[id]) last = id;
  return last;
}

function countSteps(ctx: RestoreContext, total: number): RunOutcome['counts'] {
  const counts = { done: 0, skipped: 0, failed: 0, pending: 0 };
  for (const record of Object.values(ctx.steps)) {
    if (record.status === 'done' || record.status === 'skipped' || record.status === 'failed') counts[record.status] += 1;
  }
  counts.pending = total - counts.done - counts.skipped - counts.failed;
  return counts;
}

