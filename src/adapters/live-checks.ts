import type { Check } from '../core/model/plan-types.js';
import { displayText, type Rendered, renderShell, revealWith, secretEnvFor } from '../core/shell/rendered.js';
import { shellQuote } from '../core/shell/shell-quote.js';
import type { CheckResult, CheckRunner } from '../ports/check-runner.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { Probe } from '../ports/probe.js';
import { runAgeCheck } from './age-check.js';

function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Splits a DNS server written as address, address:port or [v6]:port. */
function splitServer(server: string): [string, string | undefined] {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (v6) return [v6[1]!, v6[2]];
  const parts = server.split(':');
  return parts.length === 2 ? [parts[0]!, parts[1]] : [server, undefined];
}

// A host name or an IPv4/IPv6 address: nothing a shell or a command's option parser could take for more.
const ADDRESS = /^[A-Za-z0-9_.:%-]+$/;
const PORT = /^\d{1,5}$/;

/** Refuses an address or port a probe could not pass on as exactly itself. */
function badTarget(address: string, port: string | undefined): string | undefined {
  if (!ADDRESS.test(address) || address.startsWith('-')) return `not a host name or address: ${JSON.stringify(address)}`;
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) return `not a port (1-65535): ${JSON.stringify(port)}`;
  return undefined;
}

/** A remote probe: a fixed script that takes every value as a quoted positional argument, so no shell parses a value twice. */
function probeScript(program: string, args: readonly string[]): string {
  return `bash -c ${shellQuote(program)} lifeboat-probe ${args.map(shellQuote).join(' ')}`;
}

/** What one check's probe needs: the ports, the secrets to reveal, and how to shape its result. */
interface Probing {
  runner: CommandRunner;
  probe: Probe;
  secrets: ReadonlyMap<string, string>;
  reveal: (rendered: Rendered) => string;
  signal: AbortSignal | undefined;
  done: (ok: boolean, reason?: string, output?: string) => CheckResult;
  about: (shown: string, why: string) => string;
}

type CheckOf<K extends Check['kind']> = Extract<Check, { kind: K }>;

// Each kind of check probes in its own way; the table keeps `run` free of a long switch.
const PROBES: { [K in Check['kind']]: (check: CheckOf<K>, p: Probing) => Promise<CheckResult> } = {
  run: runCheck,
  tcp: tcpCheck,
  http: httpCheck,
  dns: dnsCheck,
  path: pathCheck,
  age: ageCheck,
};

/** Checks that really run: commands through the runner, network and files through the probe (or over ssh `from` a host). */
export function createLiveChecks(runner: CommandRunner, probe: Probe, secrets: ReadonlyMap<string, string>): CheckRunner {
  const reveal = revealWith(secrets);
  return {
    async run(check: Check, _set, abort): Promise<CheckResult> {
      const started = performance.now();
      const done = (ok: boolean, reason?: string, output?: string): CheckResult => ({ ok, reason, output, durationMs: performance.now() - started });
      // A reason names what was probed only when the check's label does not already: a check
      // shown as `tcp 10.0.0.5:22` fails with `ECONNREFUSED`, one named `ssh on pve1` with `10.0.0.5:22: ECONNREFUSED`.
      const about = (shown: string, why: string) => (check.label.includes(shown) ? why : `${shown}: ${why}`);
      const probing: Probing = { runner, probe, secrets, reveal, signal: abort, done, about };
      try {
        return await (PROBES[check.kind] as (check: Check, p: Probing) => Promise<CheckResult>)(check, probing);
      } catch (error) {
        return done(false, (error as Error).message);
      }
    },
  };
}

/** Runs a probe script on the check's host, with a little more time than the check itself allows. */
function remote(check: Check, script: string, p: Probing) {
  return p.runner.run({ script, host: check.host, env: {}, timeoutMs: check.timeoutMs + 5_000 }, { signal: p.signal });
}

/** The check's timeout in whole seconds, at least one, for a remote tool's own timeout option. */
function probeSeconds(check: Check): number {
  return Math.max(1, Math.ceil(check.timeoutMs / 1000));
}

async function runCheck(check: CheckOf<'run'>, p: Probing): Promise<CheckResult> {
  const { done } = p;
  const { script, secrets: names } = renderShell(check.command);
  const result = await p.runner.run({ script, host: check.host, env: secretEnvFor(p.secrets, names), timeoutMs: check.timeoutMs }, { signal: p.signal });
  if (result.error) return done(false, result.error, tail(result.output));
  if (result.timedOut) return done(false, `timed out after ${Math.round(check.timeoutMs / 1000)}s`, tail(result.output));
  if (result.exitCode !== check.exit) {
    return done(false, `exited ${result.exitCode ?? result.signal}${check.exit === 0 ? '' : `, expected ${check.exit}`}`, tail(result.output));
  }
  if (check.stdout !== undefined && !new RegExp(p.reveal(check.stdout), 'm').test(result.stdout)) {
    return done(false, `output does not match /${displayText(check.stdout)}/`, tail(result.output));
  }
  return done(true);
}

