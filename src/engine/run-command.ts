import { valueText } from '../core/capture/captured-values.js';
import { readCaptures } from '../core/capture/read-captures.js';
import type { StepOutput } from '../core/machine/machine-setup.js';
import type { PlanStep } from '../core/model/plan-types.js';
import { secretMask } from '../core/shell/rendered.js';
import { formatDuration } from '../core/text/duration.js';
import type { CommandResult, CommandRunner } from '../ports/command-runner.js';
import { LineBuffer } from './line-buffer.js';
import type { RunDeps } from './run-deps.js';

// A runner that throws (a bug, or an adapter failing) still yields a result that says why.
async function runSafely(runner: CommandRunner, ...args: Parameters<CommandRunner['run']>): Promise<CommandResult> {
  try {
    return await runner.run(...args);
  } catch (error) {
    return { timedOut: false, aborted: false, durationMs: 0, output: '', stdout: '', error: (error as Error).message };
  }
}

/** Why a finished command failed, or undefined when it succeeded. */
function failureOf(step: PlanStep, result: CommandResult): string | undefined {
  if (result.error) return result.error;
  if (result.timedOut) return `timed out after ${formatDuration(step.timeoutMs ?? 0)}; its process group was killed`;
  if (result.exitCode === 0) return undefined;
  return `exited ${result.exitCode ?? result.signal} after ${formatDuration(result.durationMs)}`;
}

/** Runs one attempt of a step's command, journalling it from announcement to exit. */
export async function runCommand(deps: RunDeps, step: PlanStep, attempt: number, script: string, env: Record<string, string>, shown: string, item?: string): Promise<StepOutput> {
  const { ports, settings, emit } = deps;
  // Every event of an item's command names the item: a resume tells its items apart.
  const of = item === undefined ? { step: step.id } : { step: step.id, item };
  // On disk before the command starts: a resume then knows it may have run.
  deps.persist();
  emit({ kind: 'step.attempt', ...of, attempt, command: shown, host: step.host?.name });
  // A step that captures a secret prints it before it is known as one: its stdout is withheld.
  const withheld = step.capture.some((c) => c.secret);
  let said = false;
  const lines = new LineBuffer((stream, text) => {
    if (withheld && stream === 'stdout') {
      if (!said) emit({ kind: 'step.output', ...of, stream, text: '[stdout withheld: the step captures a secret from it]\n' });
      said = true;
      return;
    }
    emit({ kind: 'step.output', ...of, stream, text });
  });
  // A probe rehearsal runs a read-only step for real: what it captures is then known.
  const probing = settings.dryRun === true && step.readonly === true && ports.probeRunner !== undefined;
  const result = await runSafely(
    probing ? ports.probeRunner! : ports.runner,
    { script, host: step.action.kind === 'script' ? undefined : step.host, env, timeoutMs: step.timeoutMs, ...(item === undefined ? {} : { item }) },
    {
      signal: settings.signal,
      onSpawn: (pid) => emit({ kind: 'step.spawned', ...of, attempt, pid, pgid: pid, startTicks: ports.processes?.startTicks(pid) }),
      onOutput: (stream, text) => lines.push(stream, text),
    },
  );
  lines.flush();
  emit({
    kind: 'step.exited',
    ...of,
    attempt,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: Math.round(result.durationMs),
    error: result.error,
    // Stopped by Ctrl-C: whether it did its work is unknown, as after a crash.
    ...(result.aborted ? { interrupted: true } : {}),
  });
  const tail = withheld ? ['[output withheld: the step captures a secret from it]'] : result.output.trimEnd().split('\n').filter(Boolean).slice(-10);
  const exited = { code: result.exitCode, tail };
  if (result.aborted) return { ok: false, reason: 'interrupted', exited };
  const reason = failureOf(step, result);
  if (reason === undefined) return step.capture.length > 0 && item === undefined ? captured(deps, step, attempt, result, exited, probing) : { ok: true, exited };
  const commandLines = shown.trim().split('\n');
  const summary = result.error || result.timedOut ? reason : commandLines.length === 1 ? `\`${commandLines[0]}\` ${reason}` : `its ${commandLines.length}-line command ${reason}`;
  return { ok: false, reason, exited, failure: { summary, tail } };
}

/**
 * Reads what a step captures from its output. The values are journaled at once (a secret one
 * masked, and told to the run so it is masked everywhere): a resume restores them from there and
 * never runs the step again to capture them. A rehearsal runs nothing, so captures nothing.
 */
function captured(deps: RunDeps, step: PlanStep, attempt: number, result: CommandResult, exited: StepOutput['exited'], probing: boolean): StepOutput {
  if (deps.settings.dryRun && !probing) return { ok: true, exited };
  const read = readCaptures(step.capture, result.stdout, result.stdoutTruncated === true);
  if ('error' in read) return { ok: false, reason: read.error, exited, failure: { summary: read.error, tail: exited?.tail ?? [] } };
  for (const spec of step.capture) {
    if (spec.secret) deps.settings.learnSecret?.(`steps.${step.id}.${spec.name}`, valueText(read.values[spec.name]!));
  }
  // A secret JSON value is one secret: masked whole here, not string by string.
  const shown = Object.fromEntries(Object.entries(read.values).map(([name, value]) => [name, step.capture.find((c) => c.name === name)?.secret ? secretMask(`steps.${step.id}.${name}`) : value]));
  deps.emit({ kind: 'step.captured', step: step.id, attempt, values: shown });
  return { ok: true, exited, captures: read.values };
}
