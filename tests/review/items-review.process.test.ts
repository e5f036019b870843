// A foreach step reviewed item by item: `logs show`, the HTML report and `stats` on a run recorded
// by a real `lifeboat run` process (the review commands go through the CLI in this process).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';
import { FIXTURES, RecordedRuns } from './helpers/recorded-runs.js';

const runs = new RecordedRuns();
let runId: string;

beforeAll(async () => {
  runId = await runs.run('fanout', { expectCode: 0 });
}, 60_000);
afterAll(() => runs.cleanup());

describe('a fan-out in the review', () => {
  it('logs show lists every item with its status and time, and the tolerated failure as a follow-up', async () => {
    const r = await lifeboatInProcess(['logs', 'show', runId, '--logs', runs.logs, '--output']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('items 4: 3 done, 1 failed');
    for (const key of ['101', '102', '104']) expect(r.stdout).toMatch(new RegExp(`^ +\\[${key}\\] +✔ done +\\d`, 'm'));
    expect(r.stdout).toMatch(/^ +\[103\] +✖ failed +\S+ +exited 1/m);
    expect(r.stdout).toContain('follow up 1.1 Restore the guests: 1 of its 4 items failed (tolerated): 103');
    // Each item's output says whose it is.
    expect(r.stdout).toMatch(/stdout │ \[103\] restoring 103/);
  });

  it('the HTML report has a table of the items', async () => {
    const html = join(runs.root, 'report.html');
    const r = await lifeboatInProcess(['logs', 'report', runId, '--logs', runs.logs, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<caption>4 items</caption>');
    expect(page).toMatch(/<tr class="failed"><td class="mono">103<\/td>/);
  });

  it('stats gives each item its runs and success rate', async () => {
    await runs.run('fanout', { work: 'again', expectCode: 0 });
    const r = await lifeboatInProcess(['stats', join(FIXTURES, 'fanout.yaml'), '--logs', runs.logs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ +\[101\] +2 +100% /m);
    expect(r.stdout).toMatch(/^ +\[103\] +2 +0% +– +\S+ +never/m);
  });
});
