import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { password } from '@inquirer/prompts';
import { createDryRunChecks } from '../adapters/dry-run-checks.js';
import { createDryRunRunner } from '../adapters/dry-run-runner.js';
import { createExecaRunner } from '../adapters/execa-runner.js';
import { createInquirerPrompter } from '../adapters/inquirer-prompter.js';
import { createLiveChecks } from '../adapters/live-checks.js';
import { createMaskingSink } from '../adapters/masking-sink.js';
import { netProbe } from '../adapters/net-probe.js';
import { createPinoJournal, createRunDir } from '../adapters/pino-journal.js';
import { createPlainScreen } from '../adapters/plain-screen.js';
import { readSecrets } from '../adapters/read-secrets.js';
import { createScriptedPrompter, rehearsalPolicy, unattendedPolicy } from '../adapters/scripted-prompter.js';
import { createVirtualClock, systemClock } from '../adapters/system-clock.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { createTtyScreen } from '../adapters/tty-screen.js';
import type { Plan } from '../core/plan-types.js';
import { UsageError } from '../core/problem.js';
import type { RunEvent } from '../core/run-event.js';
import { makeRunId } from '../core/run-id.js';
import { createMasker, shortSecrets } from '../core/secret-masker.js';
import { secretsUsed } from '../core/secrets-used.js';
import { executeRun, type RunOutcome } from '../engine/execute-run.js';
import type { EventSink } from '../ports/event-sink.js';
import { ExitCode } from './exit-codes.js';
import { loadPlanWithSources } from './load-plan.js';
import { planRequest, type PlanOptions } from './plan-options.js';
import { lifeboatVersion } from './version.js';

export interface RunOptions extends PlanOptions {
  yes?: boolean;
  dryRun?: boolean;
  probe?: boolean;
  logs?: string;
}

/** The logs folder: --logs, else $LIFEBOAT_LOGS, else logs/ in the current directory. */
export function logsDir(option: string | undefined): string {
  return resolve(option ?? process.env.LIFEBOAT_LOGS ?? 'logs');
}

function exitCodeOf(outcome: RunOutcome): number {
  switch (outcome.status) {
    case 'done':
      return ExitCode.Ok;
    case 'interrupted':
      return ExitCode.Interrupted;
    default:
      return ExitCode.Failed;
  }
}

