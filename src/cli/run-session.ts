import { setMaxListeners } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { promptOutput } from '../adapters/prompt-terminal.js';
import { readSecrets, scrubSecretSources } from '../adapters/read-secrets.js';
import type { RunLock } from '../adapters/run-lock.js';
import type { SshOptions } from '../adapters/ssh-args.js';
import { createSshRunner } from '../adapters/ssh-runner.js';
import type { Warmups } from '../adapters/ssh-warmup.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { zxScriptRunner } from '../adapters/zx-script-runner.js';
import type { Captures } from '../core/capture/captured-values.js';
import type { StepRecord } from '../core/machine/machine-setup.js';
import { UsageError } from '../core/model/problem.js';
import type { RunEvent } from '../core/model/run-event.js';
import type { StepProbe } from '../core/model/step-probe.js';
import { givenAnswers, unansweredQuestions } from '../core/plan/answer-steps.js';
import { confirmedSteps } from '../core/plan/confirm-steps.js';
import { maskSnapshot, shortSecrets } from '../core/secrets/secret-masker.js';
import { secretsUsed } from '../core/secrets/secrets-used.js';
import { executeRun, type InFlight, type RunOutcome } from '../engine/execute-run.js';
import { probePlan } from '../engine/probe-plan.js';
import type { RunMeta, RunStore } from '../ports/run-store.js';
import { closingMessage, confirmFlags, finishMessage } from './closing-message.js';
import { lifeboatCommand } from './command-name.js';
import { ExitCode } from './exit-codes.js';
import { handleInterrupts } from './handle-interrupts.js';
import type { LoadedPlan } from './load-plan.js';
import { type NoteChannel, screenNotes } from './note-channel.js';
import { openRunRecord, type RunRecord } from './open-run-record.js';
import { concurrencyOption, type SessionOptions } from './session-options.js';
import { buildSessionPorts, type SessionPorts } from './session-ports.js';
import { lifeboatVersion } from './version.js';

/** Everything one run (or resumed run) of a plan needs. */
export interface Session {
  loaded: LoadedPlan;
  runId: string;
  options: SessionOptions;
  /** Absent for a dry run, which records nothing. */
  store?: RunStore;
  /**
   * A new run's metadata, made and written once the lock is held. A function: its fingerprint and
   * id per step are written to run.json, not kept in memory for the length of the run.
   */
  meta?: () => RunMeta;
  /** A new rehearsal's purpose (`run --drill`), for the run.started record. */
  drill?: string;
  /** Set when resuming. */
  resume?: {
    records: Readonly<Record<string, StepRecord>>;
    inFlight?: InFlight;
    at?: string;
    acceptedChanges?: { added: string[]; removed: string[]; edited: string[] };
    /** The values the interrupted run captured (secret ones left out: only their masks were recorded). */
    captures?: Captures;
    /** The items of foreach steps that ended done, by step id. */
    itemsDone?: ReadonlyMap<string, ReadonlySet<string>>;
    /** The items whose command may still be running, by `STEP\nKEY`. */
    inFlightItems?: ReadonlyMap<string, Omit<InFlight, 'step'>>;
  };
  /** The selection options, for the run.started record. */
  selection: { only?: string[]; from?: string; skip?: string[] };
  /** Options a resume needs repeated, e.g. ` --logs /srv/logs`. */
  resumeOptions?: string;
  /** The run's shared ssh connections, and any opened before the session while the engine loaded. */
  ssh: { options: SshOptions; warm: Warmups };
  /** A lock already taken (a resume takes it before reading the run's state), and where its warnings are said. */
  lock?: { lock: RunLock; notes: NoteChannel };
}

/** How the session talks: styles, the screen (copied to the transcript), the run's stop switch. */
interface Talk {
  interactive: boolean;
  out: ReturnType<typeof stylesFor>;
  controller: AbortController;
  confirmed: ReadonlySet<string>;
  /** The answers given on the command line, by step id. */
  answers: ReadonlyMap<string, string>;
  /** How many steps may run at once, when given on the command line. */
  concurrency?: number;
  print: (text: string) => void;
  copy?: (text: string) => void;
}

function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.status === 'done') return ExitCode.Ok;
  return outcome.status === 'interrupted' ? ExitCode.Interrupted : ExitCode.Failed;
}

