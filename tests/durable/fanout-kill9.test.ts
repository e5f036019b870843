// kill -9 at many points of a fan-out: a captured list of 30 items, run 5 at a time, each item
// appending its key to a file. Whatever the moment, once `resume --yes` completes the run every
// item is in the file exactly once, the journal records each item done once, and the list is the
// one captured before the crash (a re-capture would bring new keys).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, describeTrigger, finish, journalFile, onlyRun, readEvents, resumeUntilDone, signalAt, start, type Trigger, tempDir } from './harness.js';

afterAll(cleanupTemp);

function runbook(out: string): string {
  return `format: 1
name: fanout
phases:
  - id: guests
    title: Guests
    steps:
      - id: list
        idempotent: true
        run: p=$(date +%s%N); for i in $(seq 1 30); do echo "$p-$i"; done
        capture:
          keys: { lines: true }
      - id: restore
        foreach: "{{ steps.list.keys }}"
        concurrency: 5
        idempotent: true
        run: sleep 0.05; echo {{ item }} >> ${out}
        verify:
          - run: grep -qx {{ item }} ${out}
`;
}

// Points spread over the fan-out: by how many items wrote, and by time since the run's first record.
const SCENARIOS: Array<{ name: string; kill: Trigger; resumeKills?: Trigger[] }> = [
  { name: 'as the first items write', kill: { lines: 1 } },
  { name: 'a third of the way, resume killed again later', kill: { lines: 10 }, resumeKills: [{ lines: 21 }] },
  { name: 'near the end', kill: { lines: 28 } },
  { name: '250 ms in', kill: { delayMs: 250 } },
  { name: '600 ms in, resume killed 150 ms in', kill: { delayMs: 600 }, resumeKills: [{ delayMs: 150 }] },
  { name: 'as the list is captured', kill: { event: 'step.captured', step: 'list' } },
];

describe.concurrent('kill -9 during a fan-out of 30 items, 5 at a time', () => {
  for (const scenario of SCENARIOS) {
    it(`killed ${scenario.name}: every item exactly once`, { timeout: 240_000 }, async () => {
      const dir = tempDir('fanout');
      const out = join(dir, 'out.txt');
      const logs = join(dir, 'logs');
      const file = join(dir, 'runbook.yaml');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, runbook(out));
      const run = start(['run', file, '--yes', '--logs', logs], { cwd: dir });
      const killed = await signalAt(run, scenario.kill, { logs, out });
      const first = await finish(run);
      expect(killed, `the run ended before the kill (${describeTrigger(scenario.kill)}):\n${first.all}`).toBe(true);
      const journal = journalFile(logs, onlyRun(logs)!);
      const last = await resumeUntilDone({ dir, logs, out, journal, runId: onlyRun(logs) }, scenario.resumeKills ?? []);
      expect(last.code, last.all).toBe(0);
      const { events } = readEvents(journal);
      const captured = events.filter((e) => e.kind === 'step.captured');
      expect(captured, 'the list is captured once').toHaveLength(1);
      const keys = (captured[0]!.values as { keys: string[] }).keys;
      expect(keys).toHaveLength(30);
      const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
      expect([...lines].sort()).toEqual([...keys].sort());
      const done = events.filter((e) => e.kind === 'item.finished' && e.status === 'done').map((e) => e.item as string);
      expect([...done].sort(), 'each item recorded done exactly once').toEqual([...keys].sort());
      expect(events.filter((e) => e.kind === 'run.finished').at(-1)?.status).toBe('done');
    });
  }
});
