// `run --drill`: a rehearsal on record, shown as such by logs list, logs show, stats and the
// report, and counted by `ready` against drill_every.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { readOnlyJournal, workspacesPerTest } from '../helpers/run-fixtures.js';

const ws = workspacesPerTest('lifeboat-drill-');

describe('drills on record', () => {
  it('records the purpose, shows the run as a drill, and ready counts it', async () => {
    const w = ws();
    const file = w.path('lab.yaml');
    writeFileSync(file, 'name: lab\ndrill_every: 90d\nphases:\n  - id: net\n    title: Network\n    rto: 10m\n    steps:\n      - id: up\n        run: "true"\n');
    const before = await lifeboat(['ready', file, '--logs', w.logs], { cwd: w.dir });
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('no successful drill on record');

    const run = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--drill', 'quarterly rehearsal'], { cwd: w.dir });
    expect(run.code, run.stderr).toBe(0);
    const journal = readOnlyJournal(w.logs);
    expect(JSON.parse(readFileSync(`${journal.runDir}/run.json`, 'utf8')).drill).toBe('quarterly rehearsal');
    expect(journal.events.find((e) => e.kind === 'run.started')!.drill).toBe('quarterly rehearsal');

    const list = await lifeboatInProcess(['logs', 'list', '--logs', w.logs], { cwd: w.dir });
    expect(list.stdout).toMatch(/✔ done \(drill\)/);
    const show = await lifeboatInProcess(['logs', 'show', 'last', '--logs', w.logs], { cwd: w.dir });
    expect(show.stdout).toContain('drill     a rehearsal: quarterly rehearsal');
    const stats = await lifeboatInProcess(['stats', file, '--logs', w.logs], { cwd: w.dir });
    expect(stats.stdout).toMatch(/Drills · 1 recorded · last successful: .* \("quarterly rehearsal"\)/);
    expect(stats.stdout).toMatch(/Network \[net\] {2}last drills: \S+ {2}RTO 10m ✔ within \(last\)/);
    const report = w.path('r.html');
    await lifeboatInProcess(['logs', 'report', 'last', '--html', report, '--logs', w.logs], { cwd: w.dir });
    expect(readFileSync(report, 'utf8')).toContain('a rehearsal: quarterly rehearsal');

    const after = await lifeboat(['ready', file, '--logs', w.logs], { cwd: w.dir });
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/^drill +last successful drill +✔ ok +0d ago +every 90d/m);
  });

  it('a run without --drill is no drill', async () => {
    const w = ws();
    const file = w.path('lab.yaml');
    writeFileSync(file, 'name: lab\ndrill_every: 90d\nphases:\n  - id: net\n    steps:\n      - id: up\n        run: "true"\n');
    await lifeboat(['run', file, '--yes', '--logs', w.logs], { cwd: w.dir });
    const list = await lifeboatInProcess(['logs', 'list', '--logs', w.logs], { cwd: w.dir });
    expect(list.stdout).not.toContain('(drill)');
    expect((await lifeboat(['ready', file, '--logs', w.logs], { cwd: w.dir })).code).toBe(1);
  });
});
