// Hints print the command the way the process was started: by its name on PATH, through npx's
// bin link, or as `node FILE`.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-hints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function helpVia(file: string, args: string[], env: Record<string, string>, cwd = ROOT) {
  const r = await execa(file, [...args, '--help'], { cwd, env: { NO_COLOR: '1', npm_command: '', ...env }, reject: false });
  return r.stdout;
}

describe('hints name the command as it was started', () => {
  it('node bin/lifeboat.js, from the project folder', async () => {
    const out = await helpVia('node', ['bin/lifeboat.js'], {});
    expect(out).toContain('    node bin/lifeboat.js run runbooks/demo.yaml');
  });
  it('lifeboat, when started by its name on PATH', async () => {
    const bin = join(dir, 'bin');
    rmSync(bin, { recursive: true, force: true });
    makeDir(bin);
    symlinkSync(BIN, join(bin, 'lifeboat'));
    const out = await helpVia('lifeboat', [], { PATH: `${bin}:${process.env.PATH}` }, dir);
    expect(out).toContain('    lifeboat resume');
  });
  it('npx lifeboat, when npx started the bin link', async () => {
    const bin = join(dir, 'node_modules', '.bin');
    makeDir(bin);
    symlinkSync(BIN, join(bin, 'lifeboat'));
    const out = await helpVia(join(bin, 'lifeboat'), [], { npm_command: 'exec' }, dir);
    expect(out).toContain('    npx lifeboat run runbooks/demo.yaml');
  });
});

function makeDir(path: string): void {
  mkdirSync(path, { recursive: true });
}
