import { hostname, userInfo } from 'node:os';
import { createDryRunChecks } from '../adapters/dry-run-checks.js';
import { createDryRunRunner } from '../adapters/dry-run-runner.js';
import { createExecaRunner } from '../adapters/execa-runner.js';
import { createLiveChecks } from '../adapters/live-checks.js';
import { createMaskingSink } from '../adapters/masking-sink.js';
import { netProbe } from '../adapters/net-probe.js';
import { osProcessTable } from '../adapters/os-process-table.js';
import { createPinoJournal } from '../adapters/pino-journal.js';
import { createPlainScreen } from '../adapters/plain-screen.js';
import { readSecrets } from '../adapters/read-secrets.js';
import { acquireRunLock, LockedError } from '../adapters/run-lock.js';
import type { SshOptions } from '../adapters/ssh-args.js';
import { createSshRunner } from '../adapters/ssh-runner.js';
import type { Warmups } from '../adapters/ssh-warmup.js';
import { createScriptedPrompter, rehearsalPolicy, unattendedPolicy } from '../adapters/scripted-prompter.js';
import { createVirtualClock, systemClock } from '../adapters/system-clock.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { createTtyScreen } from '../adapters/tty-screen.js';
import type { Plan } from '../core/plan-types.js';
import { UsageError } from '../core/problem.js';
import type { RunEvent } from '../core/run-event.js';
import { createMasker, shortSecrets } from '../core/secret-masker.js';
import { secretsUsed } from '../core/secrets-used.js';
import { executeRun, type InFlight, type RunOutcome, type RunPorts } from '../engine/execute-run.js';
import type { RestoreContext } from '../core/restore-machine.js';
import type { EventSink } from '../ports/event-sink.js';
import type { RunMeta, RunStore } from '../ports/run-store.js';
import { ExitCode } from './exit-codes.js';
import type { LoadedPlan } from './load-plan.js';
import { lifeboatVersion } from './version.js';
import type { SessionOptions } from './session-options.js';
import { counted } from '../core/plural.js';

/** Everything one run (or resumed run) of a plan needs. */
export interface Session {
  loaded: LoadedPlan;
  runId: string;
  options: SessionOptions;
  /** Absent for a dry run, which records nothing. */
  store?: RunStore;
  /** A new run's metadata, created once the lock is held. */
  meta?: RunMeta;
  /** Set when resuming. */
  resume?: { context: RestoreContext; inFlight?: InFlight; at?: string; acceptedChanges?: { added: string[]; removed: string[]; edited: string[] } };
  /** The selection options, for the run.started record. */
  selection: { only?: string[]; from?: string; skip?: string[] };
  /** Options a resume needs repeated, e.g. ` --logs /srv/logs`. */
  resumeOptions?: string;
  /** The run's shared ssh connections, and any opened before the session while the engine loaded. */
  ssh: { options: SshOptions; warm: Warmups };
}

function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.status === 'done') return ExitCode.Ok;
  return outcome.status === 'interrupted' ? ExitCode.Interrupted : ExitCode.Failed;
}

/** Runs a session: lock, journal, screen, prompts, signals; returns the exit code. */
export async function runSession(session: Session): Promise<number> {
  const { ssh } = session;
  const sshRunner = session.options.dryRun ? undefined : createSshRunner(ssh.options, ssh.warm);
  try {
    return await sessionWith(session, ssh.options, sshRunner);
  } finally {
    // On every way out (a held lock, an unwritable folder, the end of the run): no connection lingers.
    await sshRunner?.close();
  }
}

