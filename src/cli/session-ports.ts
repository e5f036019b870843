import { createBoardScreen } from '../adapters/board-screen.js';
import { createDryRunChecks, createProbeChecks } from '../adapters/dry-run-checks.js';
import { createDryRunRunner } from '../adapters/dry-run-runner.js';
import { createExecaRunner } from '../adapters/execa-runner.js';
import { createLiveChecks } from '../adapters/live-checks.js';
import { withMaskedOutput } from '../adapters/masked-output-runner.js';
import { createMaskingSink } from '../adapters/masking-sink.js';
import { netProbe } from '../adapters/net-probe.js';
import { osProcessTable } from '../adapters/os-process-table.js';
import { createPlainScreen } from '../adapters/plain-screen.js';
import { createScreenHold } from '../adapters/screen-hold.js';
import { createScriptedPrompter, rehearsalPolicy, unattendedPolicyFor } from '../adapters/scripted-prompter.js';
import type { SshOptions } from '../adapters/ssh-args.js';
import type { createSshRunner } from '../adapters/ssh-runner.js';
import { createVirtualClock, systemClock } from '../adapters/system-clock.js';
import { terminalSafeScreen } from '../adapters/terminal-safe.js';
import type { stylesFor } from '../adapters/terminal-styles.js';
import { createTtyScreen } from '../adapters/tty-screen.js';
import type { Plan } from '../core/model/plan-types.js';
import type { RunEvent } from '../core/model/run-event.js';
import { createGrowingMasker, type SecretMasker } from '../core/secrets/secret-masker.js';
import type { RunPorts } from '../engine/execute-run.js';
import type { EventSink } from '../ports/event-sink.js';
import type { Prompter } from '../ports/prompter.js';
import { lifeboatCommand } from './command-name.js';

type Finished = Extract<RunEvent, { kind: 'step.finished' }>;

/** What the ports of one session are built from. */
export interface PortsRequest {
  plan: Plan;
  dryRun: boolean;
  probe: boolean;
  interactive: boolean;
  /** Steps may run side by side: the screen says each event on a line of its own, named by its step. */
  sideBySide?: boolean;
  confirmed: ReadonlySet<string>;
  secrets: ReadonlyMap<string, string>;
  out: ReturnType<typeof stylesFor>;
  /** The run's journal; absent for a dry run. */
  journal?: EventSink;
  sshRunner?: ReturnType<typeof createSshRunner>;
  ssh: SshOptions;
  /** Where questions are drawn, when a person is asked. */
  prompts?: NodeJS.WriteStream;
  /** Writes to the screen (and the transcript); `copy` to the transcript alone, when there is one. */
  print: (text: string) => void;
  copy?: (text: string) => void;
  /** Stops the run: a question Ctrl-C'd interrupts it. */
  stop: () => void;
}

/** The session's ports, with the masking sink every event goes through and what the closing message needs. */
export interface SessionPorts {
  ports: RunPorts;
  sink: EventSink;
  masker: SecretMasker;
  /** A rehearsal's step ends, for its closing message (a real run's is read from its journal): empty otherwise. */
  finished: Finished[];
  /** A probe's read-only checks, when the rehearsal asks the hosts. */
  probeChecks?: ReturnType<typeof createProbeChecks>;
  /** Learns a secret captured during the run: checks can reveal it, and every screen and record masks it. */
  learnSecret: (name: string, value: string) => void;
}

