import type { Check, HostRef } from '../model/plan-types.js';
import { CHECK_KINDS } from '../model/runbook-types.js';
import { displayText, type Rendered, toPieces } from '../shell/rendered.js';
import { parseDuration } from '../text/duration.js';
import { timerProblem } from '../validate/duration-limits.js';
import { dnsServerProblem, httpUrlProblem, tcpTargetProblem } from '../validate/network-target.js';
import { didYouMean } from '../validate/suggest.js';
import { blank } from './blank-text.js';
import { hasReferences } from './interpolate.js';
import { resolveAgeCheck } from './resolve-age-check.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';

const FIELDS_OF: Record<string, readonly string[]> = {
  run: ['exit', 'stdout'],
  tcp: [],
  http: ['status'],
  dns: ['server', 'type', 'expect'],
  path: ['exists'],
  age: ['max_age'],
};
const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

/** Resolves a list of checks; `host` is where `run` checks go unless a check says `from`. */
export function resolveChecks(at: Located, res: Resolution, host: HostRef | undefined, hosts: Readonly<Record<string, HostRef>>): Check[] {
  if (!Array.isArray(at.value)) return [];
  const checks: Check[] = [];
  at.value.forEach((_, i) => {
    const check = resolveCheck(child(at, i), res, host, hosts);
    if (check) checks.push(check);
  });
  return checks;
}

/** Resolves one check; `stepHost` is where `run` and `path` checks go unless it says `from`. */
export function resolveCheck(at: Located, res: Resolution, stepHost: HostRef | undefined, hosts: Readonly<Record<string, HostRef>>): Check | undefined {
  if (!isRecord(at.value)) return undefined;
  const raw = at.value;
  const kind = checkKind(at, raw, res);
  if (kind === undefined) return undefined;
  reportForeignFields(at, raw, kind, res);
  // Commands and paths are about the step's host; network probes run from here unless `from` says otherwise.
  let host = kind === 'run' || kind === 'path' || kind === 'age' ? stepHost : undefined;
  if (typeof raw.from === 'string') {
    host = hosts[raw.from];
    if (!host) res.report(child(at, 'from'), unknownHost(raw.from, hosts));
  }
  const timeoutMs = checkTimeout(child(at, 'timeout'), res) ?? DEFAULT_CHECK_TIMEOUT_MS;
  const name = typeof raw.name === 'string' ? displayText(res.text(child(at, 'name'), false)) : undefined;
  return CHECKS[kind]({ at, raw, res, base: { host, timeoutMs }, name });
}

type CheckKind = (typeof CHECK_KINDS)[number];

/** What every kind of check is resolved from: where it is written, its fields, and what all kinds share. */
interface CheckInput {
  at: Located;
  raw: Record<string, unknown>;
  res: Resolution;
  base: { host: HostRef | undefined; timeoutMs: number };
  /** The check's `name:`, shown instead of a label made from what it checks. */
  name: string | undefined;
}

/** The check's one kind, or undefined (reported) when it has none or several. */
function checkKind(at: Located, raw: Record<string, unknown>, res: Resolution): CheckKind | undefined {
  const kinds = CHECK_KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length === 1) return kinds[0]!;
  res.report(at, {
    message: kinds.length === 0 ? 'a check needs one of run, tcp, http, dns, path or age' : `a check has more than one kind: ${kinds.join(', ')}`,
    expected: 'exactly one of run, tcp, http, dns, path, age',
    received: kinds.length === 0 ? `keys ${Object.keys(raw).join(', ') || '(none)'}` : kinds.join(' and '),
    hint: kinds.length > 1 ? 'split it into one check per kind' : undefined,
  });
  return undefined;
}

