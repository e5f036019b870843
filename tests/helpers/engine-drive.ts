import { expect } from 'vitest';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { answersPolicy, createScriptedPrompter, type PromptPolicy, type ScriptedAnswer, unattendedPolicy } from '../../src/adapters/scripted-prompter.js';
import type { Captures } from '../../src/core/capture/captured-values.js';
import type { AskOutput, StepRecord } from '../../src/core/machine/machine-setup.js';
import type { Check, Plan, PlanStep } from '../../src/core/model/plan-types.js';
import type { CheckSet, RunEvent } from '../../src/core/model/run-event.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import { executeRun, type RunOutcome, type RunPorts } from '../../src/engine/execute-run.js';
import type { CheckResult, CheckRunner } from '../../src/ports/check-runner.js';
import type { Clock } from '../../src/ports/clock.js';
import type { CommandResult, CommandRunner, CommandSpec } from '../../src/ports/command-runner.js';
import type { EventSink } from '../../src/ports/event-sink.js';
import type { FailureInfo, PromptContext, Prompter } from '../../src/ports/prompter.js';

/**
 * Drives the engine in-process over fake ports that record what they were asked in one trace, so
 * a test reads a step's lifecycle: precheck → awaiting (ask:before) → running (run) → verifying
 * (check:verify) → done.
 */

// Awaited so this works whether loadSchemaChecks is synchronous or returns a promise.
export const SCHEMAS = await loadSchemaChecks();

/** A plan from a runbook's text; its problems must be none. */
export function planOf(text: string, scripts: string[] = []): Plan {
  const { plan, problems } = buildPlan({ runbook: { path: 'engine.yaml', text }, library: { dir: 'steps', templates: new Map(), scripts: new Set(scripts) } }, SCHEMAS);
  expect(problems).toEqual([]);
  return plan!;
}

/** A runbook of one phase from the YAML of its steps (indented as list items under `steps:`). */
export function oneStep(steps: string, head = ''): Plan {
  return planOf(`name: engine\n${head}phases:\n  - id: p\n    title: The phase\n    steps:\n${steps}`);
}

// ---------------------------------------------------------------------------------------------
// Fake ports. Each records what it was asked in one shared trace, so a test can read the step's
// lifecycle: precheck → awaiting (ask:before) → running (run) → verifying (check:verify) → done.

type FakeRun = Partial<CommandResult> & { out?: string; err?: string; throws?: string };
type FakeCheck = Partial<CheckResult> & { throws?: string };

export interface Fakes {
  /** Results for each command, by its script text, call by call; default exit 0. */
  run?: Record<string, FakeRun[]>;
  /** Results for each check, by `set:label`, call by call; default passes. */
  checks?: Record<string, FakeCheck[]>;
  /** The operator's answers, in order (answersPolicy), with `fallback` for anything else. */
  answers?: ScriptedAnswer[];
  fallback?: PromptPolicy;
  by?: Prompter['by'];
  /** Makes the prompter itself throw on the before-menu of this step (a terminal that went away). */
  promptThrowsAt?: string;
  signal?: AbortSignal;
  runner?: CommandRunner;
  checkRunner?: CheckRunner;
  plan: Plan;
  secrets?: Map<string, string>;
  stepsDir?: string;
  /** Resuming: when the run first started. */
  runStartedAt?: number;
  /** Resuming: what the interrupted run recorded of each step it reached. */
  recorded?: Record<string, StepRecord>;
  /** Resuming: the items of foreach steps that ended done before. */
  itemsDone?: Map<string, Set<string>>;
  /** Resuming: the values the interrupted run captured. */
  captures?: Captures;
  /** `--answer STEP=VALUE`, by step id. */
  givenAnswers?: Map<string, string>;
  dryRun?: boolean;
  unattended?: boolean;
  /** How many steps may run at once (`--concurrency`). */
  concurrency?: number;
}

export interface Result {
  outcome: RunOutcome;
  events: RunEvent[];
  trace: string[];
  /** Every spec the fake runner was given, in order. */
  specs: CommandSpec[];
  failures: Array<{ step: string; failure: FailureInfo }>;
  contexts: Array<{ step: string; context: PromptContext }>;
  confirms: Array<{ step: string; word: string | undefined }>;
  clock: FakeClock;
}

type FakeClock = Clock & { slept: number[]; start: number; readonly time: number };

