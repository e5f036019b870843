// An interactive run needs a terminal for input only: its output may go to a pipe (`| cat`,
// `| tee run.txt`), the questions are drawn on the terminal, and --transcript keeps a plain copy.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { sh, TmuxSession } from '../helpers/tmux.js';

let session: TmuxSession | undefined;
let dir: string | undefined;
afterEach(() => {
  session?.kill();
  session = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('lifeboat run X | cat, in a terminal', () => {
  it('asks on the terminal while its output goes through the pipe; the transcript keeps a plain copy', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-piped-'));
    const exitFile = join(dir, 'exit-code');
    const transcript = join(dir, 'run.txt');
    const logs = join(dir, 'logs');
    const run = ['node', BIN, 'run', join(ROOT, 'runbooks/demo.yaml'), '--logs', logs, '--transcript', transcript].map(sh).join(' ');
    // bash keeps the run's own exit status (not cat's) in PIPESTATUS.
    const command = `cd ${sh(dir)} && bash -c ${sh(`${run} | cat; echo \${PIPESTATUS[0]} > ${exitFile}`)}`;
    const tmux = TmuxSession.start(command, { width: 80, height: 24 });
    session = tmux;
    const screen = await tmux.waitForText('— what now?');
    expect(screen).not.toContain('no terminal');
    expect(screen).toContain('? 1.1 Stage last night');
    await tmux.choose('Abort');
    // The abort's reason is asked on the terminal too, and kept in the run's message.
    await tmux.waitForText('Why abort?');
    tmux.type('only looking');
    tmux.press('Enter');
    expect(Number(await tmux.waitForFile(exitFile))).toBe(1);
    const after = await tmux.waitForText('Continue with:');
    expect(after).toContain(`Continue with: node ${BIN} resume`);
    expect(after).toContain('stopped by the operator: only looking');
    const copy = readFileSync(transcript, 'utf8');
    expect(copy).toMatch(/run +demo-homelab|run +\S+ · run \d{8}T/);
    expect(copy).toMatch(/1\.1 Stage last night.* — what now\? Abort/);
    expect(copy).toContain('Continue with:');
    // Plain text: no colours, no cursor movement.
    expect(copy).not.toMatch(/\u001b\[/);
    // A step's precheck result is printed below its card, not above it.
    const card = copy.indexOf('Phase 1/7 The disaster');
    const precheck = copy.indexOf('not yet: the demo lab is already staged');
    expect(card).toBeGreaterThan(0);
    expect(precheck).toBeGreaterThan(card);
  });
});
