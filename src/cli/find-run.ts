import { join } from 'node:path';
import { journalStatus } from '../adapters/journal-ends.js';
import { UsageError } from '../core/model/problem.js';
import { counted } from '../core/text/plural.js';
import type { RunStore } from '../ports/run-store.js';
import { lifeboatCommand } from './command-name.js';

// Shared by `resume` and `logs`: a module of its own so that `logs` does not load the run engine.

/** Finds a run by id, unique prefix or `last`; with no id, the newest unfinished run. */
export function findRun(store: RunStore, wanted: string | undefined): string {
  const runs = store.list();
  if (wanted === undefined) {
    for (const runId of [...runs].reverse()) {
      try {
        if (journalStatus(join(store.runDir(runId), 'events.jsonl')) !== 'done') return runId;
      } catch {}
    }
    throw new UsageError(`no unfinished run in ${store.dir}`, {
      expected: 'a run that stopped before its end',
      received: `${counted(runs.length, 'run')}, all finished`,
      hint: 'name a run, or pass --logs DIR if the runs are elsewhere',
    });
  }
  if (wanted === 'last' && runs.length) return runs[runs.length - 1]!;
  const matches = runs.filter((id) => id.startsWith(wanted));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(matches.length ? `run id ${wanted} is ambiguous` : `no run ${wanted} in ${store.dir}`, {
    expected: 'a run id, a unique prefix of one, or last',
    received: matches.length ? matches.join(', ') : wanted,
    hint: matches.length ? 'type more of the id' : `list runs with \`${lifeboatCommand()} logs list\`; pass --logs DIR if they are elsewhere`,
  });
}
