import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { eventsOf, readOnlyJournal, type Workspace, workspacesPerTest } from '../helpers/run-fixtures.js';

// The project's own templates in steps/, run by real bash against stand-ins for the tools they
// call (a `zpool` that prints a given status and records what it was asked to do).

const ws = workspacesPerTest('lifeboat-templates-');

/** A `zpool` on PATH whose `status` prints STATUS; `zpool scrub` is recorded, and then reports one in progress. */
function fakeZpool(w: Workspace, status: string): Record<string, string> {
  const bin = w.path('bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(w.path('status.txt'), status);
  writeFileSync(
    `${bin}/zpool`,
    `#!/bin/bash
case $1 in
  status) cat ${w.path('status.txt')} ;;
  scrub) echo "scrub $2" >> ${w.path('calls.txt')}; printf '  pool: %s\\n  scan: scrub in progress since now\\n' "$2" > ${w.path('status.txt')} ;;
  *) exit 2 ;;
esac
`,
  );
  chmodSync(`${bin}/zpool`, 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

async function scrub(w: Workspace, env: Record<string, string>) {
  const file = w.path('runbook.yaml');
  writeFileSync(file, 'format: 1\nname: scrub\nphases:\n  - id: zfs\n    steps:\n      - id: scrub\n        uses: zfs/scrub\n        with: { pool: tank }\n');
  const r = await lifeboat(['run', file, '--yes', '--logs', w.logs, '--steps', `${ROOT}steps`], { cwd: w.dir, env });
  const finished = eventsOf(readOnlyJournal(w.logs).events, 'step.finished', 'scrub')[0];
  return { r, finished, calls: w.read('calls.txt') ?? '' };
}

/** HOURS ago as zpool prints it (ctime: `Wed Nov 25 20:00:01 2026`, local time). */
const ago = (hours: number) => execFileSync('date', ['-d', `@${Math.round(Date.now() / 1000 - hours * 3600)}`, '+%a %b %e %H:%M:%S %Y'], { encoding: 'utf8' }).trim();

describe('steps/zfs/scrub', () => {
  it('a scrub in progress: not started again', async () => {
    const w = ws();
    const { r, finished, calls } = await scrub(w, fakeZpool(w, '  pool: tank\n  scan: scrub in progress since Wed Nov 25 20:00:01 2026\n'));
    expect(r.code, r.stdout).toBe(0);
    expect(finished).toMatchObject({ status: 'done', via: 'precheck' });
    expect(calls).toBe('');
  });

  it.each([
    ['OpenZFS', (when: string) => `  scan: scrub repaired 0B in 00:00:01 with 0 errors on ${when}\n`],
    ['older ZFS (zfs-fuse)', (when: string) => ` scrub: scrub completed after 0h0m with 0 errors on ${when}\n`],
  ])('%s: a scrub finished an hour ago counts as done; one finished two days ago does not', async (_name, line) => {
    const fresh = ws();
    const recent = await scrub(fresh, fakeZpool(fresh, `  pool: tank\n${line(ago(1))}`));
    expect(recent.r.code, recent.r.stdout).toBe(0);
    expect(recent.finished).toMatchObject({ status: 'done', via: 'precheck' });
    expect(recent.calls).toBe('');

    const stale = ws();
    const old = await scrub(stale, fakeZpool(stale, `  pool: tank\n${line(ago(48))}`));
    expect(old.r.code, old.r.stdout).toBe(0);
    expect(old.finished).toMatchObject({ status: 'done' });
    expect(old.finished!.via).toBeUndefined();
    expect(old.calls).toBe('scrub tank\n');
  });

  it('no scrub ever: one is started', async () => {
    const w = ws();
    const { r, calls } = await scrub(w, fakeZpool(w, '  pool: tank\n scrub: none requested\n'));
    expect(r.code, r.stdout).toBe(0);
    expect(calls).toBe('scrub tank\n');
  });
});
