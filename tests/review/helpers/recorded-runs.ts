// Records real runs of the small runbooks in tests/review/fixtures with the built CLI
// (`node bin/lifeboat.js run … --yes --logs DIR`), so that the review commands are tested on
// journals written by Lifeboat itself, never on hand-made ones.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { RUN_ID_PATTERN } from '../../../src/core/model/run-id.js';
import { BIN, ROOT } from '../../helpers/cli.js';

export const FIXTURES = join(ROOT, 'tests/review/fixtures');
export const SECRET = 's3cr3t-value-42';

/** A journal line as written by pino: the event plus level, time and runId. */
export type JournalLine = Record<string, unknown> & { kind: string; time: string; step?: string };

/** A folder of recorded runs, and the work folders their commands ran in. */
export class RecordedRuns {
  readonly root = mkdtempSync(join(tmpdir(), 'lifeboat-review-'));
  readonly logs = join(this.root, 'logs');

  private known = new Set<string>();

  /** Runs a runbook of the fixtures unattended, in a work folder of its own, and returns the new run's id. */
  async run(runbook: string, options: { file?: string; work?: string; setup?: (work: string) => void; env?: Record<string, string>; expectCode: number }): Promise<string> {
    const work = this.work(options.work ?? runbook);
    options.setup?.(work);
    const result = await execa('node', [BIN, 'run', options.file ?? join(FIXTURES, `${runbook}.yaml`), '--yes', '--logs', this.logs], {
      cwd: work,
      env: { NO_COLOR: '1', ...options.env },
      reject: false,
      timeout: 60_000,
    });
    if (result.exitCode !== options.expectCode) {
      throw new Error(`run of ${runbook}: exit ${result.exitCode}, expected ${options.expectCode}\n${result.stdout}\n${result.stderr}`);
    }
    return this.newRun();
  }

  /** Starts a run, waits for its long step to start (started.flag), then sends a signal; returns the id and exit code. */
  async signalled(runbook: string, signal: 'SIGINT' | 'SIGKILL'): Promise<{ runId: string; code: number | undefined }> {
    const work = this.work(runbook);
    const child = execa('node', [BIN, 'run', join(FIXTURES, `${runbook}.yaml`), '--yes', '--logs', this.logs], {
      cwd: work,
      env: { NO_COLOR: '1' },
      reject: false,
      timeout: 60_000,
    });
    const flag = join(work, 'started.flag');
    const deadline = Date.now() + 30_000;
    while (!existsSync(flag)) {
      if (Date.now() > deadline) throw new Error(`${runbook}: its long step never started`);
      await new Promise((r) => setTimeout(r, 25));
    }
    // The flag is written by the step's command; the signal waits until the journal holds its step.spawned too.
    while (!this.freshRuns().some((id) => existsSync(this.journalPath(id)) && this.journal(id).some((e) => e.kind === 'step.spawned'))) {
      if (Date.now() > deadline) throw new Error(`${runbook}: its long step never reached the journal`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill(signal);
    const result = await child;
    return { runId: this.newRun(), code: result.exitCode };
  }

  /** Appends half a journal line with no newline, as a crash in the middle of a write leaves it. */
  tear(runId: string): void {
    appendFileSync(this.journalPath(runId), '{"level":"info","time":"2026-11-25T21:16:23.627Z","runId":"x","kind":"step.sta');
  }

  journalPath(runId: string): string {
    return join(this.logs, runId, 'events.jsonl');
  }

  /** The journal's whole lines, parsed (a torn last line left out). */
  journal(runId: string): JournalLine[] {
    const lines = readFileSync(this.journalPath(runId), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const events: JournalLine[] = [];
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as JournalLine);
      } catch {
        // the torn last line of a torn journal
      }
    }
    return events;
  }

  /** A step's duration by the journal's timestamps: from its step.started to its step.finished. */
  stepMs(runId: string, step: string): number {
    const events = this.journal(runId);
    const start = events.find((e) => e.kind === 'step.started' && e.step === step);
    const end = events.find((e) => e.kind === 'step.finished' && e.step === step);
    if (!start || !end) throw new Error(`${runId}: ${step} did not both start and finish`);
    return Date.parse(end.time) - Date.parse(start.time);
  }

  /** A run's wall-clock time by the journal's timestamps: from its first event to its last. */
  runMs(runId: string): number {
    const events = this.journal(runId);
    return Date.parse(events.at(-1)!.time) - Date.parse(events[0]!.time);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private work(name: string): string {
    const dir = join(this.root, 'work', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  private freshRuns(): string[] {
    return (existsSync(this.logs) ? readdirSync(this.logs) : []).filter((n) => RUN_ID_PATTERN.test(n) && !this.known.has(n));
  }

  private newRun(): string {
    const fresh = this.freshRuns();
    if (fresh.length !== 1) throw new Error(`expected one new run folder, found ${fresh.length}: ${fresh.join(', ')}`);
    this.known.add(fresh[0]!);
    return fresh[0]!;
  }
}

/** The three drills of drill.yaml: fast (import-pool sleeps 0.2s), slow (0.9s), broken (0.6s, then mount's verify fails). */
export async function recordDrills(runs: RecordedRuns): Promise<{ fast: string; slow: string; broken: string }> {
  const fast = await runs.run('drill', { setup: (w) => writeFileSync(join(w, 'delay'), '0.2'), expectCode: 0 });
  const slow = await runs.run('drill', { setup: (w) => writeFileSync(join(w, 'delay'), '0.9'), expectCode: 0 });
  const broken = await runs.run('drill', {
    setup: (w) => {
      writeFileSync(join(w, 'delay'), '0.6');
      writeFileSync(join(w, 'broken.flag'), '');
    },
    expectCode: 1,
  });
  return { fast, slow, broken };
}
