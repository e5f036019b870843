import { spawnSync } from 'node:child_process';
import { confirm, input, select } from '@inquirer/prompts';
import type { AskOutput, Choice } from '../core/machine/machine-setup.js';
import type { PlanStep, Question } from '../core/model/plan-types.js';
import { answerProblem } from '../core/resolve/resolve-capture.js';
import { formatDuration } from '../core/text/duration.js';
import { wrapText } from '../core/text/wrap-text.js';
import type { FailureInfo, PromptContext, Prompter, ShellRecorder } from '../ports/prompter.js';
import { type SshOptions, sshArgs } from './ssh-args.js';
import { failureCard, menuQuestion, stepCard, stepDetails } from './step-card.js';
import type { Styles } from './terminal-styles.js';

type MenuValue = Choice | 'details' | 'shell';

/** What the interactive prompter needs from the terminal around it. */
export interface InquirerOptions {
  styles: Styles;
  write: (text: string) => void;
  /** Called when the operator presses Ctrl-C at a prompt: the run is interrupted, not aborted. */
  onInterrupt: () => void;
  /** Stops the live line before a prompt takes the terminal. */
  pauseScreen?: () => void;
  /** The run's ssh options, so "Open a shell" reaches a host the way the run does. */
  ssh?: SshOptions;
  /** Where questions are drawn (default: stdout); the terminal itself when the run's output goes to a pipe or a file. */
  output?: NodeJS.WriteStream;
  /** How the operator continues a stopped run, e.g. `npx lifeboat resume`. */
  resumeCommand?: string;
}

function isExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

/** The ssh or local shell command that opens a shell where the step runs. */
export function shellCommand(step: PlanStep, ssh?: SshOptions): { command: string; args: string[]; where: string } {
  const host = step.host;
  if (!host) return { command: process.env.SHELL || 'bash', args: [], where: 'this machine' };
  // The same options as the run's own connection, except that a person may answer a password prompt.
  const args = ssh ? sshArgs(host, ssh).map((a) => (a === 'BatchMode=yes' ? 'BatchMode=no' : a)) : [];
  return { command: 'ssh', args: [...args, '-t', '--', host.ssh], where: `${host.name} (${host.ssh})` };
}

/** What every question shares: the options, whether output goes to a pipe, and the hang-up signal. */
interface Terminal {
  options: InquirerOptions;
  s: Styles;
  write: (text: string) => void;
  piped: boolean;
  hangUp: AbortController;
  context: { output?: NodeJS.WriteStream; signal: AbortSignal };
}

type MenuChoices = Array<{ name: string; value: MenuValue; description?: string }>;

/** Asks a person, with inquirer: the step card and menu, the failure menu, typed confirmation. */
export function createInquirerPrompter(options: InquirerOptions): Prompter {
  const t = openTerminal(options);
  return {
    by: 'operator',
    beforeStep: (step: PlanStep, context: PromptContext) => beforeStep(t, step, context),
    afterFailure: (step: PlanStep, failure: FailureInfo, context: PromptContext) => afterFailure(t, step, failure, context),
    afterInterruption: (step: PlanStep, info: FailureInfo, context: PromptContext) => afterInterruption(t, step, info, context),
    stillRunning: (step: PlanStep, pid: number) => stillRunning(t, step, pid),
    confirm: (step: PlanStep, word: string | undefined) => confirmStep(t, step, word),
    ask: (step: PlanStep, question: Question, text: string) => askValue(t, step, question, text),
  };
}

function openTerminal(options: InquirerOptions): Terminal {
  // Output to a pipe (`| tee run.txt`) reaches the terminal later than a question drawn on it:
  // the question waits until what came before has left this process and had a moment to show.
  const piped = options.output !== undefined && options.output !== process.stdout;
  // A closed terminal ends the input under an open question, which then never settles: with
  // nothing left to wait for, the process would end without recording how the run stopped.
  // The end of input interrupts the run instead, as the hang-up (SIGHUP) that comes with it does.
  const hangUp = new AbortController();
  process.stdin.once('end', () => hangUp.abort(new Error('the terminal was closed')));
  const context = { ...(options.output ? { output: options.output } : {}), signal: hangUp.signal };
  return { options, s: options.styles, write: options.write, piped, hangUp, context };
}

function settle(): Promise<void> {
  return new Promise<void>((resolve) => process.stdout.write('', () => setTimeout(resolve, 50)));
}

