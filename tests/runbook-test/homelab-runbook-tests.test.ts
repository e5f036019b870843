import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lifeboatInProcess as lifeboat } from '../helpers/cli-in-process.js';

// runbooks/homelab.yaml's own cases (runbooks/homelab.tests.yaml), through the command line (in this process):
// they pass, and a case that expects the wrong branch fails, saying where.

const RUNBOOK = 'runbooks/homelab.yaml';
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-homelab-tests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LISTING = '[{"content":"backup","ctime":1796432400,"subtype":"qemu","vmid":101,"volid":"nas-backup:backup/vzdump-qemu-101-2026_12_05-01_00_00.vma.zst"}]';

describe("the homelab runbook's tests", () => {
  it('every case passes: standalone and cluster, a guest to restore or none, a failing item', async () => {
    const r = await lifeboat(['test', RUNBOOK]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✔ a standalone node needs no quorum; every guest is there, so none is restored and nobody is asked');
    expect(r.stdout).toContain("✔ one guest's restore fails; the other is still restored, and the step fails naming it");
    expect(r.stdout).toMatch(/(\d+) cases: \1 passed\. Nothing was executed\.$/);
  });

  it('a case expecting the wrong branch fails: quorum on a standalone node, an item that never was', async () => {
    const file = join(dir, 'wrong.tests.yaml');
    writeFileSync(
      file,
      `tests:
  - name: a standalone node expected to wait for quorum
    only: [proxmox]
    steps:
      cluster: { stdout: "standalone\\n" }
      list-backups: { stdout: '${LISTING}' }
      guests-to-restore: { stdout: '{"guests": [], "ids": ""}' }
      start-then:
        items:
          "ct:201": { exit: 1 }
    expect:
      status: done
      steps:
        quorum: done
        start-then: { items: { "vm:101": failed } }
`,
    );
    const r = await lifeboat(['test', RUNBOOK, '--tests', file]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`✖ a standalone node expected to wait for quorum (${file}:2)`);
    expect(r.stdout).toContain('    step quorum status\n      expected: done\n      got:      not-applicable\n');
    expect(r.stdout).toContain('    step start-then item vm:101 status\n      expected: failed\n      got:      done\n');
    expect(r.stdout).toContain('    step start-then item ct:201\n      expected: an item with this key, as the case pretends\n      got:      items vm:101, ct:200\n');
    expect(r.stdout).toContain('1 case: 0 passed, 1 failed.');
  });
});
