import type { CapturedValue } from '../capture/captured-values.js';
import type { StepRecord } from '../machine/machine-setup.js';
import type { RunEvent } from '../model/run-event.js';

/** Where an interrupted run stands, as recovered from its snapshot and journal. */
export interface ResumeState {
  /** What the run recorded of each step it reached, the journal's word over the snapshot's. */
  records: Record<string, StepRecord>;
  /** The step that had started a command and not finished, with its process group if recorded. */
  inFlight?: { step: string; pgid?: number; startTicks?: number; spawnedAt?: string };
  /** The step the run stopped at (the first one not finished), if any. */
  stoppedAt?: string;
  /** When and by whom the run last did anything. */
  lastEventAt?: string;
  /** How the run last ended, when it recorded that. */
  lastStatus?: string;
  /** Steps the snapshot called ended although the journal never saw them end: not believed. */
  disbelieved?: string[];
  /** The items of foreach steps: those that ended done, by step; those whose command may still run, by `STEP\nKEY`. */
  items?: ItemStates;
  /** The values steps captured, by step id (a secret one only as its mask). */
  captures?: Record<string, Record<string, CapturedValue>>;
}

type Timed = RunEvent & { time?: string };

/**
 * A saved snapshot's context, as read back (any of it may be missing or damaged): the current
 * step and its record, or, from a run recorded before the machine kept only the current step,
 * a record per step.
 */
export interface SavedContext {
  current?: unknown;
  record?: unknown;
  steps?: unknown;
}

const isRecord = (value: unknown): value is StepRecord =>
  typeof value === 'object' && value !== null && typeof (value as StepRecord).status === 'string' && typeof (value as StepRecord).attempts === 'number';

/** The step records a saved context holds; whatever is not a record is left out. */
function savedRecords(saved: SavedContext | undefined): Record<string, StepRecord> {
  const records: Record<string, StepRecord> = {};
  if (typeof saved?.current === 'string' && isRecord(saved.record)) records[saved.current] = saved.record;
  if (typeof saved?.steps === 'object' && saved.steps !== null) {
    for (const [id, record] of Object.entries(saved.steps)) if (isRecord(record)) records[id] = record;
  }
  return records;
}

/**
 * Rebuilds where a run stands. The journal is written before anything happens, so it wins
 * wherever it is ahead of the snapshot (a step it records as finished is finished; a command
 * it records as started may have run), and it alone suffices when the snapshot is lost.
 */
