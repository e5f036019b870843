// The throwaway loopback sshd of the ssh tests (tests/helpers/loopback-sshd.mjs, shared with the
// benchmarks), and what the tests ask of it.
import { execFileSync } from 'node:child_process';
import type { Sshd } from './loopback-sshd.mjs';

export { freePort, keyPair, publicKey, SSHD_BIN, type Sshd, startSshd } from './loopback-sshd.mjs';

/** Runs `ssh OPTIONS target command` against the server and returns its stdout (throws on failure). */
export function sshExec(sshd: Sshd, command: string, extra: string[] = []): string {
  return execFileSync('ssh', [...sshd.sshOptions(), ...extra, sshd.target, command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Number of sessions (commands) the server started: one per remote command, multiplexed or not. */
export function sessionCount(sshd: Sshd): number {
  return sshd
    .log()
    .split('\n')
    .filter((line) => line.includes('Starting session:')).length;
}

/** The control socket ssh uses for this server with ControlPath=DIR/%C (as Lifeboat does), expanded by `ssh -G`. */
export function controlSocket(sshd: Sshd, controlDir: string): string {
  const out = execFileSync('ssh', ['-G', '-o', `ControlPath=${controlDir}/%C`, '-p', String(sshd.port), sshd.target], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => l.toLowerCase().startsWith('controlpath '));
  if (!line) throw new Error('ssh -G printed no controlpath');
  return line.slice('controlpath '.length).trim();
}

/** The control folder of `lifeboat run` for this user (src/cli/run-session.ts). */
export function lifeboatControlDir(): string {
  return `/tmp/lifeboat-ssh-${process.getuid?.() ?? 'user'}`;
}