/** Runs a session: record, screen, prompts, signals; returns the exit code. */
export async function runSession(session: Session): Promise<number> {
  const { ssh, options } = session;
  // A probe reaches the hosts over the same shared connections as a real run; a plain rehearsal reaches none.
  const sshRunner = options.dryRun && !options.probe ? undefined : createSshRunner(ssh.options, ssh.warm);
  let transcript: number | undefined;
  // On every way out (a refused option, a held lock, an unwritable folder, the end of the run): no
  // connection lingers, including the one opened ahead while Lifeboat started.
  try {
    // Checked before anything runs or asks: a mistyped id is an error, not a step left unconfirmed.
    const confirmed = confirmedSteps(session.loaded.plan, options.confirm);
    const controller = new AbortController();
    // Every running command (up to a foreach step's concurrency, and its checks) listens for the stop.
    setMaxListeners(256, controller.signal);
    const answers = givenAnswers(session.loaded.plan, options.answer);
    const concurrency = concurrencyOption(options.concurrency);
    // Unattended, a question nobody can answer stops the run now, not at its step.
    if (options.yes && !options.dryRun) unansweredQuestions(session.loaded.plan, answers, session.resume?.records);
    const fd = options.transcript ? openTranscript(options.transcript) : undefined;
    transcript = fd;
    // Whatever the screen shows also goes, as plain text, to the transcript.
    const copy = fd === undefined ? undefined : (text: string) => void writeSync(fd, stripVTControlCharacters(text));
    const talk: Talk = {
      interactive: !options.yes && !options.dryRun,
      out: stylesFor(process.stdout),
      controller,
      confirmed,
      answers,
      concurrency,
      print: (text) => {
        process.stdout.write(text);
        copy?.(text);
      },
      copy,
    };
    return await recordedSession(session, sshRunner, talk);
  } finally {
    if (transcript !== undefined) closeSync(transcript);
    await sshRunner?.close();
  }
}

/** Reads the secrets the plan uses (asked for when a person is there); a rehearsal reads none. */
async function sessionSecrets(session: Session, interactive: boolean, prompts: NodeJS.WriteStream | undefined): Promise<Map<string, string>> {
  const { plan } = session.loaded;
  if (session.options.dryRun) {
    scrubSecretSources(plan.secrets);
    return new Map();
  }
  const ask = interactive ? async (name: string) => (await import('@inquirer/prompts')).password({ message: `Secret ${name}:`, mask: '*' }, { output: prompts }) : undefined;
  return readSecrets(plan.secrets, secretsUsed(plan), ask);
}

/** Opens the run's record (none for a dry run), then runs the session on it; the lock is always given up. */
async function recordedSession(session: Session, sshRunner: ReturnType<typeof createSshRunner> | undefined, talk: Talk): Promise<number> {
  const { store, runId } = session;
  const prompts = talk.interactive ? promptOutput() : undefined;
  const secrets = await sessionSecrets(session, talk.interactive, prompts);
  const notes = session.lock?.notes ?? screenNotes();
  const stop = () => talk.controller.abort();
  const record = store ? openRunRecord({ store, runbook: session.loaded.plan.name, runId, meta: session.meta, held: session.lock?.lock, notes, stop }) : undefined;
  let built: SessionPorts | undefined;
  let ended: { outcome: RunOutcome; probed?: StepProbe[] };
  try {
    built = await buildSessionPorts({
      plan: session.loaded.plan,
      dryRun: session.options.dryRun === true,
      probe: session.options.probe === true,
      interactive: talk.interactive,
      sideBySide: (talk.concurrency ?? session.loaded.plan.concurrency ?? 1) > 1,
      confirmed: talk.confirmed,
      secrets,
      out: talk.out,
      journal: record?.journal,
      sshRunner,
      ssh: session.ssh.options,
      prompts,
      print: talk.print,
      copy: talk.copy,
      stop,
    });
    ended = await runOnRecord(session, talk, built, { record, notes, secrets });
  } finally {
    // Said after this, a warning (a lock lost at the very end) goes to stderr, never to a closed journal.
    notes.disconnect();
    try {
      await (built ? built.sink.close?.() : record?.journal.close?.());
    } finally {
      record?.lock.release();
    }
  }
  const { plan } = session.loaded;
  talk.print(await closingMessage({ plan, runId, store, dryRun: session.options.dryRun === true, probed: ended.probed, finished: built.finished, out: talk.out }));
  return exitCodeOf(ended.outcome);
}