async function tcpCheck(check: CheckOf<'tcp'>, p: Probing): Promise<CheckResult> {
  const { done, about } = p;
  const target = p.reveal(check.target);
  const at = target.lastIndexOf(':');
  if (at < 0) return done(false, `not host:port: ${target}`);
  const address = target.slice(0, at).replace(/^\[|\]$/g, '');
  const bad = badTarget(address, target.slice(at + 1));
  if (bad) return done(false, bad);
  const port = Number(target.slice(at + 1));
  if (check.host) {
    const result = await remote(check, `timeout ${probeSeconds(check)} ${probeScript('exec 3<>"/dev/tcp/$1/$2"', [address, String(port)])}`, p);
    if (result.error) return done(false, result.error);
    return result.exitCode === 0 ? done(true) : done(false, about(displayText(check.target), `no connection from ${check.host.name}`));
  }
  try {
    await p.probe.tcp(address, port, check.timeoutMs);
  } catch (error) {
    return done(false, about(displayText(check.target), (error as Error).message));
  }
  return done(true);
}

async function httpCheck(check: CheckOf<'http'>, p: Probing): Promise<CheckResult> {
  const { done, about } = p;
  const url = p.reveal(check.url);
  let status: number;
  if (check.host) {
    const seconds = probeSeconds(check);
    if (!/^https?:\/\/[^\s\0]+$/.test(url)) return done(false, `not an http(s) URL: ${JSON.stringify(url)}`);
    // -g: a URL is fetched once, as written; `[1-1000]` or `{a,b}` in it is not a list of URLs.
    const result = await remote(check, probeScript(`curl -g -s -o /dev/null -w '%{http_code}' --max-time ${seconds} -- "$1"`, [url]), p);
    if (result.error) return done(false, result.error);
    status = Number(result.stdout.trim());
    if (!status) return done(false, about(displayText(check.url), `no answer (from ${check.host.name})`));
  } else {
    try {
      status = await p.probe.http(url, check.timeoutMs);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return done(false, about(displayText(check.url), `no answer: ${cause?.code ?? cause?.message ?? (error as Error).message}`));
    }
  }
  return status === check.status ? done(true) : done(false, `answered ${status}, expected ${check.status}`);
}

async function dnsCheck(check: CheckOf<'dns'>, p: Probing): Promise<CheckResult> {
  const { done } = p;
  const name = p.reveal(check.name);
  const server = check.server ? p.reveal(check.server) : undefined;
  let answers: string[];
  if (check.host) {
    const asked = await remoteDns(check, name, server, p);
    if (typeof asked === 'string') return done(false, asked);
    answers = asked;
  } else {
    try {
      answers = await p.probe.dns(name, check.type, server, check.timeoutMs);
    } catch (error) {
      const asked = `dns ${displayText(check.name)}${check.server ? ` @${displayText(check.server)}` : ''}`;
      const named = check.label.includes(displayText(check.name)) && (!check.server || check.label.includes(displayText(check.server)));
      return done(false, named ? (error as Error).message : `${asked}: ${(error as Error).message}`);
    }
  }
  const expected = check.expect.map(p.reveal);
  if (answers.length === 0) return done(false, 'no answer');
  const missing = expected.filter((e) => !answers.includes(e));
  return missing.length ? done(false, `answered ${answers.join(', ')}, expected ${expected.join(', ')}`) : done(true);
}

/** Asks dig on the check's host: its answers, or why the question could not be asked. */
async function remoteDns(check: CheckOf<'dns'>, name: string, server: string | undefined, p: Probing): Promise<string[] | string> {
  const [address, port] = server ? splitServer(server) : [undefined, undefined];
  const seconds = probeSeconds(check);
  const bad = (address !== undefined ? badTarget(address, port) : undefined) ?? (/^[A-Za-z0-9_.:-]+$/.test(name) && !name.startsWith('-') ? undefined : `not a DNS name: ${JSON.stringify(name)}`);
  if (bad) return bad;
  if (!/^[A-Z]+$/.test(check.type)) return `not a record type: ${JSON.stringify(check.type)}`;
  // dig reads every argument as an option or a name; "-q NAME" and "-t TYPE" keep a value from passing for an option.
  const program = `dig +short +time=${seconds} +tries=1 \${2:+"@$2"} \${3:+-p "$3"} -q "$1" -t "$4"`;
  const result = await remote(check, probeScript(program, [name, address ?? '', port ?? '', check.type]), p);
  if (result.error) return result.error;
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith(';'));
}

async function pathCheck(check: CheckOf<'path'>, p: Probing): Promise<CheckResult> {
  const { done } = p;
  if (check.host) {
    // A path on another host is tested there, with the same runner as its commands.
    const result = await p.runner.run({ script: probeScript('test -e "$1"', [p.reveal(check.path)]), host: check.host, env: {}, timeoutMs: check.timeoutMs }, { signal: p.signal });
    if (result.error) return done(false, result.error);
    const exists = result.exitCode === 0;
    return exists === check.exists ? done(true) : done(false, check.exists ? 'does not exist' : 'exists');
  }
  const exists = await p.probe.pathExists(p.reveal(check.path));
  return exists === check.exists ? done(true) : done(false, check.exists ? 'does not exist' : 'exists');
}

async function ageCheck(check: CheckOf<'age'>, p: Probing): Promise<CheckResult> {
  // Measured where the backups are: on the check's host over ssh, or here.
  const result = await runAgeCheck(check, p.runner, p.secrets, p.signal);
  return { ...p.done(result.ok, result.reason, result.output), ...(result.measured ? { measured: result.measured } : {}) };
}
