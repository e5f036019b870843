import { hostname, userInfo } from 'node:os';
import { createDryRunChecks } from '../adapters/dry-run-checks.js';
import { createDryRunRunner } from '../adapters/dry-run-runner.js';
import { createExecaRunner } from '../adapters/execa-runner.js';
import { createLiveChecks } from '../adapters/live-checks.js';
import { withMaskedOutput } from '../adapters/masked-output-runner.js';
import { createMaskingSink } from '../adapters/masking-sink.js';
import { netProbe } from '../adapters/net-probe.js';
import { osProcessTable } from '../adapters/os-process-table.js';
import { createPinoJournal } from '../adapters/pino-journal.js';
import { createPlainScreen } from '../adapters/plain-screen.js';
import { readSecrets, scrubSecretSources } from '../adapters/read-secrets.js';
import { acquireRunLock, LockedError, lockedText, type RunLock } from '../adapters/run-lock.js';
import type { SshOptions } from '../adapters/ssh-args.js';
import { createSshRunner } from '../adapters/ssh-runner.js';
import type { Warmups } from '../adapters/ssh-warmup.js';
import { createScriptedPrompter, rehearsalPolicy, unattendedPolicyFor } from '../adapters/scripted-prompter.js';
import { promptOutput } from '../adapters/prompt-terminal.js';
import { confirmedSteps } from '../core/confirm-steps.js';
import { probePlan } from '../engine/probe-plan.js';
import type { StepProbe } from '../core/step-probe.js';
import { createProbeChecks } from '../adapters/dry-run-checks.js';
import { probeSummary } from '../core/probe-summary.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { lifeboatCommand } from './command-name.js';
import { createVirtualClock, systemClock } from '../adapters/system-clock.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { createTtyScreen } from '../adapters/tty-screen.js';
import type { Plan } from '../core/plan-types.js';
import { UsageError } from '../core/problem.js';
import type { RunEvent } from '../core/run-event.js';
import { createMasker, maskSnapshot, shortSecrets } from '../core/secret-masker.js';
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
import { zxScriptRunner } from '../adapters/zx-script-runner.js';

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
  /** A lock already taken (a resume takes it before reading the run's state), with what taking it warned about. */
  lock?: { lock: RunLock; warnings: string[] };
}

function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.status === 'done') return ExitCode.Ok;
  return outcome.status === 'interrupted' ? ExitCode.Interrupted : ExitCode.Failed;
}

/** Runs a session: lock, journal, screen, prompts, signals; returns the exit code. */
export async function runSession(session: Session): Promise<number> {
  const { ssh } = session;
  // A probe reaches the hosts over the same shared connections as a real run; a plain rehearsal reaches none.
  const sshRunner = session.options.dryRun && !session.options.probe ? undefined : createSshRunner(ssh.options, ssh.warm);
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
  // Checked before anything runs or asks: a mistyped id is an error, not a step left unconfirmed.
  const confirmed = confirmedSteps(plan, options.confirm);
  const transcript = options.transcript ? openTranscript(options.transcript) : undefined;
  try {
    return await sessionRun(session, ssh, sshRunner, { interactive, out, controller, confirmed, transcript });
  } finally {
    if (transcript !== undefined) closeSync(transcript);
  }
}

interface SessionState {
  interactive: boolean;
  out: ReturnType<typeof stylesFor>;
  controller: AbortController;
  confirmed: ReadonlySet<string>;
  /** The transcript file, when one was asked for. */
  transcript?: number;
}

