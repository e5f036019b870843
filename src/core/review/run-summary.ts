import type { AgeMeasure } from '../model/age-measure.js';
import type { CheckSet, RunEvent, RunStatus } from '../model/run-event.js';
import { formatDuration } from '../text/duration.js';
import type { Outcome } from '../views/status-mark.js';
import type { RunLayout } from './run-layout.js';

/** A journal event as read back: the event, plus pino's ISO `time` when the line had one. */
export type TimedEvent = RunEvent & { time?: string };

/** What a summary needs from run.json (RunMeta has all of it). */
export interface RunHeader {
  runId: string;
  runbook: { name: string; path: string };
  order: string[];
  createdAt: string;
  operator: string;
  hostname: string;
  /** Set for a rehearsal (`run --drill`): its purpose. */
  drill?: string;
}

/** How a whole run stands: how it last ended, or `running` when its last start has no end. */
export type RunState = RunStatus | 'running';

/** One stretch of time a step was being worked on, in ms since the epoch (a resumed step has several). */
export interface Segment {
  start: number;
  end: number;
}

/** One step of a run, as its journal tells it. */
export interface StepSummary {
  id: string;
  position?: string;
  title: string;
  phase?: string;
  host?: string;
  action?: string;
  status: Outcome;
  /** How a done or skipped step got there: precheck, operator, recovered. */
  via?: string;
  reason?: string;
  exitCode?: number;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  /** Ms from the run's first event to the step's first start. */
  offsetMs?: number;
  /** Working time: its segments summed, less the time at menus (`waitedMs`) and in shells opened from them. */
  durationMs?: number;
  /** Time its questions waited for the operator's answer. */
  waitedMs?: number;
  segments: Segment[];
  /** Shells opened from its menus: where, when, how long, how they ended (no end: the run stopped inside). */
  shells: ShellSummary[];
  commands: string[];
  exits: Array<{ attempt: number; exitCode?: number; signal?: string; timedOut: boolean; durationMs: number; error?: string }>;
  choices: Array<{ menu: string; choice: string; reason?: string; by: string; at?: string; waitedMs?: number; unattended?: boolean }>;
  checks: { passed: number; failed: Array<{ set: CheckSet; check: string; reason: string; output?: string; at?: string }> };
  /** What its `age` checks measured (present only when it has some): the RPO on record. */
  ages?: Array<AgeMeasure & { set: CheckSet; check: string; ok: boolean }>;
  /** What its `when:` conditions decided (present only when it has some). */
  conditions?: Array<{ condition: string; held: boolean; detail?: string }>;
  /** What it captured, or the answer it got (present only when it has any). */
  captured?: { values: Record<string, unknown>; by?: string };
  notes: string[];
  outputLines: number;
  outputTruncated: boolean;
  /** Captured output, in order; only when asked for (it can be most of a journal). An item's names it. */
  output?: Array<{ stream: 'stdout' | 'stderr'; text: string; item?: string }>;
  /** A foreach step's items, in the order of its list (present only for a foreach step that started). */
  items?: ItemSummary[];
}

/** One item of a foreach step, as the journal tells it. */
export interface ItemSummary {
  key: string;
  /** done or failed once it ended; interrupted when its session ended while it ran; not reached before it started. */
  status: Outcome;
  /** How a done item got there without its command doing it: its precheck passed, or it was recovered. */
  via?: 'precheck' | 'recovered';
  /** Its command's starts, over every pass and session. */
  attempts: number;
  /** Its time, over every pass that ended it. */
  durationMs?: number;
  reason?: string;
  /** Its command's last exit code. */
  exitCode?: number;
  /** Its checks that failed (verify; a precheck not met is no failure). */
  checksFailed: number;
  /** When it last ended. */
  endedAt?: string;
}

/** A shell opened from a menu, as the journal tells it. */
export interface ShellSummary {
  where: string;
  at?: string;
  durationMs?: number;
  exitCode?: number;
  signal?: string;
  error?: string;
}

/** Something the operator should look at after the run: a step left undone, a failure passed, a decision nobody made. */
export interface FollowUp {
  kind: 'skipped' | 'failed-continued' | 'unattended-confirm' | 'shell' | 'marked-done';
  step: string;
  position?: string;
  title: string;
  detail: string;
}