export function resumeState(events: readonly Timed[], saved: SavedContext | undefined, order: readonly string[]): ResumeState {
  const steps = savedRecords(saved);
  const ended = new Set<string>();
  const failedSeen = new Set<string>();
  // Attempts whose end the journal has not seen: `running` while the command may run, `verifying` once it exited 0.
  const open = new Map<string, { attempt: number; status: 'running' | 'verifying'; pgid?: number; startTicks?: number; spawnedAt?: string }>();
  const announced = new Map<string, number>();
  let lastStatus: string | undefined;
  let lastEventAt: string | undefined;
  const failAttempt = (step: string, attempt: number) => {
    open.delete(step);
    failedSeen.add(step);
    steps[step] = { ...(steps[step] ?? { attempts: attempt }), status: 'failed', attempts: attempt };
  };
  for (const event of events) {
    lastEventAt = event.time ?? lastEventAt;
    // An item's command is not the step's: items are rebuilt apart (itemStates).
    if ((event as { item?: string }).item !== undefined) continue;
    switch (event.kind) {
      case 'step.attempt':
        open.set(event.step, { attempt: event.attempt, status: 'running' });
        announced.set(event.step, event.attempt);
        break;
      case 'step.spawned': {
        const attempt = open.get(event.step);
        if (attempt) Object.assign(attempt, { pgid: event.pgid, startTicks: event.startTicks, spawnedAt: event.time });
        break;
      }
      case 'step.exited': {
        const attempt = open.get(event.step);
        // An attempt stopped by Ctrl-C stays open: like a crash, it may or may not have done its work.
        if (attempt && event.interrupted) break;
        if (attempt && event.exitCode === 0 && !event.timedOut) attempt.status = 'verifying';
        else if (attempt) failAttempt(event.step, attempt.attempt);
        break;
      }
      case 'check.failed': {
        // A verify check failing on its own after the command exited 0 ends the attempt as failed,
        // as a failing exit does: a run stopped there was not interrupted, and its snapshot is right.
        const attempt = open.get(event.step);
        if (attempt?.status === 'verifying' && event.set === 'verify' && !event.interrupted) failAttempt(event.step, attempt.attempt);
        break;
      }
      case 'step.finished':
        steps[event.step] = { status: event.status, attempts: event.attempts, via: event.via as StepRecord['via'], reason: event.reason };
        ended.add(event.step);
        open.delete(event.step);
        break;
      case 'run.finished':
        lastStatus = event.status;
        break;
      case 'run.resumed':
        lastStatus = undefined;
        break;
      default:
        break;
    }
  }
  // The journal is the record: a snapshot (hand-edited, or from another run) that calls a step
  // ended when the journal never saw it end is rebuilt from the journal.
  const disbelieved: string[] = [];
  for (const [id, record] of Object.entries(steps)) {
    if ((record.status === 'done' || record.status === 'skipped' || record.status === 'not-applicable' || record.status === 'failed') && !ended.has(id) && !failedSeen.has(id)) {
      disbelieved.push(id);
      if (announced.has(id)) steps[id] = { ...record, status: 'pending', attempts: announced.get(id) ?? 0 };
      else delete steps[id];
    }
  }
  for (const [id, record] of Object.entries(steps)) {
    // The snapshot is saved just before an attempt is announced; an attempt never announced never started.
    if ((record.status === 'running' || record.status === 'verifying') && !open.has(id) && (announced.get(id) ?? 0) < record.attempts) {
      steps[id] = { ...record, status: 'pending', attempts: announced.get(id) ?? 0 };
    }
  }
  let inFlight: ResumeState['inFlight'];
  for (const [id, attempt] of open) {
    const record = steps[id];
    steps[id] = { ...(record ?? {}), status: attempt.status, attempts: Math.max(record?.attempts ?? 0, attempt.attempt) };
    if (attempt.status === 'running') inFlight = { step: id, pgid: attempt.pgid, startTicks: attempt.startTicks, spawnedAt: attempt.spawnedAt };
  }
  const isEnded = (id: string) => ended.has(id) || steps[id]?.status === 'done' || steps[id]?.status === 'skipped' || steps[id]?.status === 'not-applicable';
  const captures = capturedValues(events);
  const items = itemStates(events);
  return {
    ...(items.done.size || items.inFlight.size ? { items } : {}),
    records: steps,
    inFlight,
    stoppedAt: order.find((id) => !isEnded(id)),
    lastEventAt,
    lastStatus,
    ...(disbelieved.length ? { disbelieved } : {}),
    ...(Object.keys(captures).length ? { captures } : {}),
  };
}

/**
 * What the run captured, as journaled: each step's values from its latest capture. A resume
 * puts these into later steps and never runs a step again to capture them.
 */
export function capturedValues(events: readonly RunEvent[]): Record<string, Record<string, CapturedValue>> {
  const captures: Record<string, Record<string, CapturedValue>> = {};
  for (const event of events) if (event.kind === 'step.captured') captures[event.step] = event.values as Record<string, CapturedValue>;
  return captures;
}

/** Where the items of foreach steps stand, as journaled. */
export interface ItemStates {
  done: Map<string, Set<string>>;
  inFlight: Map<string, { pgid?: number; startTicks?: number; spawnedAt?: string }>;
}

/**
 * The items of foreach steps: done when the journal saw them end done (never run again); in flight
 * when their command started and neither it nor the item was seen to end (it may have run).
 */
export function itemStates(events: readonly Timed[]): ItemStates {
  const done = new Map<string, Set<string>>();
  const inFlight: ItemStates['inFlight'] = new Map();
  for (const event of events) {
    const item = (event as { item?: string }).item;
    if (item === undefined || !('step' in event)) continue;
    const key = `${event.step}\n${item}`;
    if (event.kind === 'step.attempt') inFlight.set(key, {});
    else if (event.kind === 'step.spawned') {
      const flight = inFlight.get(key);
      if (flight) Object.assign(flight, { pgid: event.pgid, startTicks: event.startTicks, spawnedAt: event.time });
    } else if (event.kind === 'step.exited' && !event.interrupted && !(event.exitCode === 0 && !event.timedOut)) {
      // Exited 0 with no end of the item: its work may be done and its checks not run yet; it stays, to be proven.
      inFlight.delete(key);
    } else if (event.kind === 'item.finished') {
      inFlight.delete(key);
      if (event.status === 'done') done.set(event.step, (done.get(event.step) ?? new Set()).add(item));
      else done.get(event.step)?.delete(item);
    }
  }
  return { done, inFlight };
}