async function sessionWith(session: Session, ssh: SshOptions, sshRunner: ReturnType<typeof createSshRunner> | undefined): Promise<number> {
  const { loaded, runId, options, store } = session;
  const { plan } = loaded;
  const interactive = !options.yes && !options.dryRun;
  const out = stylesFor(process.stdout);
  const controller = new AbortController();

  const secrets = options.dryRun
    ? new Map<string, string>()
    : await readSecrets(
        plan.secrets,
        secretsUsed(plan),
        interactive ? async (name) => (await import('@inquirer/prompts')).password({ message: `Secret ${name}:`, mask: '*' }) : undefined,
      );

  const warnings: string[] = [];
  let release: (() => void) | undefined;
  const sinks: EventSink[] = [];
  if (store) {
    try {
      release = acquireRunLock(store.dir, plan.name, runId, (message) => warnings.push(message));
    } catch (error) {
      if (error instanceof LockedError) {
        process.stderr.write(`${stylesFor(process.stderr).red('✖')} ${error.message}\n  Wait for it to finish, or stop it; a lock whose process has died is taken over.\n`);
        return ExitCode.Locked;
      }
      throw unwritable(store.dir, error);
    }
    try {
      if (session.meta) store.create(session.meta);
      store.checkWritable(runId);
      sinks.push(createPinoJournal(store.runDir(runId), runId));
    } catch (error) {
      release();
      throw unwritable(store.dir, error);
    }
  }

  const steps = plan.phases.flatMap((p) => p.steps.filter((s) => s.selected));
  const positions = new Map(steps.map((s) => [s.id, s.position]));
  const resumeHint = (id: string) => `lifeboat resume ${id}`;
  let pauseScreen: (() => void) | undefined;
  if (process.stdout.isTTY) {
    const screen = createTtyScreen(process.stdout, out, {
      positions,
      resumeHint,
      titles: new Map(steps.map((s) => [s.id, s.title])),
      hosts: new Map(steps.map((s) => [s.id, s.host?.name])),
    });
    pauseScreen = screen.pause;
    sinks.push(screen);
  } else {
    sinks.push(createPlainScreen((text) => process.stdout.write(text), { positions, resumeHint, titles: new Map(steps.map((s) => [s.id, s.title])) }));
  }
  const finished: Extract<RunEvent, { kind: 'step.finished' }>[] = [];
  sinks.push({ emit: (event) => void (event.kind === 'step.finished' && finished.push(event)) });
  const masker = createMasker(secrets);
  const sink = createMaskingSink(masker, sinks);

  // The prompt library loads only when a person is asked: unattended runs start faster without it.
  const prompter = interactive
    ? (await import('../adapters/inquirer-prompter.js')).createInquirerPrompter({ styles: out, write: (text) => process.stdout.write(masker.mask(text)), onInterrupt: () => controller.abort(), pauseScreen: () => pauseScreen?.(), ssh })
    : createScriptedPrompter(options.dryRun ? rehearsalPolicy : unattendedPolicy);
  const live = createExecaRunner(sshRunner);
  const ports: RunPorts = options.dryRun
    ? { runner: createDryRunRunner(), checks: createDryRunChecks(options.probe ? createLiveChecks(live, netProbe, secrets) : undefined), prompter, sink, clock: createVirtualClock() }
    : { runner: live, checks: createLiveChecks(live, netProbe, secrets), prompter, sink, clock: systemClock, processes: osProcessTable };

  let signals = 0;
  const onSignal = () => {
    signals += 1;
    // The journal is written synchronously, so a second Ctrl-C can leave at once; still with the way back.
    if (signals > 1) {
      process.stdout.write(`\nInterrupted. Continue with: lifeboat resume ${runId}${session.resumeOptions ?? ''}${options.yes ? ' --yes' : ''}\n`);
      process.exit(ExitCode.Interrupted);
    }
    process.stderr.write('\nInterrupting: stopping the running command… (Ctrl-C again to leave at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = Date.now();
  const who = { operator: userInfo().username, hostname: hostname(), version: lifeboatVersion(), mode: interactive ? ('interactive' as const) : ('unattended' as const) };
  if (session.resume) {
    sink.emit({ kind: 'run.resumed', runId, ...who, at: session.resume.at, acceptedChanges: session.resume.acceptedChanges });
  } else {
    sink.emit({
      kind: 'run.started',
      runId,
      runbook: { name: plan.name, path: loaded.path, hash: loaded.hash },
      selection: session.selection,
      vars: plan.vars,
      ...who,
      dryRun: options.dryRun === true,
      steps: steps.length,
      phases: plan.phases.filter((p) => p.steps.some((s) => s.selected)).length,
    });
  }
  for (const message of warnings) sink.emit({ kind: 'run.note', level: 'warn', message });
  for (const name of shortSecrets(secrets)) {
    sink.emit({ kind: 'run.note', level: 'warn', message: `secret ${name} is very short: wherever its letters appear in output they are masked too` });
  }
  let outcome: RunOutcome;
  try {
    outcome = await executeRun(ports, {
      runId,
      plan,
      secrets,
      stepsDir: loaded.stepsDir,
      nodePath: process.execPath,
      signal: controller.signal,
      unattended: !interactive,
      context: session.resume?.context,
      inFlight: session.resume?.inFlight,
      // Resumed, the header's clock goes on from the run's first start, not from zero.
      runStartedAt: session.resume && store ? runStartOf(store, runId) : undefined,
      persist: store ? (snapshot) => store.saveSnapshot(runId, snapshot) : undefined,
    });
    for (const problem of (await store?.flush()) ?? []) {
      sink.emit({ kind: 'run.note', level: 'warn', message: `a snapshot could not be saved (${problem}); the journal has everything a resume needs` });
    }
    sink.emit({
      kind: 'run.finished',
      status: outcome.status,
      durationMs: Date.now() - started,
      counts: outcome.counts,
      stoppedAt: outcome.stoppedAt?.id,
      message: finishMessage(outcome, runId, options, session.resumeOptions ?? ''),
    });
  } finally {
    await sink.close?.();
    release?.();
    // The signal handlers stay: a second Ctrl-C while an interrupted command is dying exits 3 at once.
  }
  if (options.dryRun) process.stdout.write(rehearsalSummary(plan, finished));
  else if (store) {
    process.stdout.write(await closingSummary(store.dir, runId, plan, out));
    process.stdout.write(out.dim(`Run log: ${store.runDir(runId)}/events.jsonl\n`));
  }
  return exitCodeOf(outcome);
}

function runStartOf(store: RunStore, runId: string): number | undefined {
  try {
    const at = Date.parse(store.readMeta(runId).createdAt);
    return Number.isNaN(at) ? undefined : at;
  } catch {
    return undefined;
  }
}

/** The closing summary, read back from the journal so that it covers every session of the run. */
async function closingSummary(dir: string, runId: string, plan: Plan, out: ReturnType<typeof stylesFor>): Promise<string> {
  try {
    const { readRunSummary } = await import('../adapters/journal-reader.js');
    const { runLayout } = await import('../core/run-layout.js');
    const { closingSummaryText } = await import('../core/run-closing-text.js');
    const { summary } = await readRunSummary(dir, runId, { layout: runLayout(plan) });
    return closingSummaryText(summary, out, Math.min(process.stdout.columns ?? 80, 100));
  } catch (error) {
    return out.dim(`  (no closing summary: ${(error as Error).message}; \`lifeboat logs show ${runId}\` reads the run)\n`);
  }
}

function unwritable(dir: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  return new UsageError(`cannot record the run in ${dir}: ${code ?? (error as Error).message}`, {
    expected: 'a writable logs folder with free space: nothing runs without a record',
    received: code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'a folder that cannot be written' : String(code ?? error),
    hint: 'choose another with --logs DIR or LIFEBOAT_LOGS, or fix its permissions or free space',
  });
}

function finishMessage(outcome: RunOutcome, runId: string, options: SessionOptions, resumeOptions: string): string | undefined {
  if (options.dryRun) return 'This was a dry run: nothing was executed.';
  const at = outcome.stoppedAt ? `${outcome.stoppedAt.position} ${outcome.stoppedAt.title}` : undefined;
  // A stop that needs a person's decision is continued interactively, whatever this run was.
  const resume = `lifeboat resume ${runId}${resumeOptions}${options.yes && !outcome.needsPerson ? ' --yes' : ''}`;
  switch (outcome.status) {
    case 'done':
      return outcome.counts.failed ? `${counted(outcome.counts.failed, 'step')} failed and the run went on past ${outcome.counts.failed === 1 ? 'it' : 'them'} (on_failure: continue).` : undefined;
    case 'interrupted':
      return `Interrupted${at ? ` at ${at}` : ''}. Continue with: ${resume}`;
    default:
      return `Stopped${at ? ` at ${at}` : ''}${outcome.message ? `: ${outcome.message}` : ''}. Continue with: ${resume}`;
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