async function sessionRun(session: Session, ssh: SshOptions, sshRunner: ReturnType<typeof createSshRunner> | undefined, state: SessionState): Promise<number> {
  const { loaded, runId, options, store } = session;
  const { plan } = loaded;
  const { interactive, out, controller, confirmed, transcript } = state;
  const prompts = interactive ? promptOutput() : undefined;
  // Whatever the screen shows also goes, as plain text, to the transcript.
  const copy = (text: string) => {
    if (transcript !== undefined) writeSync(transcript, stripVTControlCharacters(text));
  };
  const print = (text: string) => {
    process.stdout.write(text);
    copy(text);
  };

  const secrets = options.dryRun
    ? (scrubSecretSources(plan.secrets), new Map<string, string>())
    : await readSecrets(
        plan.secrets,
        secretsUsed(plan),
        interactive ? async (name) => (await import('@inquirer/prompts')).password({ message: `Secret ${name}:`, mask: '*' }, { output: prompts }) : undefined,
      );

  const warnings: string[] = [...(session.lock?.warnings ?? [])];
  let recordLost: string | undefined;
  let lock = session.lock?.lock;
  const sinks: EventSink[] = [];
  if (store) {
    try {
      lock ??= acquireRunLock(store.dir, plan.name, runId, (message) => warnings.push(message));
    } catch (error) {
      if (error instanceof LockedError) {
        process.stderr.write(`${stylesFor(process.stderr).red('✖')} ${lockedText(error)}`);
        return ExitCode.Locked;
      }
      throw unwritable(store.dir, error);
    }
    try {
      if (session.meta) store.create(session.meta);
      store.checkWritable(runId);
      sinks.push(
        createPinoJournal(store.runDir(runId), runId, (error) => {
          // The logs disk filled up (or failed) mid-run: the step in flight stops as if interrupted,
          // since nothing more could be recorded; the run stays resumable once there is room again.
          recordLost = `${error.code === 'ENOSPC' ? 'the disk of the logs folder is full' : 'the journal cannot be written'} (${error.code ?? error.message}): the run stops here, as if interrupted`;
          process.stderr.write(`\n${stylesFor(process.stderr).red('✖')} ${recordLost}. Free space in ${store.dir}, then resume.\n`);
          controller.abort();
        }),
      );
    } catch (error) {
      lock.release();
      throw unwritable(store.dir, error);
    }
  }

  const steps = plan.phases.flatMap((p) => p.steps.filter((s) => s.selected));
  const positions = new Map(steps.map((s) => [s.id, s.position]));
  const resumeHint = (id: string) => `${lifeboatCommand()} resume ${id}`;
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
    sinks.push(createPlainScreen((text) => process.stdout.write(text), { positions, resumeHint, titles: new Map(steps.map((s) => [s.id, s.title])) }, { cards: interactive }));
  }
  if (transcript !== undefined) sinks.push(createPlainScreen(copy, { positions, resumeHint, titles: new Map(steps.map((s) => [s.id, s.title])) }, { cards: interactive }));
  const finished: Extract<RunEvent, { kind: 'step.finished' }>[] = [];
  sinks.push({ emit: (event) => void (event.kind === 'step.finished' && finished.push(event)) });
  const masker = createMasker(secrets);
  const sink = createMaskingSink(masker, sinks);

  // The prompt library loads only when a person is asked: unattended runs start faster without it.
  const prompter = interactive
    ? (await import('../adapters/inquirer-prompter.js')).createInquirerPrompter({
        styles: out,
        write: (text) => print(masker.mask(text)),
        onInterrupt: () => controller.abort(),
        pauseScreen: () => pauseScreen?.(),
        ssh,
        output: prompts,
        resumeCommand: `${lifeboatCommand()} resume`,
      })
    : createScriptedPrompter(options.dryRun ? rehearsalPolicy : unattendedPolicyFor(confirmed));
  // What a command printed reaches failure cards and check excerpts masked, before any tail is cut.
  const live = withMaskedOutput(createExecaRunner(sshRunner), masker);
  // A probe's checks run once each, on hosts that answered: the rehearsal below shows the same results.
  const probeChecks = options.dryRun && options.probe ? createProbeChecks(createLiveChecks(live, netProbe, secrets), live) : undefined;
  const ports: RunPorts = options.dryRun
    ? { runner: createDryRunRunner(), checks: createDryRunChecks(probeChecks), prompter, sink, clock: createVirtualClock() }
    : { runner: live, checks: createLiveChecks(live, netProbe, secrets), prompter, sink, clock: systemClock, processes: osProcessTable };

  let signals = 0;
  let hungUp = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A closed terminal can hang up more than once (the kernel, then the terminal's own program):
    // one hang-up is one interruption, never the "leave at once" of a second Ctrl-C, which would
    // end the process before the journal records how the run stopped.
    if (signal === 'SIGHUP') {
      if (hungUp) return;
      hungUp = true;
    }
    signals += 1;
    // The journal is written synchronously, so a second Ctrl-C can leave at once; still with the way back.
    if (signals > 1) {
      print(`\nInterrupted. Continue with: ${lifeboatCommand()} resume ${runId}${session.resumeOptions ?? ''}${options.yes ? ` --yes${confirmFlags(confirmed)}` : ''}\n`);
      process.exit(ExitCode.Interrupted);
    }
    process.stderr.write('\nInterrupting: stopping the running command… (Ctrl-C again to leave at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal (SIGHUP) stops the run as SIGTERM does: recorded as interrupted, resumable.
  process.on('SIGHUP', onSignal);

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
      ...(session.meta?.drill !== undefined ? { drill: session.meta.drill } : {}),
      steps: steps.length,
      phases: plan.phases.filter((p) => p.steps.some((s) => s.selected)).length,
    });
  }
  for (const message of warnings) sink.emit({ kind: 'run.note', level: 'warn', message });
  // A lock lost mid-run (its file removed, or taken by another run) is said at once, and the run goes on.
  lock?.onLost((message) => sink.emit({ kind: 'run.note', level: 'warn', message }));
  for (const name of shortSecrets(secrets)) {
    sink.emit({ kind: 'run.note', level: 'warn', message: `secret ${name} is very short: wherever its letters appear in output they are masked too` });
  }
  let outcome: RunOutcome;
  let probed: StepProbe[] | undefined;
  try {
    if (probeChecks) probed = await probePlan(plan, probeChecks, controller.signal);
    outcome = await executeRun(ports, {
      runId,
      plan,
      secrets,
      stepsDir: loaded.stepsDir,
      nodePath: process.execPath,
      scriptRunner: zxScriptRunner(process.execPath),
      signal: controller.signal,
      unattended: !interactive,
      dryRun: options.dryRun === true,
      context: session.resume?.context,
      inFlight: session.resume?.inFlight,
      // Resumed, the header's clock goes on from the run's first start, not from zero.
      runStartedAt: session.resume && store ? runStartOf(store, runId) : undefined,
      persist: store ? (snapshot) => store.saveSnapshot(runId, () => maskSnapshot(snapshot(), masker)) : undefined,
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
      message: finishMessage(outcome, runId, options, session.resumeOptions ?? '', confirmed),
    });
    if (recordLost) process.stderr.write(`${recordLost}. ${finishMessage(outcome, runId, options, session.resumeOptions ?? '', confirmed)}\n`);
  } finally {
    try {
      await sink.close?.();
    } finally {
      lock?.release();
    }
    // The signal handlers stay: a second Ctrl-C while an interrupted command is dying exits 3 at once.
  }
  if (probed) print(probeSummary(probed));
  else if (options.dryRun) print(rehearsalSummary(plan, finished));
  else if (store) {
    print(await closingSummary(store.dir, runId, plan, out));
    print(out.dim(`Run log: ${store.runDir(runId)}/events.jsonl\n`));
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
    return out.dim(`  (no closing summary: ${(error as Error).message}; \`${lifeboatCommand()} logs show ${runId}\` reads the run)\n`);
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

/** ` --confirm a --confirm b`: the confirmations a resumed unattended run must be given again. */
function confirmFlags(confirmed: ReadonlySet<string>): string {
  return [...confirmed].map((id) => ` --confirm ${id}`).join('');
}

/** Opens the transcript file (0600: it is a record of the run, like its journal), or says why not. */
function openTranscript(path: string): number {
  try {
    return openSync(path, 'w', 0o600);
  } catch (error) {
    throw new UsageError(`cannot write the transcript ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      expected: 'a file that can be written',
      received: path,
      hint: 'choose another path for --transcript, or fix the folder\'s permissions',
    });
  }
}

function finishMessage(outcome: RunOutcome, runId: string, options: SessionOptions, resumeOptions: string, confirmed: ReadonlySet<string>): string | undefined {
  if (options.dryRun) return 'This was a dry run: nothing was executed.';
  const at = outcome.stoppedAt ? `${outcome.stoppedAt.position} ${outcome.stoppedAt.title}` : undefined;
  const base = `${lifeboatCommand()} resume ${runId}${resumeOptions}`;
  if (outcome.needsConfirm) {
    // Named on the command line, or confirmed by a person: both ways on are given.
    const flags = confirmFlags(new Set([...confirmed, outcome.needsConfirm]));
    return `Stopped${at ? ` at ${at}` : ''}${outcome.message ? `: ${outcome.message}` : ''}. Continue with: ${base} --yes${flags}, or ${base} to confirm it yourself`;
  }
  // A stop that needs a person's decision is continued interactively, whatever this run was.
  const resume = `${base}${options.yes && !outcome.needsPerson ? ` --yes${confirmFlags(confirmed)}` : ''}`;
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

