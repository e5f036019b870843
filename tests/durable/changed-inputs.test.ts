// The inputs a run started with are part of what a resume compares, like the runbook's text: a
// vars file, an inventory's host, or run.json's request edited between a stop and its resume is
// refused (exit 2) with what changed, unless --accept-changes; nothing runs meanwhile.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, journalFile, lifeboat, linesOf, onlyRun, sh, sizeOf, tempDir } from './harness.js';

afterAll(cleanupTemp);

function setup(tag: string) {
  const dir = tempDir(tag);
  const out = join(dir, 'out.txt');
  const flag = join(dir, 'flag');
  const logs = join(dir, 'logs');
  const file = join(dir, 'runbook.yaml');
  writeFileSync(
    file,
    `name: inputs
vars:
  word: plain
phases:
  - id: p1
    title: Words
    steps:
      - id: w1
        title: first
        run: ${JSON.stringify(`echo w1-{{ vars.word }} >> ${sh(out)}`)}
      - id: w2
        title: second
        run: ${JSON.stringify(`test -e ${sh(flag)} && echo w2-{{ vars.word }} >> ${sh(out)}`)}
      - id: w3
        title: third
        run: ${JSON.stringify(`echo w3-{{ vars.word }} >> ${sh(out)}`)}
`,
  );
  const vars = join(dir, 'v.yaml');
  writeFileSync(vars, 'word: first\n');
  return { dir, out, flag, logs, file, vars };
}

describe('a resume with other inputs than the run started with', () => {
  it('an edited vars file: refused with the var named, then --accept-changes goes on with the new value', { timeout: 120_000 }, async () => {
    const { dir, out, flag, logs, file, vars } = setup('vars-edit');
    const first = await lifeboat(['run', file, '--vars', vars, '--yes', '--logs', logs, '--steps', dir], { cwd: dir });
    expect(first.code, first.all).toBe(1);
    const runId = onlyRun(logs)!;
    writeFileSync(vars, 'word: second\n');
    writeFileSync(flag, '');
    const before = sizeOf(journalFile(logs, runId));
    const refused = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(refused.code, refused.all).toBe(2);
    expect(refused.stderr).toContain('changed since run');
    expect(refused.stderr).toContain('vars.word');
    expect(refused.stderr).toContain('--accept-changes');
    expect(sizeOf(journalFile(logs, runId)), 'a refused resume records nothing').toBe(before);
    expect(linesOf(out)).toEqual(['w1-first']);
    const accepted = await lifeboat(['resume', runId, '--yes', '--accept-changes', '--logs', logs], { cwd: dir });
    expect(accepted.code, accepted.all).toBe(0);
    expect(linesOf(out)).toEqual(['w1-first', 'w2-second', 'w3-second']);
  });

  it.each([
    ['the --var list in run.json', (meta: { request: { vars: Array<[string, string]> } }) => void meta.request.vars.push(['word', 'tampered'])],
    ['the selection in run.json', (meta: { request: { selection?: unknown } }) => void (meta.request.selection = { skip: ['w3'] })],
  ])('%s edited: refused, nothing runs', { timeout: 120_000 }, async (_name, edit) => {
    const { dir, out, flag, logs, file, vars } = setup('meta-edit');
    expect((await lifeboat(['run', file, '--vars', vars, '--yes', '--logs', logs, '--steps', dir], { cwd: dir })).code).toBe(1);
    const runId = onlyRun(logs)!;
    const metaFile = join(logs, runId, 'run.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    edit(meta);
    writeFileSync(metaFile, JSON.stringify(meta));
    writeFileSync(flag, '');
    const refused = await lifeboat(['resume', runId, '--yes', '--logs', logs], { cwd: dir });
    expect(refused.code, refused.all).toBe(2);
    expect(refused.stderr).toContain('changed since run');
    expect(linesOf(out)).toEqual(['w1-first']);
  });
});