/** One phase of a run: its steps and the time spent on them. */
export interface PhaseSummary {
  id: string;
  number?: number;
  title: string;
  rtoMs?: number;
  status: Outcome;
  /** Time spent on the phase's steps (their durations summed). */
  durationMs?: number;
  offsetMs?: number;
  steps: StepSummary[];
}

/** A run reconstructed from its run.json and journal: the basis of show, report, compare and stats. */
export interface RunSummary {
  format: 'lifeboat-run/1';
  runId: string;
  runbook: { name: string; path: string };
  operator: string;
  hostname: string;
  /** A rehearsal (`run --drill`): its purpose. */
  drill?: string;
  mode?: string;
  version?: string;
  status: RunState;
  startedAt?: string;
  endedAt?: string;
  /** Wall-clock time from the first event to the last. */
  elapsedMs?: number;
  /** Time the run was actually going: its sessions (start or resume, to their last event) summed. */
  activeMs: number;
  /** Time the run's questions waited for the operator, all steps together. */
  waitedMs: number;
  /** What to look at after the run: skips, failures passed, unattended confirmations, manual work. */
  followUps: FollowUp[];
  sessions: Array<{ start: number; end: number; operator?: string; hostname?: string; mode?: string; resumed: boolean; status?: RunState | 'died' }>;
  stoppedAt?: string;
  message?: string;
  counts: Record<Outcome, number>;
  rtoMs?: number;
  phases: PhaseSummary[];
  notes: string[];
  tornLine: boolean;
}

/** Options of summarizeRun. */
export interface SummaryOptions {
  layout?: RunLayout;
  includeOutput?: boolean;
  tornLine?: boolean;
  /** Lines of output per step, counted by a reader that skipped the output events themselves. */
  outputLines?: ReadonlyMap<string, number>;
}

interface Open {
  start: number;
}

function blankStep(id: string): StepSummary {
  return {
    id,
    title: id,
    status: 'not reached',
    attempts: 0,
    segments: [],
    shells: [],
    commands: [],
    exits: [],
    choices: [],
    checks: { passed: 0, failed: [] },
    notes: [],
    outputLines: 0,
    outputTruncated: false,
  };
}

function countLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

const iso = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? undefined : new Date(ms).toISOString());