/** Reports a field that belongs to another kind of check: it would be silently ignored. */
function reportForeignFields(at: Located, raw: Record<string, unknown>, kind: CheckKind, res: Resolution): void {
  for (const [other, fields] of Object.entries(FIELDS_OF)) {
    if (other === kind) continue;
    for (const field of fields) {
      if (raw[field] !== undefined && !FIELDS_OF[kind]!.includes(field)) {
        res.report(
          child(at, field),
          {
            message: `\`${field}\` does not apply to a ${kind} check`,
            expected: `a ${kind} check takes ${[...FIELDS_OF[kind]!, 'name', 'from', 'timeout', ...(kind === 'run' ? ['readonly'] : [])].join(', ')}`,
            received: `\`${field}\``,
            hint: `\`${field}\` belongs to ${other} checks`,
          },
          true,
        );
      }
    }
  }
}

function label(c: CheckInput, text: Rendered, prefix: string): string {
  return c.name ?? `${prefix}${displayText(text)}`;
}

// Each kind of check reads its own fields.
const CHECKS: Record<CheckKind, (c: CheckInput) => Check | undefined> = {
  run: runCheck,
  tcp: (c) => {
    const { at, res, base } = c;
    const target = checkedText(child(at, 'tcp'), res, tcpTargetProblem, (why) => ({
      message: 'a tcp check needs host:port',
      expected: 'host:port, e.g. 192.168.10.20:22 ([address]:port for IPv6)',
      hint: `${why}; the port is the service's, e.g. 22 for ssh, 445 for smb`,
    }));
    return { ...base, kind: 'tcp', target, label: label(c, target, 'tcp '), readonly: true };
  },
  http: ({ at, raw, res, base, name }) => {
    const url = checkedText(child(at, 'http'), res, httpUrlProblem, (why) => ({ message: 'an http check needs a URL', expected: 'http://... or https://...', hint: why }));
    const status = typeof raw.status === 'number' ? raw.status : 200;
    return { ...base, kind: 'http', url, status, label: name ?? `http ${displayText(url)} → ${status}`, readonly: true };
  },
  dns: dnsCheck,
  path: ({ at, raw, res, base, name }) => {
    const path = checkedText(
      child(at, 'path'),
      res,
      (t) => (t.trim() === '' ? 'the path is empty' : undefined),
      (why) => ({ message: 'a path check needs a path', expected: 'a file or folder path, e.g. /mnt/tank/data', hint: why }),
    );
    const exists = raw.exists !== false;
    return { ...base, kind: 'path', path, exists, label: name ?? `${exists ? 'exists' : 'absent'} ${displayText(path)}`, readonly: true };
  },
  age: ({ at, res, base, name }) => resolveAgeCheck(at, res, base, name),
};

function runCheck(c: CheckInput): Check {
  const { at, raw, res, base } = c;
  blank(child(at, 'run'), "a check's `run:` command", 'a bash command that proves something, e.g. zpool list tank', res);
  if (typeof raw.exit === 'number' && (raw.exit < 0 || raw.exit > 255)) {
    res.report(child(at, 'exit'), {
      message: `exit code ${raw.exit} can never happen`,
      expected: 'an exit code from 0 to 255',
      received: String(raw.exit),
      hint: 'a process exits with 0 to 255; the check would fail every time',
    });
  }
  const command = res.text(child(at, 'run'), true);
  const stdout = typeof raw.stdout === 'string' ? res.text(child(at, 'stdout'), 'regex') : undefined;
  if (stdout) {
    try {
      new RegExp(displayText(stdout));
    } catch (error) {
      res.report(child(at, 'stdout'), {
        message: 'invalid regular expression in `stdout`',
        expected: 'a JavaScript regular expression',
        received: (error as Error).message,
      });
    }
  }
  return {
    ...base,
    kind: 'run',
    command,
    label: label(c, command, ''),
    exit: typeof raw.exit === 'number' ? raw.exit : 0,
    stdout,
    readonly: raw.readonly === true,
  };
}

