// The freshness templates in steps/backup, run by `lifeboat ready` against stand-ins for zfs
// and pvesh that print what the real ones print (`-Hp`: epoch seconds; pvesh: JSON).
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { type Workspace, workspacesPerTest } from '../helpers/run-fixtures.js';

const ws = workspacesPerTest('lifeboat-backup-templates-');
const HOUR = 3600;

function standIns(w: Workspace, now: number): Record<string, string> {
  const bin = w.path('bin');
  mkdirSync(bin, { recursive: true });
  // zfs list -H -t snapshot -o name -s creation -r DATASET (oldest first); zfs get -H -p -o value creation SNAPSHOT.
  writeFileSync(
    `${bin}/zfs`,
    `#!/bin/bash
if [ "$1" = list ]; then
  case "\${@: -1}" in
    tank/data) printf '%s\\n' tank/data@a tank/data/child@z tank/data@b ;;
    backup/tank/data) printf '%s\\n' backup/tank/data@c backup/tank/data@d ;;
    *) echo "cannot open '\${@: -1}': dataset does not exist" >&2; exit 1 ;;
  esac
  exit
fi
case "\${@: -1}" in
  tank/data@a) echo ${now - 50 * HOUR} ;; tank/data@b) echo ${now - 2 * HOUR} ;; tank/data/child@z) echo ${now} ;;
  backup/tank/data@c) echo ${now - 80 * HOUR} ;; backup/tank/data@d) echo ${now - 40 * HOUR} ;;
  *) exit 1 ;;
esac
`,
  );
  const entries = [
    { volid: 'pbs:backup/vm/101/a', ctime: now - 3 * HOUR, vmid: 101, verification: { state: 'failed', upid: 'x' } },
    { volid: 'pbs:backup/vm/101/b', ctime: now - 20 * HOUR, vmid: 101, verification: { state: 'ok', upid: 'y' } },
    { volid: 'pbs:backup/vm/101/c', ctime: now - 45 * HOUR, vmid: 101 },
  ];
  writeFileSync(`${bin}/pvesh`, `#!/bin/bash\necho '${JSON.stringify(entries)}'\n`);
  for (const tool of ['zfs', 'pvesh']) chmodSync(`${bin}/${tool}`, 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

describe('backup freshness templates', () => {
  it('measure ZFS snapshots, vzdump archives, PBS snapshots with their verification, and replicas', async () => {
    const w = ws();
    const now = Math.floor(Date.now() / 1000);
    const env = standIns(w, now);
    mkdirSync(w.path('dump'));
    writeFileSync(w.path('dump/vzdump-qemu-101-2026_12_01-02_00_00.vma.zst'), 'x');
    utimesSync(w.path('dump/vzdump-qemu-101-2026_12_01-02_00_00.vma.zst'), now - 5 * HOUR, now - 5 * HOUR);
    const file = w.path('lab.yaml');
    writeFileSync(
      file,
      `name: lab
phases:
  - id: backups
    steps:
      - uses: backup/zfs-snapshot-age
        with: { dataset: tank/data }
      - uses: backup/vzdump-age
        with: { vmid: 101, dump_dir: ${w.path('dump')} }
      - uses: backup/pbs-snapshot-age
        with: { vmid: 101, storage: pbs }
      - uses: backup/replica-age
        with: { replica: backup/tank/data }
`,
    );
    const r = await lifeboat(['ready', file, '--json', '--logs', w.logs, '--steps', `${ROOT}steps`], { cwd: w.dir, env });
    expect(r.code, r.stderr).toBe(1);
    const items = (JSON.parse(r.stdout) as { items: Array<{ item: string; state: string; age?: { ageSeconds: number }; detail?: string }> }).items;
    const hours = (name: string) => Math.round(items.find((i) => i.item === name)!.age!.ageSeconds / HOUR);
    expect(hours('newest snapshot of tank/data')).toBe(2);
    expect(hours('vzdump of guest 101')).toBe(5);
    // The newer snapshot failed verification: the newest verified one counts, and the failure is named.
    expect(hours('verified PBS snapshot of guest 101')).toBe(20);
    expect(items.find((i) => i.item === 'newest PBS snapshot of guest 101 passed verification')).toMatchObject({ state: 'failed' });
    expect(items.find((i) => i.item === 'newest replicated snapshot of backup/tank/data')).toMatchObject({ state: 'failed' });
    expect(hours('newest replicated snapshot of backup/tank/data')).toBe(40);
  });
});