async function ask<T>(t: Terminal, prompt: () => Promise<T>): Promise<T> {
  t.options.pauseScreen?.();
  if (t.piped) await settle();
  try {
    return await prompt();
  } catch (error) {
    // A terminal closed under the question (EIO) is a hang-up: the run is interrupted, not aborted.
    if (!isExit(error) && !t.hangUp.signal.aborted && (error as NodeJS.ErrnoException).code !== 'EIO') throw error;
    t.options.onInterrupt();
    // The run is being stopped; this answer is never needed.
    return new Promise<T>(() => {});
  }
}

function width(t: Terminal): number {
  return Math.min(process.stdout.columns ?? t.options.output?.columns ?? 80, 100);
}

function openShell(t: Terminal, step: PlanStep, recorder?: ShellRecorder): void {
  const { command, args, where } = shellCommand(step, t.options.ssh);
  const say = (text: string) => t.write(t.s.dim(`${wrapText(text, width(t) - 1).join('\n')}\n`));
  say(`Opening a shell on ${where}. Exit it to come back to this step (recorded in the run log).`);
  recorder?.opened(where);
  const opened = Date.now();
  // With the run's output in a pipe, the shell still talks to the terminal.
  const result = spawnSync(command, args, { stdio: t.piped ? ['inherit', t.options.output, t.options.output] : 'inherit' });
  const end = { durationMs: Date.now() - opened, exitCode: result.status ?? undefined, signal: result.signal ?? undefined, error: result.error?.message };
  recorder?.closed(where, end);
  const how = end.error ? `it could not start: ${end.error}` : end.signal ? `ended by ${end.signal}` : `exit ${end.exitCode}`;
  say(`Back from the shell on ${where} after ${formatDuration(end.durationMs)} (${how}).`);
}

// A menu is cleared when it is done, and its answer written as one line of history: a menu cut
// short by Ctrl-C then leaves no half-answered frame on screen.
async function choose<T>(t: Terminal, message: string, choices: Array<{ name: string; value: T; description?: string }>, current?: T): Promise<T> {
  const { s } = t;
  const picked = await ask(t, () => select<T>({ message, choices, loop: false, default: current }, { ...t.context, clearPromptOnDone: true }));
  t.write(`${s.green('✔')} ${s.bold(message)} ${s.cyan(choices.find((c) => c.value === picked)?.name ?? String(picked))}\n`);
  return picked;
}

// The reason shows once, on the step's line of history: the answered question is cleared.
function reason(t: Terminal, what: string): Promise<string> {
  return ask(t, () => input({ message: `Why ${what}? (recorded in the run log)`, validate: (v) => (v.trim() ? true : 'a short reason, please') }, { ...t.context, clearPromptOnDone: true }));
}

async function menu(t: Terminal, step: PlanStep, where: PromptContext, choices: MenuChoices, reprint: () => void): Promise<AskOutput> {
  const message = menuQuestion(step, width(t));
  let last: MenuValue | undefined;
  for (;;) {
    // Back from details or a shell, the cursor stays where the operator left it.
    const picked = await choose(t, message, choices, last);
    last = picked;
    if (picked === 'details') {
      t.write(stepDetails(step, t.s));
      continue;
    }
    if (picked === 'shell') {
      openShell(t, step, where.shell);
      reprint();
      continue;
    }
    if (picked === 'skip') return { choice: 'skip', reason: await reason(t, 'skip this step') };
    if (picked === 'abort') {
      const why = await ask(t, () => input({ message: 'Why abort? (optional, recorded in the run log; Enter for none)' }, { ...t.context, clearPromptOnDone: true }));
      return { choice: 'abort', reason: why.trim() ? `stopped by the operator: ${why.trim()}` : 'stopped by the operator' };
    }
    return { choice: picked };
  }
}

function hostPlace(step: PlanStep): string {
  return step.host ? `on ${step.host.name}` : 'here';
}

function abortChoice(t: Terminal): MenuChoices[number] {
  return { name: 'Abort', value: 'abort', description: `stop here; \`${t.options.resumeCommand ?? 'lifeboat resume'}\` continues` };
}

async function beforeStep(t: Terminal, step: PlanStep, context: PromptContext): Promise<AskOutput> {
  const print = () => t.write(`\n${stepCard(step, context, t.s, width(t))}\n`);
  print();
  const manual = step.action.kind === 'manual';
  const where = hostPlace(step);
  return menu(
    t,
    step,
    context,
    [
      manual
        ? { name: 'Done: check it', value: 'run', description: 'you did it by hand; the checks run now' }
        : step.action.kind === 'wait'
          ? { name: 'Run', value: 'run', description: `wait until its checks pass (up to ${formatDuration(step.action.timeoutMs)})` }
          : { name: 'Run', value: 'run', description: step.verify.length ? 'run the command, then its checks' : 'run the command (it has no checks: its exit code decides)' },
      { name: 'Skip…', value: 'skip', description: 'asks why; recorded' },
      { name: 'Show details', value: 'details', description: 'the full step: template, timeouts, checks' },
      { name: 'Open a shell', value: 'shell', description: `${where}; come back here when you exit` },
      abortChoice(t),
    ],
    print,
  );
}

