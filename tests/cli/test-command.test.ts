import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';

// `lifeboat test` through the built binary: cases found beside the runbook or given, exit codes, what a failed case shows.

const RUNBOOK = 'examples/tested-restore/cluster-restore.yaml';
const FIXTURES = 'tests/fixtures/runbook-tests';
const STACK = /\n\s+at .+:\d+:\d+/;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('lifeboat test', () => {
  it('runs the cases beside the runbook, one line each, and exits 0 when all pass: branches both ways', async () => {
    const r = await lifeboat(['test', RUNBOOK]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✔ a cluster of two nodes needs the lone node to vote alone');
    expect(r.stdout).toContain('✔ a standalone node votes alone already');
    expect(r.stdout).toMatch(/4 cases: 4 passed\. Nothing was executed\.$/);
  });

  it('a failing case exits 1, showing for each difference what was expected and what happened', async () => {
    const r = await lifeboat(['test', RUNBOOK, '--tests', `${FIXTURES}/failing.tests.yaml`]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`✖ a standalone node expected wrongly as a cluster (${FIXTURES}/failing.tests.yaml:3)`);
    expect(r.stdout).toContain('    step expect-one-vote status\n      expected: done\n      got:      not-applicable\n');
    expect(r.stdout).toContain('    step cluster-info captured nodes\n      expected: 2\n      got:      1\n');
    expect(r.stdout).toContain('✔ a restore that keeps failing stops the run');
    // A step not reached is explained by how the run ended.
    expect(r.stdout).toContain(
      '    step restore-guest status\n      expected: done\n      got:      not-reached\n    the run ended aborted: 2.1 Let the lone node vote alone asks for typed confirmation',
    );
    expect(r.stdout).toContain('3 cases: 1 passed, 2 failed.');
  });

  it('an unknown step id in a test file is invalid input: exit 2 with file:line:column and the nearest id', async () => {
    const r = await lifeboat(['test', RUNBOOK, '--tests', `${FIXTURES}/invalid.tests.yaml`]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${FIXTURES}/invalid.tests.yaml:4:7: no step \`cluster-inf\` in cluster-restore`);
    expect(r.stderr).toContain('did you mean `cluster-info`?');
    expect(r.stdout + r.stderr).not.toMatch(STACK);
  });

  it("a case's var the runbook does not declare is told where the case gives it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-test-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'v.yaml'), "tests:\n  - name: v\n    vars: { nope: '1' }\n");
    const r = await lifeboat(['test', RUNBOOK, '--tests', join(dir, 'v.yaml')]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'v.yaml')}:3:13: unknown var \`nope\` (at tests[0].vars.nope)`);
  });

  it('reads a NAME.tests/ folder; a runbook with no tests is a usage error naming where they go', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-test-'));
    dirs.push(dir);
    cpSync(RUNBOOK, join(dir, 'rb.yaml'));
    const none = await lifeboat(['test', join(dir, 'rb.yaml')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no tests for');
    expect(none.stderr).toContain('rb.tests.yaml');
    expect(none.stdout + none.stderr).not.toMatch(STACK);
    cpSync(`${FIXTURES}/failing.tests.yaml`, join(dir, 'rb.tests', 'a.yaml'), { recursive: true });
    writeFileSync(join(dir, 'rb.tests', 'b.yaml'), "tests:\n  - name: ask default\n    steps: { cluster-info: { stdout: 'count: 1' } }\n    expect: { status: failed }\n");
    const folder = await lifeboat(['test', join(dir, 'rb.yaml')]);
    expect(folder.code, folder.stdout + folder.stderr).toBe(1);
    expect(folder.stdout).toContain('4 cases: 2 passed, 2 failed.');
  });

  it('--help says what it does', async () => {
    const r = await lifeboat(['test', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--tests <path>');
    expect(r.stdout).toContain('nothing is executed');
  });
});
