// kill -9 at many points of a fan-out: a captured list of 30 items, run 5 at a time, each item
// appending its key to a file. Whatever the moment, once `resume --yes` completes the run every
// item is in the file exactly once, the journal records each item done once, and the list is the
// one captured before the crash (a re-capture would bring new keys).
import { readFileSync, writeFileSync } from 'node:fs';
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

type Scenario = { name: string; kill: Trigger; resumeKills?: Trigger[] };

/**
 * Writes a runbook (given the file its steps append to), runs it unattended, kills it -9 at the
 * scenario's point, then resumes until done (killed again where the scenario says): the file
 * written to and the journal's events.
 */
async function killThenResume(name: string, text: (out: string) => string, scenario: Scenario) {
  const dir = tempDir(name);
  const out = join(dir, 'out.txt');
  const logs = join(dir, 'logs');
  const file = join(dir, 'runbook.yaml');
  writeFileSync(file, text(out));
  const run = start(['run', file, '--yes', '--logs', logs], { cwd: dir });
  const killed = await signalAt(run, scenario.kill, { logs, out });
  const first = await finish(run);
  expect(killed, `the run ended before the kill (${describeTrigger(scenario.kill)}):\n${first.all}`).toBe(true);
  const journal = journalFile(logs, onlyRun(logs)!);
  const last = await resumeUntilDone({ dir, logs, out, journal, runId: onlyRun(logs) }, scenario.resumeKills ?? []);
  expect(last.code, last.all).toBe(0);
  return { out, events: readEvents(journal).events };
}

// Points spread over the fan-out: by how many items wrote, and by time since the run's first record.
const SCENARIOS: Scenario[] = [
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
      const { out, events } = await killThenResume('fanout', runbook, scenario);
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

/** Three independent chains of five steps, three steps at a time, each step appending its id once. */
function chains(out: string): string {
  const phase = (p: string) =>
    `  - id: ${p}\n    steps:\n${[1, 2, 3, 4, 5].map((i) => `      - id: ${p}${i}\n        idempotent: true\n        run: sleep 0.05; echo ${p}${i} >> ${out}\n        verify:\n          - run: grep -qx ${p}${i} ${out}\n`).join('')}`;
  return `format: 1\nname: chains\nconcurrency: 3\nphases:\n${['a', 'b', 'c'].map(phase).join('')}`;
}

const SIDE_BY_SIDE: Scenario[] = [
  { name: 'as the first steps write', kill: { lines: 2 } },
  { name: 'half way, resume killed again later', kill: { lines: 7 }, resumeKills: [{ lines: 12 }] },
  { name: '300 ms in', kill: { delayMs: 300 } },
];

describe.concurrent('kill -9 while steps run side by side (three chains, concurrency 3)', () => {
  for (const scenario of SIDE_BY_SIDE) {
    it(`killed ${scenario.name}: every step exactly once, each chain in its order`, { timeout: 240_000 }, async () => {
      const { out, events } = await killThenResume('chains', chains, scenario);
      const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
      const all = ['a', 'b', 'c'].flatMap((p) => [1, 2, 3, 4, 5].map((i) => `${p}${i}`));
      expect([...lines].sort()).toEqual([...all].sort());
      for (const p of ['a', 'b', 'c']) expect(lines.filter((l) => l.startsWith(p))).toEqual([1, 2, 3, 4, 5].map((i) => `${p}${i}`));
      const done = events.filter((e) => e.kind === 'step.finished' && e.status === 'done').map((e) => e.step as string);
      expect([...done].sort(), 'each step recorded done exactly once').toEqual([...all].sort());
    });
  }
});
