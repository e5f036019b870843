// Run records may hold secrets' surroundings and command output: the run folder is 0700 and its
// files 0600, whatever the umask, and they stay so across a resume (which rewrites the snapshot).
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, lifeboat, onlyRun, sh, tempDir, writeRunbook } from './harness.js';

afterAll(cleanupTemp);

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

function modes(runDir: string): Record<string, string> {
  const result: Record<string, string> = { '.': mode(runDir) };
  for (const name of readdirSync(runDir)) result[name] = mode(join(runDir, name));
  return result;
}

const EXPECTED = { '.': '0700', 'run.json': '0600', 'events.jsonl': '0600', 'snapshot.json': '0600' };

describe('modes of the run records', () => {
  it.each(['022', '000'])('umask %s: run folder 0700, run.json, events.jsonl, snapshot.json 0600, also after a resume', { timeout: 60_000 }, async (umask) => {
    const dir = tempDir('modes');
    const logs = join(dir, 'logs');
    const flag = join(dir, 'flag');
    const { file, steps } = writeRunbook(dir, 'modes', [
      [
        { id: 'one', run: 'true' },
        { id: 'two', run: `test -e ${sh(flag)}` },
      ],
    ]);

    const first = await lifeboat(['run', file, '--yes', '--logs', logs, '--steps', steps], { cwd: dir, umask });
    expect(first.code, first.all).toBe(1);
    const runDir = join(logs, onlyRun(logs)!);
    expect(modes(runDir)).toEqual(EXPECTED);

    writeFileSync(flag, '');
    const resumed = await lifeboat(['resume', '--yes', '--logs', logs], { cwd: dir, umask });
    expect(resumed.code, resumed.all).toBe(0);
    expect(modes(runDir)).toEqual(EXPECTED);
  });
});