/** `lifeboat run FILE`: walks the restore step by step, verifying each, recording everything. */
export async function runCommand(file: string, options: RunOptions): Promise<number> {
  const interactive = !options.yes && !options.dryRun;
  if (interactive && !(process.stdin.isTTY && process.stdout.isTTY)) {
    throw new UsageError('no terminal to ask questions on', {
      expected: 'a terminal, or --yes to run unattended (or --dry-run to rehearse)',
      received: `${process.stdin.isTTY ? 'input' : 'no input'} terminal, ${process.stdout.isTTY ? 'output' : 'no output'} terminal`,
      hint: `lifeboat run ${file} --yes`,
    });
  }
  if (options.probe && !options.dryRun) throw new UsageError('--probe goes with --dry-run', { expected: '--dry-run --probe', received: '--probe alone' });
  const { plan, hash, stepsDir } = loadPlanWithSources(planRequest(file, options));
  const out = stylesFor(process.stdout);
  const runId = makeRunId(new Date(), plan.name, randomBytes(2).toString('hex'));

  const controller = new AbortController();
  let prompterScreenPause: (() => void) | undefined;
  const secrets = options.dryRun
    ? new Map<string, string>()
    : await readSecrets(plan.secrets, secretsUsed(plan), interactive ? (name) => password({ message: `Secret ${name}:`, mask: '*' }) : undefined);

  const sinks: EventSink[] = [];
  let runDir: string | undefined;
  if (!options.dryRun) {
    const dir = logsDir(options.logs);
    try {
      runDir = createRunDir(dir, runId);
      sinks.push(createPinoJournal(runDir, runId));
    } catch (error) {
      throw new UsageError(`cannot write run logs in ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        expected: 'a writable logs folder (nothing runs without a record)',
        received: dir,
        hint: 'choose another with --logs DIR or LIFEBOAT_LOGS, or fix its permissions',
      });
    }
  }
  const steps = plan.phases.flatMap((p) => p.steps.filter((s) => s.selected));
  const positions = new Map(steps.map((s) => [s.id, s.position]));
  const resumeHint = (id: string) => `lifeboat resume ${id}`;
  if (process.stdout.isTTY) {
    const screen = createTtyScreen(process.stdout, out, {
      positions,
      resumeHint,
      titles: new Map(steps.map((s) => [s.id, s.title])),
      hosts: new Map(steps.map((s) => [s.id, s.host?.name])),
    });
    prompterScreenPause = screen.pause;
    sinks.push(screen);
  } else {
    sinks.push(createPlainScreen((text) => process.stdout.write(text), { positions, resumeHint }));
  }
  const finished: Extract<RunEvent, { kind: 'step.finished' }>[] = [];
  sinks.push({ emit: (event) => void (event.kind === 'step.finished' && finished.push(event)) });
  const sink = createMaskingSink(createMasker(secrets), sinks);

  const prompter = interactive
    ? createInquirerPrompter({
        styles: out,
        write: (text) => process.stdout.write(createMasker(secrets).mask(text)),
        onInterrupt: () => controller.abort(),
        pauseScreen: () => prompterScreenPause?.(),
      })
    : createScriptedPrompter(options.dryRun ? rehearsalPolicy : unattendedPolicy);
  const live = createExecaRunner();
  const ports = options.dryRun
    ? { runner: createDryRunRunner(), checks: createDryRunChecks(options.probe ? createLiveChecks(live, netProbe, secrets) : undefined), prompter, sink, clock: createVirtualClock() }
    : { runner: live, checks: createLiveChecks(live, netProbe, secrets), prompter, sink, clock: systemClock };

  let signals = 0;
  const onSignal = () => {
    signals += 1;
    // The journal is written synchronously, so a second Ctrl-C can leave at once.
    if (signals > 1) process.exit(ExitCode.Interrupted);
    process.stderr.write('\nInterrupting: stopping the running command… (Ctrl-C again to leave at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = Date.now();
  sink.emit({
    kind: 'run.started',
    runId,
    runbook: { name: plan.name, path: resolve(file), hash },
    selection: { only: options.only, from: options.from, skip: options.skip },
    vars: plan.vars,
    operator: userInfo().username,
    hostname: hostname(),
    version: lifeboatVersion(),
    mode: interactive ? 'interactive' : 'unattended',
    dryRun: options.dryRun === true,
    steps: steps.length,
    phases: plan.phases.filter((p) => p.steps.some((s) => s.selected)).length,
  });
  for (const name of shortSecrets(secrets)) {
    sink.emit({ kind: 'run.note', level: 'warn', message: `secret ${name} is very short: wherever its letters appear in output they are masked too` });
  }
  const outcome = await executeRun(ports, { runId, plan, secrets, stepsDir, nodePath: process.execPath, signal: controller.signal });
  sink.emit({
    kind: 'run.finished',
    status: outcome.status,
    durationMs: Date.now() - started,
    counts: outcome.counts,
    stoppedAt: outcome.stoppedAt?.id,
    message: finishMessage(outcome, runId, options),
  });
  await sink.close?.();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (options.dryRun) process.stdout.write(rehearsalSummary(plan, finished));
  else if (runDir) process.stdout.write(out.dim(`Run log: ${runDir}/events.jsonl\n`));
  return exitCodeOf(outcome);
}

function finishMessage(outcome: RunOutcome, runId: string, options: RunOptions): string | undefined {
  if (options.dryRun) return 'This was a dry run: nothing was executed.';
  const at = outcome.stoppedAt ? `${outcome.stoppedAt.position} ${outcome.stoppedAt.title}` : undefined;
  switch (outcome.status) {
    case 'done':
      return outcome.counts.failed ? `${outcome.counts.failed} step(s) failed and the run went on past them (on_failure: continue).` : undefined;
    case 'interrupted':
      return `Interrupted${at ? ` at ${at}` : ''}. Continue with: lifeboat resume ${runId}`;
    default:
      return `Stopped${at ? ` at ${at}` : ''}${outcome.message ? `: ${outcome.message}` : ''}. Continue with: lifeboat resume ${runId}`;
  }
}

function rehearsalSummary(plan: Plan, finished: Extract<RunEvent, { kind: 'step.finished' }>[]): string {
  const byStep = new Map(finished.map((f) => [f.step, f]));
  const lines = ['', 'Rehearsal: what a real run would do now'];
  const counts = { satisfied: 0, 'would run': 0, blocked: 0 };
  for (const phase of plan.phases) {
    for (const step of phase.steps) {
      if (!step.selected) continue;
      const f = byStep.get(step.id);
      const verdict: keyof typeof counts = f?.via === 'precheck' ? 'satisfied' : f?.status === 'skipped' && f.reason?.startsWith('blocked') ? 'blocked' : 'would run';
      counts[verdict] += 1;
      lines.push(`  ${step.position.padEnd(6)}${verdict.padEnd(11)}${step.title}${verdict === 'blocked' && f?.reason ? ` (${f.reason})` : ''}`);
    }
  }
  lines.push(`${counts.satisfied} satisfied, ${counts['would run']} would run, ${counts.blocked} blocked. Nothing was executed.`, '');
  return lines.join('\n');
}
