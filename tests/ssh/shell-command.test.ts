// "Open a shell" on a remote step reaches the host with the run's own ssh options (port, identity,
// known_hosts, shared connection), except that a person may answer prompts (BatchMode=no) and gets a tty.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellCommand } from '../../src/adapters/inquirer-prompter.js';
import { type SshOptions, sshArgs } from '../../src/adapters/ssh-args.js';
import type { HostRef, PlanStep } from '../../src/core/model/plan-types.js';
import { eventually } from '../helpers/run-fixtures.js';
import { controlSocket, type Sshd, startSshd } from '../helpers/sshd.js';

let sshd: Sshd;
let controlDir: string;
beforeAll(async () => {
  sshd = await startSshd();
  controlDir = mkdtempSync(join(tmpdir(), 'lb-cm-'));
});
afterAll(async () => {
  await sshd?.stop();
  if (controlDir) rmSync(controlDir, { recursive: true, force: true });
});

function hostOf(s: Sshd): HostRef {
  return { name: 'r', ssh: s.target, user: s.user, address: '127.0.0.1', port: s.port, identity: s.identity, knownHosts: s.knownHosts };
}

/** A remote step, as much of it as shellCommand reads. */
function stepOn(host: HostRef | undefined): PlanStep {
  return { id: 's', phase: 'p', position: '1.1', title: 's', host } as unknown as PlanStep;
}

/** The value of `-o Name=value` in an ssh argument list. */
function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '-o' && args[i + 1]!.startsWith(`${name}=`)) return args[i + 1]!.slice(name.length + 1);
  }
  return undefined;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('shellCommand (Open a shell)', () => {
  it('is ssh with -t, BatchMode=no, and the run’s identity, port and known_hosts', () => {
    const ssh: SshOptions = { controlDir };
    const host = hostOf(sshd);
    const { command, args, where } = shellCommand(stepOn(host), ssh);
    expect(command).toBe('ssh');
    expect(where).toBe(`r (${sshd.target})`);
    expect(args).toContain('-t');
    expect(args[args.length - 1]).toBe(sshd.target);
    expect(option(args, 'BatchMode')).toBe('no');
    expect(args).not.toContain('BatchMode=yes');
    expect(flag(args, '-i')).toBe(sshd.identity);
    expect(flag(args, '-p')).toBe(String(sshd.port));
    expect(option(args, 'UserKnownHostsFile')).toBe(sshd.knownHosts);
    expect(option(args, 'StrictHostKeyChecking')).toBe('yes');
    expect(option(args, 'ControlPath')).toBe(`${controlDir}/%C`);
    // Everything else is exactly the run's options.
    const run = sshArgs(host, ssh);
    // The options end with `--`, then the destination (a host value can never be read as an option).
    expect(args.slice(-2)).toEqual(['--', sshd.target]);
    expect(args.filter((a) => a !== '-t' && a !== '--' && a !== sshd.target && a !== 'BatchMode=no')).toEqual(run.filter((a) => a !== 'BatchMode=yes'));
  });

  it('a local step opens a local shell', () => {
    const { command, args, where } = shellCommand(stepOn(undefined), { controlDir });
    expect(command).not.toBe('ssh');
    expect(args).toEqual([]);
    expect(where).toBe('this machine');
  });

  it('its options reach the host: the same command, with a command instead of a shell, runs there', async () => {
    const { command, args } = shellCommand(stepOn(hostOf(sshd)), { controlDir });
    const accepted = sshd.acceptedCount();
    // No terminal here: ssh says it allocates none and runs the command.
    const out = execFileSync(command, [...args, 'echo "shell=$SSH_CONNECTION"'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(new RegExp(`^shell=127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`));
    expect(sshd.acceptedCount() - accepted).toBe(1);
    // It made (or used) the shared connection of the run's control folder; close it.
    const socket = controlSocket(sshd, controlDir);
    expect(existsSync(socket)).toBe(true);
    execFileSync('ssh', [...sshArgs(hostOf(sshd), { controlDir }), '-O', 'exit', sshd.target], { stdio: 'ignore' });
    await eventually(() => !existsSync(socket), 'the shared connection to close');
  });
});