/** A clock whose sleep returns at once, moving time forward by exactly what was slept: time moves only then. */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  const slept: number[] = [];
  return {
    start,
    slept,
    get time() {
      return now;
    },
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function nextOf<T>(lists: Record<string, T[]> | undefined, key: string): T | undefined {
  const list = lists?.[key];
  return list && list.length > 0 ? list.shift() : undefined;
}

/** Runs a plan on fake ports, returning the outcome, the events and the trace. */
export async function drive(f: Fakes): Promise<Result> {
  const events: RunEvent[] = [];
  const trace: string[] = [];
  const specs: CommandSpec[] = [];
  const failures: Result['failures'] = [];
  const contexts: Result['contexts'] = [];
  const confirms: Result['confirms'] = [];
  const clock = fakeClock();
  let pid = 4000;

  const runner: CommandRunner = f.runner ?? {
    async run(spec, hooks = {}) {
      specs.push(spec);
      trace.push(`run:${spec.script}`);
      const r = nextOf(f.run, spec.script) ?? {};
      if (r.throws) throw new Error(r.throws);
      pid += 1;
      hooks.onSpawn?.(pid);
      if (r.out) hooks.onOutput?.('stdout', r.out);
      if (r.err) hooks.onOutput?.('stderr', r.err);
      const output = `${r.out ?? ''}${r.err ?? ''}`;
      return { exitCode: 0, timedOut: false, aborted: false, durationMs: 5, output, stdout: r.out ?? '', ...r };
    },
  };
  const checks: CheckRunner = f.checkRunner ?? {
    async run(check: Check, set: CheckSet) {
      trace.push(`check:${set}:${check.label}`);
      const r = nextOf(f.checks, `${set}:${check.label}`) ?? {};
      if (r.throws) throw new Error(r.throws);
      return { ok: true, durationMs: 1, ...r };
    },
  };
  const scripted = createScriptedPrompter(answersPolicy(f.answers ?? [], f.fallback ?? unattendedPolicy), f.by ?? 'operator');
  const prompter: Prompter = {
    by: scripted.by,
    async beforeStep(step: PlanStep, context: PromptContext): Promise<AskOutput> {
      trace.push(`ask:before:${step.id}`);
      contexts.push({ step: step.id, context });
      if (f.promptThrowsAt === step.id) throw new Error('the terminal went away');
      return scripted.beforeStep(step, context);
    },
    async afterFailure(step, failure, context) {
      trace.push(`ask:failure:${step.id}`);
      failures.push({ step: step.id, failure });
      return scripted.afterFailure(step, failure, context);
    },
    async afterInterruption(step, info, context) {
      trace.push(`ask:interrupted:${step.id}`);
      return scripted.afterInterruption(step, info, context);
    },
    async stillRunning(step, pid) {
      trace.push(`still-running:${step.id}`);
      return scripted.stillRunning(step, pid);
    },
    async confirm(step, word) {
      trace.push(`confirm:${step.id}`);
      confirms.push({ step: step.id, word });
      return scripted.confirm(step, word);
    },
    async ask(step, question, text) {
      trace.push(`ask:value:${step.id}`);
      return scripted.ask(step, question, text);
    },
  };
  const sink: EventSink = {
    emit(event) {
      events.push(event);
      if (event.kind === 'step.finished') trace.push(`finished:${event.step}:${event.status}${event.via ? `:${event.via}` : ''}`);
    },
  };
  const recordingClock: Clock = {
    now: clock.now,
    sleep: async (ms, signal) => {
      trace.push(`sleep:${ms}`);
      return clock.sleep(ms, signal);
    },
  };
  const ports: RunPorts = { runner, checks, prompter, sink, clock: recordingClock };
  const outcome = await executeRun(ports, {
    runId: 'test-run',
    plan: f.plan,
    secrets: f.secrets ?? new Map(),
    stepsDir: f.stepsDir ?? '/nonexistent/steps',
    nodePath: process.execPath,
    signal: f.signal,
    runStartedAt: f.runStartedAt,
    captures: f.captures,
    recorded: f.recorded,
    itemsDone: f.itemsDone,
    answers: f.givenAnswers,
    dryRun: f.dryRun,
    unattended: f.unattended,
    concurrency: f.concurrency,
  });
  return { outcome, events, trace, specs, failures, contexts, confirms, clock };
}

/** The events of one kind. */
export const of = <K extends RunEvent['kind']>(events: RunEvent[], kind: K) => events.filter((e): e is Extract<RunEvent, { kind: K }> => e.kind === kind);
export const finishedOf = (events: RunEvent[], step: string) => of(events, 'step.finished').filter((e) => e.step === step);
export const choicesOf = (events: RunEvent[]) => of(events, 'operator.choice').map((e) => `${e.step}:${e.menu}:${e.choice}${e.reason ? `:${e.reason}` : ''}`);
