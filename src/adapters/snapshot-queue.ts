import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

// At most twenty snapshot writes a second: a burst of quick steps is folded, a real step is not.
const SNAPSHOT_SPACING_MS = 50;

/** Snapshots written behind the run: one write at a time per run, always of the newest state. */
export interface SnapshotQueue {
  save(runId: string, snapshot: () => unknown): void;
  /** Resolves once every queued snapshot is written, with the errors of any that could not be. */
  flush(): Promise<string[]>;
}

/**
 * Writes each run's snapshot.json atomically (temp file, fsync, rename) beside the run, so the
 * run never stalls on fsync; a newer snapshot replaces one still waiting.
 */
export function createSnapshotQueue(runDir: (runId: string) => string): SnapshotQueue {
  const queues = new Map<string, { writing: Promise<void>; next?: () => unknown }>();
  const lastWrite = new Map<string, number>();
  const errors: string[] = [];
  let flushing = false;
  let wake: (() => void) | undefined;
  const drain = async (runId: string): Promise<void> => {
    const queue = queues.get(runId)!;
    // A transition after a quiet spell is written at once. Transitions that come faster than
    // SNAPSHOT_SPACING_MS apart are folded into one write of the newest state: the journal,
    // written before each thing happens, covers the gap, and no step ever waits for an fsync.
    while (queue.next) {
      const wait = (lastWrite.get(runId) ?? -Infinity) + SNAPSHOT_SPACING_MS - performance.now();
      if (wait > 0 && !flushing) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          // A flush (the end of the run) writes at once instead of waiting.
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      const take = queue.next;
      queue.next = undefined;
      lastWrite.set(runId, performance.now());
      try {
        await writeFileAtomic(join(runDir(runId), 'snapshot.json'), JSON.stringify(take()), { mode: 0o600, fsync: true });
      } catch (error) {
        // The journal still records everything; a lost snapshot only makes a resume rebuild from it.
        errors.push((error as Error).message);
      }
    }
  };
  return {
    save(runId, snapshot) {
      const queue = queues.get(runId);
      if (queue) {
        queue.next = snapshot;
        return;
      }
      const fresh: { writing: Promise<void>; next?: () => unknown } = { writing: Promise.resolve(), next: snapshot };
      queues.set(runId, fresh);
      fresh.writing = drain(runId).finally(() => queues.delete(runId));
    },
    async flush() {
      flushing = true;
      wake?.();
      await Promise.all([...queues.values()].map((q) => q.writing));
      return errors.splice(0);
    },
  };
}
