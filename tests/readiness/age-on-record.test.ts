// What an age check measured during a run is on record: in the journal's check events, in
// `logs show` (text and --json) and in the HTML report.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { eventsOf, readOnlyJournal, workspacesPerTest } from '../helpers/run-fixtures.js';

const ws = workspacesPerTest('lifeboat-age-record-');

describe('age measures on record', () => {
  it('journal, logs show, --json and the report carry the measured age', async () => {
    const w = ws();
    writeFileSync(w.path('backup.zst'), 'x');
    const t = Date.now() / 1000 - 5 * 3600;
    utimesSync(w.path('backup.zst'), t, t);
    const file = w.path('r.yaml');
    writeFileSync(
      file,
      `name: r\nphases:\n  - id: p\n    steps:\n      - id: fresh\n        run: "true"\n        verify:\n          - name: nightly backup\n            age: { path: "${w.dir}/*.zst" }\n            max_age: 26h\n      - id: stale\n        run: "true"\n        on_failure: continue\n        verify:\n          - age: { run: "echo ${Math.floor(t - 3 * 86_400)}" }\n            max_age: 1d\n`,
    );
    const run = await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir });
    expect(run.code, run.stdout).toBe(0);
    const events = readOnlyJournal(w.logs).events;
    const passed = eventsOf(events, 'check.passed', 'fresh')[0]!;
    expect(passed.check).toBe('nightly backup ≤ 26h old');
    expect(passed.measured).toMatchObject({ ageSeconds: expect.any(Number), maxAgeSeconds: 93_600 });
    expect(Math.round((passed.measured as { ageSeconds: number }).ageSeconds / 3600)).toBe(5);
    const failed = eventsOf(events, 'check.failed', 'stale')[0]!;
    expect(failed.reason).toMatch(/^the newest is 3d 5h old .* more than max_age 24h$/);
    expect((failed.measured as { maxAgeSeconds: number }).maxAgeSeconds).toBe(86_400);

    const show = await lifeboatInProcess(['logs', 'show', 'last', '--logs', w.logs], { cwd: w.dir });
    expect(show.stdout).toMatch(/✔ age 5h \(max 26h, newest .*\): nightly backup ≤ 26h old/);
    const json = JSON.parse((await lifeboatInProcess(['logs', 'show', 'last', '--json', '--logs', w.logs], { cwd: w.dir })).stdout) as {
      phases: Array<{ steps: Array<{ id: string; ages?: Array<{ ok: boolean; ageSeconds: number }> }> }>;
    };
    const steps = json.phases.flatMap((p) => p.steps);
    expect(steps.find((s) => s.id === 'stale')!.ages![0]!.ok).toBe(false);
    await lifeboatInProcess(['logs', 'report', 'last', '--html', w.path('r.html'), '--logs', w.logs], { cwd: w.dir });
    expect(readFileSync(w.path('r.html'), 'utf8')).toMatch(/backup age: <code>nightly backup ≤ 26h old<\/code>: newest .*<strong>5h<\/strong> old \(max 26h\)/);
  });
});