/** The run's first record: a new run's start, or a resume. */
function startEvent(session: Session, interactive: boolean): RunEvent {
  const { loaded, runId, options } = session;
  const { plan } = loaded;
  const who = { operator: userInfo().username, hostname: hostname(), version: lifeboatVersion(), mode: interactive ? ('interactive' as const) : ('unattended' as const) };
  if (session.resume) return { kind: 'run.resumed', runId, ...who, at: session.resume.at, acceptedChanges: session.resume.acceptedChanges };
  return {
    kind: 'run.started',
    runId,
    runbook: { name: plan.name, path: loaded.path, hash: loaded.hash },
    selection: session.selection,
    vars: plan.vars,
    ...who,
    dryRun: options.dryRun === true,
    ...(session.drill !== undefined ? { drill: session.drill } : {}),
    steps: plan.phases.reduce((n, p) => n + p.steps.filter((s) => s.selected).length, 0),
    phases: plan.phases.filter((p) => p.steps.some((s) => s.selected)).length,
  };
}

/** Runs the plan with its ports on the open record: start record, warnings as they come, the engine, the end record. */
async function runOnRecord(
  session: Session,
  talk: Talk,
  built: SessionPorts,
  on: { record?: RunRecord; notes: NoteChannel; secrets: ReadonlyMap<string, string> },
): Promise<{ outcome: RunOutcome; probed?: StepProbe[] }> {
  const { loaded, runId, options, store } = session;
  const { sink, masker, probeChecks } = built;
  const resumeOptions = session.resumeOptions ?? '';
  handleInterrupts(
    () => talk.controller.abort(),
    () => {
      talk.print(`\nInterrupted. Continue with: ${lifeboatCommand()} resume ${runId}${resumeOptions}${options.yes ? ` --yes${confirmFlags(talk.confirmed)}` : ''}\n`);
      process.exit(ExitCode.Interrupted);
    },
  );
  const started = Date.now();
  sink.emit(startEvent(session, talk.interactive));
  // From here on a lock warning (taken over at the start, or lost mid-run) is recorded and shown when it comes.
  on.notes.connect(sink);
  for (const name of shortSecrets(on.secrets)) {
    sink.emit({ kind: 'run.note', level: 'warn', message: `secret ${name} is very short: wherever its letters appear in output they are masked too` });
  }
  const probed = probeChecks ? await probePlan(loaded.plan, probeChecks, talk.controller.signal) : undefined;
  const outcome = await executeRun(built.ports, {
    runId,
    plan: loaded.plan,
    secrets: on.secrets,
    stepsDir: loaded.stepsDir,
    nodePath: process.execPath,
    scriptRunner: zxScriptRunner(process.execPath),
    signal: talk.controller.signal,
    unattended: !talk.interactive,
    concurrency: talk.concurrency,
    dryRun: options.dryRun === true,
    recorded: session.resume?.records,
    captures: session.resume?.captures,
    itemsDone: session.resume?.itemsDone,
    inFlightItems: session.resume?.inFlightItems,
    answers: talk.answers,
    learnSecret: built.learnSecret,
    inFlight: session.resume?.inFlight,
    // Resumed, the header's clock goes on from the run's first start, not from zero.
    runStartedAt: session.resume && store ? runStartOf(store, runId) : undefined,
    persist: store ? (snapshot) => store.saveSnapshot(runId, () => maskSnapshot(snapshot(), masker)) : undefined,
  });
  for (const problem of (await store?.flush()) ?? []) {
    sink.emit({ kind: 'run.note', level: 'warn', message: `a snapshot could not be saved (${problem}); the journal has everything a resume needs` });
  }
  const message = finishMessage(outcome, runId, options, resumeOptions, talk.confirmed);
  sink.emit({ kind: 'run.finished', status: outcome.status, durationMs: Date.now() - started, counts: outcome.counts, stoppedAt: outcome.stoppedAt?.id, message });
  const lost = on.record?.lost();
  if (lost) process.stderr.write(`${lost}. ${message}\n`);
  return { outcome, probed };
}

function runStartOf(store: RunStore, runId: string): number | undefined {
  try {
    const at = Date.parse(store.readMeta(runId).createdAt);
    return Number.isNaN(at) ? undefined : at;
  } catch {
    return undefined;
  }
}

/** Opens the transcript file (0600: it is a record of the run, like its journal), or says why not. */
function openTranscript(path: string): number {
  try {
    return openSync(path, 'w', 0o600);
  } catch (error) {
    throw new UsageError(`cannot write the transcript ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      expected: 'a file that can be written',
      received: path,
      hint: "choose another path for --transcript, or fix the folder's permissions",
    });
  }
}