async function afterFailure(t: Terminal, step: PlanStep, failure: FailureInfo, context: PromptContext): Promise<AskOutput> {
  const print = () => t.write(`\n${failureCard(step, failure, t.s, width(t))}\n`);
  print();
  const where = hostPlace(step);
  return menu(
    t,
    step,
    context,
    [
      // A foreach step's menu answers for all its failed items at once; the card names them.
      step.foreach
        ? { name: 'Retry the failed items', value: 'retry', description: 'each failed item (and any not started) runs again; the done ones do not' }
        : { name: 'Retry', value: 'retry', description: step.action.kind === 'manual' ? 'back to the instructions' : 'run the step again' },
      { name: 'Open a shell', value: 'shell', description: `${where}; look around, fix it, come back` },
      { name: 'Mark done', value: 'mark-done', description: step.foreach ? 'you fixed the failed items by hand' : 'you fixed it by hand; the checks must pass' },
      { name: 'Skip…', value: 'skip', description: step.foreach ? 'the step and all its failed items, with one reason; recorded' : 'asks why; recorded' },
      { name: 'Show details', value: 'details' },
      abortChoice(t),
    ],
    print,
  );
}

async function afterInterruption(t: Terminal, step: PlanStep, info: FailureInfo, context: PromptContext): Promise<AskOutput> {
  const { s } = t;
  const print = () => t.write(`\n${s.yellow('!')} ${s.bold(`${step.position} ${step.title}`)} was running when the last run stopped, and its checks do not show it done.\n  ${info.summary}\n\n`);
  print();
  const where = hostPlace(step);
  return menu(
    t,
    step,
    context,
    [
      { name: 'Run it again', value: 'retry', description: step.idempotent ? 'the step is idempotent' : 'only if a second run is safe' },
      { name: 'Open a shell', value: 'shell', description: `${where}; see what the first run did` },
      { name: 'Mark done', value: 'mark-done', description: 'it did complete; its checks must pass' },
      { name: 'Skip…', value: 'skip', description: 'asks why; recorded' },
      { name: 'Show details', value: 'details' },
      abortChoice(t),
    ],
    print,
  );
}

async function stillRunning(t: Terminal, step: PlanStep, pid: number): Promise<'wait' | 'kill'> {
  t.write(`\n${t.s.yellow('!')} The command of ${step.position} ${step.title} (process group ${pid}) is still running from the last run.\n`);
  return choose<'wait' | 'kill'>(t, menuQuestion(step, width(t)), [
    { name: 'Wait for it to finish', value: 'wait', description: 'then its checks decide' },
    { name: 'Kill it', value: 'kill', description: 'stop its whole process group, then its checks decide' },
  ]);
}

/** An ask step: its question, as a menu of its choices or a line to type (checked against its pattern). */
async function askValue(t: Terminal, step: PlanStep, question: Question, text: string): Promise<string> {
  t.write(`\n${t.s.bold(`${step.position} ${text}`)}\n`);
  if (question.choices) {
    return choose<string>(
      t,
      'Your answer:',
      question.choices.map((c) => ({ name: c, value: c, description: c === question.default ? 'the default' : undefined })),
    );
  }
  return ask(t, () =>
    input(
      {
        message: 'Your answer:',
        ...(question.default !== undefined ? { default: question.default } : {}),
        validate: (v) => answerProblem(question, v) ?? true,
      },
      t.context,
    ),
  );
}

async function confirmStep(t: Terminal, step: PlanStep, word: string | undefined): Promise<boolean> {
  const { s } = t;
  const message = step.confirm?.message ?? `${step.position} ${step.title} is dangerous.`;
  t.write(`\n${s.yellow('!')} ${s.bold(message)}\n`);
  if (word === undefined) return ask(t, () => confirm({ message: 'Run it?', default: false }, t.context));
  const typed = await ask(t, () =>
    input(
      {
        message: `Type ${s.bold(word)} to run it (empty to go back):`,
        validate: (v) => (v === '' || v === word ? true : `type exactly ${word}, or leave it empty to go back`),
      },
      t.context,
    ),
  );
  return typed === word;
}
