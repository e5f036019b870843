// `run --dry-run --probe` reaches the hosts over ssh (the loopback sshd): read-only checks run
// there, a host that is down makes its steps "unknown" with ssh's reason, and nothing is written.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { runDirs, workspacesPerTest } from '../helpers/run-fixtures.js';
import { freePort, type Sshd, startSshd } from '../helpers/sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const ws = workspacesPerTest('lifeboat-probe-');

describe('run --dry-run --probe on hosts', () => {
  it('satisfied where a remote read-only precheck passes, would run where it fails, unknown on a host that is down; nothing written', async () => {
    const w = ws();
    writeFileSync(w.path('pool.flag'), 'imported\n');
    const down = await freePort();
    const file = w.path('runbook.yaml');
    writeFileSync(
      file,
      `format: 1
name: probe-hosts
hosts:
  r: ${sshd.hostYaml()}
  gone: ${sshd.hostYaml({ port: down })}
phases:
  - id: p
    steps:
      - id: import
        title: Import the pool
        on: r
        run: touch ${w.path('import-ran.txt')}
        precheck:
          - run: grep -q imported ${w.path('pool.flag')}
            readonly: true
      - id: mount
        title: Mount the datasets
        on: r
        run: touch ${w.path('mount-ran.txt')}
        precheck:
          - run: test -f ${w.path('mounted.flag')}
            readonly: true
      - id: unsafe
        title: A precheck that is not read-only
        on: r
        run: touch ${w.path('unsafe-ran.txt')}
        precheck:
          - run: touch ${w.path('unsafe-precheck-ran.txt')}
      - id: share
        title: Share it
        on: gone
        run: touch ${w.path('share-ran.txt')}
        precheck:
          - run: test -f ${w.path('pool.flag')}
            readonly: true
`,
    );
    const r = await lifeboat(['run', file, '--dry-run', '--probe', '--logs', w.logs], { cwd: w.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const summary = r.stdout.slice(r.stdout.indexOf('Rehearsal: what a real run would do now'));
    expect(summary).toMatch(/^ {2}1\.1 {3}satisfied {2}Import the pool$/m);
    expect(summary).toMatch(/^ {2}1\.2 {3}would run {2}Mount the datasets$/m);
    expect(summary).toMatch(/^ {2}1\.3 {3}unknown {4}A precheck that is not read-only \(`touch \S+` is not marked `readonly: true`: a probe does not run it\)$/m);
    expect(summary).toMatch(/^ {2}1\.4 {3}unknown {4}Share it \(cannot reach gone \(\S+\) over ssh: connection refused \(is sshd running on it\?\)\)$/m);
    expect(summary).toContain('1 satisfied, 1 would run, 0 blocked, 2 unknown.');
    expect(r.stdout).not.toContain('has no SSH');
    // Nothing was written, on the host (this machine through sshd) or in the logs.
    for (const name of ['import-ran.txt', 'mount-ran.txt', 'unsafe-ran.txt', 'unsafe-precheck-ran.txt', 'share-ran.txt', 'mounted.flag']) expect(w.read(name), name).toBeUndefined();
    expect(w.read('pool.flag')).toBe('imported\n');
    expect(runDirs(w.logs)).toEqual([]);
  });
});