/** The screens a session shows its events on: the terminal (live, or plain when piped) and the transcript. */
function screens(request: PortsRequest): { sinks: EventSink[]; pause?: () => void } {
  // One index of the plan's steps that every screen looks into, not a table per screen and field.
  const steps = new Map(request.plan.phases.flatMap((p) => p.steps.filter((s) => s.selected).map((s) => [s.id, s] as const)));
  const info = {
    positions: { get: (id: string) => steps.get(id)?.position },
    titles: { get: (id: string) => steps.get(id)?.title },
  };
  const sinks: EventSink[] = [];
  let pause: (() => void) | undefined;
  // The live screen follows one step at a time; steps side by side are told line by line, each
  // named, above a board of what runs.
  // Every screen is given text from outside terminal-safe: a command's output cannot redraw or hide what is shown.
  if (process.stdout.isTTY && request.sideBySide !== true) {
    const screen = createTtyScreen(process.stdout, request.out, { ...info, hosts: { get: (id: string) => steps.get(id)?.host?.name } });
    pause = screen.pause;
    sinks.push(terminalSafeScreen(screen));
  } else if (process.stdout.isTTY) {
    const screen = createBoardScreen(process.stdout, request.out, info, { cards: request.interactive });
    pause = screen.pause;
    sinks.push(terminalSafeScreen(screen));
  } else {
    sinks.push(terminalSafeScreen(createPlainScreen((text) => process.stdout.write(text), info, { cards: request.interactive })));
  }
  if (request.copy) sinks.push(terminalSafeScreen(createPlainScreen(request.copy, info, { cards: request.interactive })));
  return { sinks, pause };
}

// The prompt library loads only when a person is asked: unattended runs start faster without it.
async function prompterFor(request: PortsRequest, masker: SecretMasker, pause: (() => void) | undefined): Promise<Prompter> {
  if (!request.interactive) return createScriptedPrompter(request.dryRun ? rehearsalPolicy : unattendedPolicyFor(request.confirmed));
  const { createInquirerPrompter } = await import('../adapters/inquirer-prompter.js');
  return createInquirerPrompter({
    styles: request.out,
    write: (text) => request.print(masker.mask(text)),
    onInterrupt: request.stop,
    pauseScreen: () => pause?.(),
    ssh: request.ssh,
    output: request.prompts,
    resumeCommand: `${lifeboatCommand()} resume`,
  });
}

/**
 * Builds what the engine runs with: the journal and screens behind one masking sink, the prompter,
 * and live runners and checks (or, for a rehearsal, ones that execute nothing).
 */
export async function buildSessionPorts(request: PortsRequest): Promise<SessionPorts> {
  // Side by side, an interactive run prints nothing under an open question: the screens wait for the answer.
  const hold = request.interactive && request.sideBySide ? createScreenHold() : undefined;
  const { sinks: shown, pause } = screens(request);
  const sinks = hold ? shown.map((screen) => hold.screen(screen)) : shown;
  if (request.journal) sinks.unshift(request.journal);
  // Only a rehearsal's closing message reads them back; a real run's reads its journal, so a long
  // run does not keep every step's end in memory.
  const finished: Finished[] = [];
  if (request.dryRun) sinks.push({ emit: (event) => void (event.kind === 'step.finished' && finished.push(event)) });
  const masker = createGrowingMasker(request.secrets);
  // Shared with the checks, which reveal secrets by name when they run: a captured secret joins it.
  const secrets = new Map(request.secrets);
  const learnSecret = (name: string, value: string) => {
    secrets.set(name, value);
    masker.add(name, value);
  };
  const sink = createMaskingSink(masker, sinks);
  const asked = await prompterFor(request, masker, pause);
  const prompter = hold ? hold.prompter(asked) : asked;
  // What a command printed reaches failure cards and check excerpts masked, before any tail is cut.
  const live = withMaskedOutput(createExecaRunner(request.sshRunner), masker);
  // A probe's checks run once each, on hosts that answered: the rehearsal below shows the same results.
  const probeChecks = request.dryRun && request.probe ? createProbeChecks(createLiveChecks(live, netProbe, secrets), live) : undefined;
  const ports: RunPorts = request.dryRun
    ? { runner: createDryRunRunner(), checks: createDryRunChecks(probeChecks), prompter, sink, clock: createVirtualClock(), ...(request.probe ? { probeRunner: live } : {}) }
    : { runner: live, checks: createLiveChecks(live, netProbe, secrets), prompter, sink, clock: systemClock, processes: osProcessTable };
  return { ports, sink, masker, finished, probeChecks, learnSecret };
}
