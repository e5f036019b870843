import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lifeboat } from '../helpers/cli.js';
import { lifeboatInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-side-by-side-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const out = join(dir, 'out.txt');
const file = join(dir, 'chains.yaml');
writeFileSync(
  file,
  `name: chains
phases:
  - id: a
    steps:
      - { id: a1, run: "sleep 0.3; echo a1 >> ${out}" }
      - { id: a2, run: "echo a2 >> ${out}" }
  - id: b
    steps:
      - { id: b1, run: "echo b1 >> ${out}" }
      - { id: b2, run: "echo b2 >> ${out}" }
`,
);

describe('--concurrency', () => {
  it('plan lists the steps that may run together', async () => {
    const r = await lifeboatInProcess(['plan', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Side by side');
    expect(r.stdout).toContain('1.1 a1 · 2.1 b1');
    expect(r.stdout).toContain('1.2 a2 · 2.2 b2');
  });

  it.each(['0', '65', 'two', '1.5', '-1'])('--concurrency %s is refused before anything runs (exit 2), saying what it takes', async (value) => {
    const r = await lifeboat(['run', file, '--yes', '--concurrency', value, '--logs', join(dir, 'bad-logs')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--concurrency ${value}`);
    expect(r.stderr).toContain('a whole number from 1 to 64');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the two chains together: b1 and b2 finish while a1 still sleeps; every line names its step', async () => {
    rmSync(out, { force: true });
    const r = await lifeboat(['run', file, '--yes', '--concurrency', '2', '--logs', join(dir, 'logs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toEqual(['b1', 'b2', 'a1', 'a2']);
    for (const position of ['1.1', '1.2', '2.1', '2.2']) expect(r.stdout).toMatch(new RegExp(`${position.replace('.', '\\.')}\\s+done`));
  });
});
