import type { Selection } from '../core/model/plan-types.js';
import type { RunEvent } from '../core/model/run-event.js';

/** What a run records about itself at the start, so it can be resumed and reviewed later. */
export interface RunMeta {
  runId: string;
  runbook: { name: string; path: string; hash: string };
  /** How the plan was built, so a resume builds the same one. */
  request: { file: string; vars: Array<[string, string]>; varsFile?: string; inventory?: string; stepsDir?: string; selection?: Selection };
  /** A fingerprint per step id, to say what changed when the runbook is edited. */
  fingerprints: Record<string, string>;
  /** A fingerprint per input (resolved var, host): a resume refuses to go on with others unasked. */
  inputs?: Record<string, string>;
  /** Step ids in restore order (selected steps only). */
  order: string[];
  createdAt: string;
  operator: string;
  hostname: string;
  bootId?: string;
  /** Set for a rehearsal (`run --drill`): its purpose. */
  drill?: string;
}

/** A journal as read back: its events, and whether a torn last line was left out. */
export interface JournalRead {
  events: Array<RunEvent & { time?: string }>;
  tornLine: boolean;
}

/** Where runs live: their metadata, snapshot and journal. */
export interface RunStore {
  readonly dir: string;
  /** Creates the run's folder and metadata; fails before any step runs if the folder is not writable. */
  create(meta: RunMeta): string;
  runDir(runId: string): string;
  readMeta(runId: string): RunMeta;
  /**
   * Saves a snapshot atomically (temp file, fsync, rename), behind the run: one write at a time,
   * always of the newest state, so the run never stalls on fsync; a store may fold a burst of
   * transitions into one write. `snapshot` is a function, called when the write starts, so the
   * states folded into a later write cost nothing.
   */
  saveSnapshot(runId: string, snapshot: () => unknown): void;
  /** Resolves once every queued snapshot is written, with the errors of any that could not be. */
  flush(): Promise<string[]>;
  /** Throws when the run's folder cannot take a snapshot (read-only, full): checked before any step runs. */
  checkWritable(runId: string): void;
  /** Rewrites the run's metadata (after accepted runbook changes). */
  writeMeta(meta: RunMeta): void;
  /** Cuts a torn last line off the journal before more is appended. */
  repairJournal(runId: string): void;
  /** The saved snapshot, or undefined (with the reason) when it is missing or unreadable. */
  loadSnapshot(runId: string): { snapshot?: { context?: unknown }; problem?: string };
  readJournal(runId: string): JournalRead;
  /** Run ids, oldest first. */
  list(): string[];
}