function dnsCheck(c: CheckInput): Check {
  const { at, raw, res, base, name } = c;
  const dnsName = checkedText(
    child(at, 'dns'),
    res,
    (t) => (t.trim() === '' ? 'the name is empty' : undefined),
    (why) => ({ message: 'a dns check needs a name', expected: 'a DNS name, e.g. nas.lan', hint: why }),
  );
  const server =
    raw.server === undefined
      ? undefined
      : checkedText(child(at, 'server'), res, dnsServerProblem, (why) => ({
          message: 'a dns server must be an address, with an optional port',
          expected: 'address or address:port, e.g. 192.168.10.1 or 192.168.10.1:53',
          hint: why,
        }));
  const expectAt = child(at, 'expect');
  const expect = Array.isArray(raw.expect) ? raw.expect.map((_, i) => res.text(child(expectAt, i), false)) : raw.expect === undefined ? [] : [res.text(expectAt, false)];
  const type = typeof raw.type === 'string' ? raw.type : 'A';
  const shown = `dns ${displayText(dnsName)}${type === 'A' ? '' : ` ${type}`}${server ? ` @${displayText(server)}` : ''}${expect.length ? ` = ${expect.map(displayText).join(', ')}` : ''}`;
  return { ...base, kind: 'dns', name: dnsName, server, type, expect, label: name ?? shown, readonly: true };
}

/**
 * Interpolates a located value and checks the text it becomes (a value from vars, --var or an
 * inventory as much as one written in place); a secret's text is unknown until run time.
 */
function checkedText(at: Located, res: Resolution, problemOf: (text: string) => string | undefined, describe: (why: string) => { message: string; expected: string; hint: string }): Rendered {
  const before = res.problems.length;
  const rendered = res.text(at, false);
  if (res.problems.length > before || typeof at.value !== 'string') return rendered;
  const pieces = toPieces(rendered);
  if (!pieces.every((p) => 'text' in p)) return rendered;
  const text = pieces.map((p) => ('text' in p ? p.text : '')).join('');
  const why = problemOf(text);
  if (why) {
    const received = hasReferences(at.value) ? `${JSON.stringify(text)} (from ${at.value})` : JSON.stringify(text);
    res.report(at, { ...describe(why), received });
  }
  return rendered;
}

/** A check's `timeout`, interpolated when it is a reference; a zero, endless or malformed one is reported. */
function checkTimeout(at: Located, res: Resolution): number | undefined {
  const raw = at.value;
  if (raw === undefined) return undefined;
  const referenced = typeof raw === 'string' && hasReferences(raw);
  let ms: number | undefined;
  let shown = JSON.stringify(raw) ?? String(raw);
  if (referenced) {
    const before = res.problems.length;
    const text = displayText(res.text(at, false)).trim();
    if (res.problems.length > before) return undefined;
    shown = `${JSON.stringify(text)} (from ${raw.trim()})`;
    ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
    if (ms === undefined) {
      res.report(at, {
        message: 'invalid duration for `timeout`',
        expected: 'a duration such as 30s, 5m, 1h30m or 500ms (a bare number means seconds)',
        received: shown,
        hint: 'give the value a duration: 30s, 5m',
      });
      return undefined;
    }
  } else if (typeof raw === 'string' || (typeof raw === 'number' && Number.isFinite(raw))) {
    // Malformed values, NaN and infinity included, are the schema's to report.
    ms = parseDuration(raw);
  }
  const bad = ms === undefined ? undefined : timerProblem(ms, false);
  if (bad) {
    res.report(at, { message: `invalid value for \`timeout\`: ${bad.message}`, expected: bad.expected, received: shown, hint: bad.hint });
    return undefined;
  }
  return ms;
}

/** The problem for an `on:` or `from:` naming no host. */
export function unknownHost(name: string, hosts: Readonly<Record<string, HostRef>>) {
  const known = Object.keys(hosts);
  return {
    message: `unknown host \`${name}\``,
    expected: known.length ? `one of the hosts: ${known.join(', ')}` : 'a host declared under `hosts:` (there are none)',
    received: `\`${name}\``,
    hint: suggestHost(name, known),
  };
}

function suggestHost(name: string, known: string[]): string | undefined {
  return didYouMean(name, known) ?? (known.length ? undefined : 'declare it under `hosts:` with its ssh address');
}