function msOf(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** How a step still open when its session ended stands, by how the session ended. */
function outcomeOfOpen(sessionEnd: RunState | 'died'): Outcome {
  if (sessionEnd === 'failed' || sessionEnd === 'aborted' || sessionEnd === 'running') return sessionEnd;
  // A session that died (a later resume shows it) or was interrupted left its step half-done.
  return 'interrupted';
}

/** The outcome of a group of steps: the worst one, or done when all are done, skipped or not applicable. */
export function groupOutcome(statuses: readonly Outcome[]): Outcome {
  for (const worst of ['failed', 'aborted', 'interrupted', 'running'] as const) if (statuses.includes(worst)) return worst;
  if (statuses.every((s) => s === 'not reached')) return 'not reached';
  if (statuses.every((s) => s === 'done' || s === 'skipped' || s === 'not-applicable')) return 'done';
  return 'incomplete';
}

/** A summary built one event at a time: a journal is fed to it as it streams, never held whole. */
export interface RunSummarizer {
  add(event: TimedEvent): void;
  /** The summary, once every event has been added; what the reader learnt at the end comes with it. */
  finish(end?: { tornLine?: boolean; outputLines?: ReadonlyMap<string, number> }): RunSummary;
}

/**
 * Reads a run back from its metadata and journal events: per step its times, attempts, choices,
 * failing checks and output; per phase the time spent; for the run its sessions and outcome.
 */
export function summarizeRun(header: RunHeader, events: Iterable<TimedEvent>, options: SummaryOptions = {}): RunSummary {
  const summarizer = startRunSummary(header, options);
  for (const event of events) summarizer.add(event);
  return summarizer.finish(options);
}

/** Starts a summary to feed events to one by one (summarizeRun, streamed). */
export function startRunSummary(header: RunHeader, options: Pick<SummaryOptions, 'layout' | 'includeOutput'> = {}): RunSummarizer {
  const summary = new SummaryBuilder(header, options);
  return { add: (event: TimedEvent) => summary.add(event), finish: (closing?: SummaryEnd) => summary.finish(closing) };
}

type SummaryEnd = { tornLine?: boolean; outputLines?: ReadonlyMap<string, number> };
type Session = RunSummary['sessions'][number];
type EventOf<K extends RunEvent['kind']> = Extract<TimedEvent, { kind: K }>;

// The run read so far is state every event updates: a class keeps it, one method per kind of event.
class SummaryBuilder {
  private readonly layoutSteps: Map<string, { title: string; position: string; phase: string; host?: string }>;
  private readonly steps = new Map<string, StepSummary>();
  private readonly open = new Map<string, Open>();
  // A foreach step's items by step, then key; those whose command started and has not ended, as `STEP\nKEY`.
  private readonly items = new Map<string, Map<string, ItemSummary>>();
  private readonly openItems = new Set<string>();
  private readonly sessions: RunSummary['sessions'] = [];
  private readonly notes: string[] = [];
  private session: Session | undefined;
  private first: number | undefined;
  // The last event's time, parsed only when needed: most events (output) never need theirs.
  private lastTime: string | undefined;
  private status: RunState = 'running';
  private stoppedAt: string | undefined;
  private message: string | undefined;
  private mode: string | undefined;
  private version: string | undefined;

  constructor(
    private readonly header: RunHeader,
    private readonly options: Pick<SummaryOptions, 'layout' | 'includeOutput'>,
  ) {
    this.layoutSteps = new Map(options.layout?.phases.flatMap((p) => p.steps.map((s) => [s.id, { ...s, phase: p.id }] as const)) ?? []);
    for (const id of header.order) this.step(id);
  }

  add(event: TimedEvent): void {
    this.first ??= msOf(event.time);
    this.apply(event);
    if (event.time !== undefined) this.lastTime = event.time;
  }

  finish(closing: SummaryEnd = {}): RunSummary {
    if (this.session) this.closeSession(this.last() ?? this.session.start, 'running');
    for (const [id, lines] of closing.outputLines ?? []) this.step(id).outputLines += lines;
    for (const [id, items] of this.items) this.step(id).items = [...items.values()];
    for (const s of this.steps.values()) settleStep(s, this.first);
    return this.summary(closing);
  }

  private step(id: string): StepSummary {
    let s = this.steps.get(id);
    if (!s) {
      s = blankStep(id);
      const known = this.layoutSteps.get(id);
      if (known) Object.assign(s, { title: known.title, position: known.position, phase: known.phase, host: known.host });
      this.steps.set(id, s);
    }
    return s;
  }

  private last(): number | undefined {
    return msOf(this.lastTime);
  }

  /** When the event happened: its own time, else the last known one. */
  private at(event: TimedEvent): number {
    return msOf(event.time) ?? this.last() ?? this.first ?? 0;
  }

  private closeSession(end: number, how: RunState | 'died'): void {
    const session = this.session;
    if (!session) return;
    session.end = end;
    session.status = how;
    this.sessions.push(session);
    this.session = undefined;
    for (const [id, o] of this.open) {
      const s = this.step(id);
      s.segments.push({ start: o.start, end });
      s.status = outcomeOfOpen(how);
    }
    this.open.clear();
    for (const open of this.openItems) {
      const [step, key] = open.split('\n') as [string, string];
      this.item(step, key).status = outcomeOfOpen(how);
    }
    this.openItems.clear();
  }

  private item(step: string, key: string): ItemSummary {
    let items = this.items.get(step);
    if (!items) {
      items = new Map();
      this.items.set(step, items);
    }
    let item = items.get(key);
    if (!item) {
      item = { key, status: 'not reached', attempts: 0, checksFailed: 0 };
      items.set(key, item);
    }
    return item;
  }

  private apply(event: TimedEvent): void {
    switch (event.kind) {
      case 'run.started':
      case 'run.resumed':
        this.sessionStarted(event);
        return;
      case 'step.started':
        this.stepStarted(event);
        return;
      case 'step.attempt': {
        if (event.item !== undefined) this.itemStarted(event.step, event.item);
        const s = this.step(event.step);
        s.attempts = Math.max(s.attempts, event.attempt);
        if (event.command !== undefined && !s.commands.includes(event.command)) s.commands.push(event.command);
        return;
      }
      case 'step.output':
        this.output(event);
        return;
      case 'step.exited':
        if (event.item !== undefined && event.exitCode !== undefined) this.item(event.step, event.item).exitCode = event.exitCode;
        this.step(event.step).exits.push({ attempt: event.attempt, exitCode: event.exitCode, signal: event.signal, timedOut: event.timedOut, durationMs: event.durationMs, error: event.error });
        return;
      case 'check.passed':
        this.step(event.step).checks.passed += 1;
        if (event.measured) (this.step(event.step).ages ??= []).push({ ...event.measured, set: event.set, check: event.check, ok: true });
        return;
      case 'check.failed':
        if (event.item !== undefined && event.set !== 'precheck') this.item(event.step, event.item).checksFailed += 1;
        this.step(event.step).checks.failed.push({ set: event.set, check: event.check, reason: event.reason, output: event.output, at: event.time });
        if (event.measured) (this.step(event.step).ages ??= []).push({ ...event.measured, set: event.set, check: event.check, ok: false });
        return;
      case 'operator.choice':
        this.choice(event);
        return;
      case 'shell.opened':
        this.step(event.step).shells.push({ where: event.where, at: event.time });
        return;
      case 'shell.closed':
        this.shellClosed(event);
        return;
      case 'step.finished':
        this.stepFinished(event);
        return;
      case 'step.items':
        // Every key of the pass, in the list's order: one not run yet reads "not reached".
        for (const key of event.keys) this.item(event.step, key);
        return;
      case 'item.finished':
        this.itemFinished(event);
        return;
      case 'step.decided':
        this.step(event.step).conditions = event.conditions;
        return;
      case 'step.captured':
        this.step(event.step).captured = { values: event.values, ...(event.by ? { by: event.by } : {}) };
        return;
      case 'run.note':
        if (event.step) this.step(event.step).notes.push(event.message);
        else this.notes.push(event.message);
        return;
      case 'run.finished':
        this.runFinished(event);
        return;
    }
  }

  private sessionStarted(event: EventOf<'run.started' | 'run.resumed'>): void {
    // A new session while the last one is still open: that one died without recording its end.
    if (this.session) this.closeSession(this.last() ?? this.at(event), 'died');
    this.session = { start: this.at(event), end: this.at(event), operator: event.operator, hostname: event.hostname, mode: event.mode, resumed: event.kind === 'run.resumed' };
    this.mode ??= event.mode;
    this.version ??= event.version;
    this.status = 'running';
  }

  private stepStarted(event: EventOf<'step.started'>): void {
    const s = this.step(event.step);
    Object.assign(s, { title: event.title, position: event.position, phase: event.phase, action: event.action, host: event.host ?? s.host });
    if (!this.open.has(event.step)) this.open.set(event.step, { start: this.at(event) });
    s.status = 'running';
  }

  private output(event: EventOf<'step.output'>): void {
    const s = this.step(event.step);
    s.outputLines += countLines(event.text);
    if ((event as { truncated?: boolean }).truncated) s.outputTruncated = true;
    if (this.options.includeOutput) (s.output ??= []).push({ stream: event.stream, text: event.text, ...(event.item !== undefined ? { item: event.item } : {}) });
  }

  private itemStarted(step: string, key: string): void {
    const item = this.item(step, key);
    item.attempts += 1;
    item.status = 'running';
    this.openItems.add(`${step}\n${key}`);
  }

  private itemFinished(event: EventOf<'item.finished'>): void {
    const item = this.item(event.step, event.item);
    this.openItems.delete(`${event.step}\n${event.item}`);
    item.status = event.status;
    item.durationMs = (item.durationMs ?? 0) + event.durationMs;
    if (event.time !== undefined) item.endedAt = event.time;
    if (event.via) item.via = event.via;
    else delete item.via;
    if (event.reason !== undefined) item.reason = event.reason;
    else delete item.reason;
  }

  private choice(event: EventOf<'operator.choice'>): void {
    const s = this.step(event.step);
    // Read tolerantly: an unattended answer may be marked by `by` or by a flag of its own.
    const flagged = (event as { unattended?: unknown }).unattended === true || event.by === 'unattended';
    const waited = typeof event.waitedMs === 'number' && event.waitedMs > 0 ? event.waitedMs : undefined;
    s.choices.push({ menu: event.menu, choice: event.choice, reason: event.reason, by: event.by, at: event.time, ...(waited ? { waitedMs: waited } : {}), ...(flagged ? { unattended: true } : {}) });
    if (waited) s.waitedMs = (s.waitedMs ?? 0) + waited;
  }

  private shellClosed(event: EventOf<'shell.closed'>): void {
    const shells = this.step(event.step).shells;
    const open = [...shells].reverse().find((x) => x.where === event.where && x.durationMs === undefined && x.error === undefined && x.exitCode === undefined);
    const end = { durationMs: event.durationMs, exitCode: event.exitCode, signal: event.signal, error: event.error };
    if (open) Object.assign(open, end);
    else shells.push({ where: event.where, ...end });
  }

  private stepFinished(event: EventOf<'step.finished'>): void {
    const s = this.step(event.step);
    const o = this.open.get(event.step);
    // A finish with no start in the same stretch of the run (journal damage) still counts, as an instant.
    const t = this.at(event);
    s.segments.push({ start: o?.start ?? t, end: t });
    this.open.delete(event.step);
    Object.assign(s, { status: event.status, via: event.via, exitCode: event.exitCode, reason: event.reason, position: event.position ?? s.position });
    s.attempts = Math.max(s.attempts, event.attempts);
  }

  private runFinished(event: EventOf<'run.finished'>): void {
    this.status = event.status;
    this.stoppedAt = event.stoppedAt;
    this.message = event.message;
    if (!this.session) this.session = { start: this.at(event), end: this.at(event), resumed: true };
    this.closeSession(this.at(event), event.status);
  }

  private summary(closing: SummaryEnd): RunSummary {
    const { header, options, first, sessions, status, stoppedAt } = this;
    const last = this.last();
    const all = [...this.steps.values()];
    const phases = groupPhases(all, options.layout, first);
    return {
      format: 'lifeboat-run/1',
      runId: header.runId,
      runbook: { name: header.runbook.name, path: header.runbook.path },
      operator: header.operator,
      hostname: header.hostname,
      ...(header.drill !== undefined ? { drill: header.drill } : {}),
      mode: this.mode,
      version: this.version,
      status,
      startedAt: iso(first) ?? header.createdAt,
      endedAt: iso(last),
      elapsedMs: first !== undefined && last !== undefined ? last - first : undefined,
      activeMs: sessions.reduce((sum, x) => sum + (x.end - x.start), 0),
      waitedMs: all.reduce((sum, x) => sum + (x.waitedMs ?? 0), 0),
      followUps: followUps(phases, stoppedAt, status),
      sessions,
      stoppedAt,
      message: this.message,
      counts: countOutcomes(all),
      rtoMs: options.layout?.rtoMs,
      phases,
      notes: this.notes,
      tornLine: closing.tornLine ?? false,
    };
  }
}

/** Fills in a step's times from its segments, and the reason of a step stopped without one. */
function settleStep(s: StepSummary, first: number | undefined): void {
  if (s.segments.length) {
    const start = s.segments[0]!.start;
    const end = s.segments[s.segments.length - 1]!.end;
    s.startedAt = iso(start);
    s.endedAt = iso(end);
    s.offsetMs = first === undefined ? undefined : start - first;
    const span = s.segments.reduce((sum, g) => sum + (g.end - g.start), 0);
    const away = (s.waitedMs ?? 0) + s.shells.reduce((sum, x) => sum + (x.durationMs ?? 0), 0);
    s.durationMs = Math.max(0, span - away);
  }
  // A step stopped by a failure has no finish record: its reason is the last thing that went wrong.
  if (s.reason === undefined && (s.status === 'failed' || s.status === 'aborted' || s.status === 'interrupted')) {
    const choice = [...s.choices].reverse().find((c) => c.reason);
    const check = s.checks.failed.filter((c) => c.set !== 'precheck').at(-1);
    const exit = s.exits.filter((e) => e.exitCode !== 0).at(-1);
    s.reason =
      choice?.reason ??
      (check ? `check failed: ${check.check}: ${check.reason}` : undefined) ??
      (exit ? (exit.error ?? (exit.timedOut ? 'timed out' : `exited ${exit.exitCode ?? exit.signal}`)) : undefined) ??
      (s.status === 'interrupted' ? 'interrupted' : undefined);
  }
}

function countOutcomes(steps: readonly StepSummary[]): Record<Outcome, number> {
  const counts = Object.fromEntries((['done', 'skipped', 'not-applicable', 'failed', 'aborted', 'interrupted', 'running', 'incomplete', 'not reached'] as const).map((k) => [k, 0])) as Record<
    Outcome,
    number
  >;
  for (const s of steps) counts[s.status] += 1;
  return counts;
}

/** The follow-up list of a run, in restore order: what a person should look at once it is over. */
function followUps(phases: PhaseSummary[], stoppedAt: string | undefined, status: RunState): FollowUp[] {
  const list: FollowUp[] = [];
  for (const p of phases) {
    for (const s of p.steps) {
      const about = { step: s.id, position: s.position, title: s.title };
      if (s.status === 'skipped' && s.via !== 'precheck') list.push({ kind: 'skipped', ...about, detail: `skipped: ${s.reason ?? 'no reason recorded'}` });
      // A failure the run went on past: the run did not stop there.
      if (s.status === 'failed' && (status === 'done' || (stoppedAt !== undefined && stoppedAt !== s.id))) {
        list.push({ kind: 'failed-continued', ...about, detail: `failed and the run went on: ${s.reason ?? 'see its log'}` });
      }
      for (const c of s.choices) {
        if (c.menu === 'confirm' && c.choice === 'confirmed' && c.unattended) list.push({ kind: 'unattended-confirm', ...about, detail: 'confirmed unattended: nobody read its warning' });
      }
      const failedItems = (s.items ?? []).filter((i) => i.status === 'failed');
      if (s.status === 'done' && failedItems.length > 0) {
        list.push({ kind: 'failed-continued', ...about, detail: `${failedItems.length} of its ${s.items!.length} items failed (tolerated): ${failedItems.map((i) => i.key).join(', ')}` });
      }
      if (s.via === 'operator') list.push({ kind: 'marked-done', ...about, detail: 'marked done by the operator: fixed by hand' });
      for (const x of s.shells) {
        const how = x.error ? `could not start: ${x.error}` : x.signal ? `ended by ${x.signal}` : x.exitCode !== undefined ? `exit ${x.exitCode}` : 'no end recorded';
        list.push({ kind: 'shell', ...about, detail: `shell on ${x.where}${x.durationMs !== undefined ? ` for ${formatDuration(x.durationMs)}` : ''} (${how}): note what was done there` });
      }
    }
  }
  return list;
}

function groupPhases(steps: StepSummary[], layout: RunLayout | undefined, first: number | undefined): PhaseSummary[] {
  const phases = new Map<string, PhaseSummary>();
  for (const p of layout?.phases ?? []) phases.set(p.id, { id: p.id, number: p.number, title: p.title, rtoMs: p.rtoMs, status: 'not reached', steps: [] });
  for (const s of steps) {
    // Steps never reached, of a runbook that can no longer be read, have no known phase.
    const id = s.phase ?? '';
    let p = phases.get(id);
    if (!p) {
      p = { id, title: id || '(phase unknown)', status: 'not reached', steps: [] };
      phases.set(id, p);
    }
    p.steps.push(s);
  }
  const result = [...phases.values()].filter((p) => p.steps.length > 0);
  for (const p of result) {
    // Within a phase, restore order is position order; steps the runbook no longer knows keep journal order.
    if (layout) {
      const order = new Map(layout.phases.find((lp) => lp.id === p.id)?.steps.map((s, i) => [s.id, i]) ?? []);
      p.steps.sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
    }
    p.status = groupOutcome(p.steps.map((s) => s.status));
    const timed = p.steps.filter((s) => s.durationMs !== undefined);
    if (timed.length) {
      p.durationMs = timed.reduce((sum, s) => sum + s.durationMs!, 0);
      const start = Math.min(...timed.map((s) => s.segments[0]!.start));
      p.offsetMs = first === undefined ? undefined : start - first;
    }
  }
  return result;
}
