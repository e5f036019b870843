import { parseDuration } from './duration.js';
import { hasReferences } from './interpolate.js';
import type { Check, HostRef } from './plan-types.js';
import { displayText, type Rendered } from './rendered.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';
import { CHECK_KINDS } from './runbook-types.js';
import { didYouMean } from './suggest.js';
import { resolveAgeCheck } from './readiness/resolve-age-check.js';

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
export function resolveChecks(
  at: Located,
  res: Resolution,
  host: HostRef | undefined,
  hosts: Readonly<Record<string, HostRef>>,
): Check[] {
  if (!Array.isArray(at.value)) return [];
  const checks: Check[] = [];
  at.value.forEach((_, i) => {
    const check = resolveCheck(child(at, i), res, host, hosts);
    if (check) checks.push(check);
  });
  return checks;
}

function resolveCheck(at: Located, res: Resolution, stepHost: HostRef | undefined, hosts: Readonly<Record<string, HostRef>>): Check | undefined {
  if (!isRecord(at.value)) return undefined;
  const raw = at.value;
  const kinds = CHECK_KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    res.report(at, {
      message: kinds.length === 0 ? 'a check needs one of run, tcp, http, dns, path or age' : `a check has more than one kind: ${kinds.join(', ')}`,
      expected: 'exactly one of run, tcp, http, dns, path, age',
      received: kinds.length === 0 ? `keys ${Object.keys(raw).join(', ') || '(none)'}` : kinds.join(' and '),
      hint: kinds.length > 1 ? 'split it into one check per kind' : undefined,
    });
    return undefined;
  }
  const kind = kinds[0]!;
  for (const [other, fields] of Object.entries(FIELDS_OF)) {
    if (other === kind) continue;
    for (const field of fields) {
      if (raw[field] !== undefined && !FIELDS_OF[kind]!.includes(field)) {
        res.report(child(at, field), {
          message: `\`${field}\` does not apply to a ${kind} check`,
          expected: `a ${kind} check takes ${[...FIELDS_OF[kind]!, 'name', 'from', 'timeout', ...(kind === 'run' ? ['readonly'] : [])].join(', ')}`,
          received: `\`${field}\``,
          hint: `\`${field}\` belongs to ${other} checks`,
        }, true);
      }
    }
  }
  // Commands and paths are about the step's host; network probes run from here unless `from` says otherwise.
  let host = kind === 'run' || kind === 'path' || kind === 'age' ? stepHost : undefined;
  if (typeof raw.from === 'string') {
    host = hosts[raw.from];
    if (!host) res.report(child(at, 'from'), unknownHost(raw.from, hosts));
  }
  const timeoutMs = raw.timeout === undefined ? DEFAULT_CHECK_TIMEOUT_MS : (parseDuration(raw.timeout as string) ?? DEFAULT_CHECK_TIMEOUT_MS);
  const name = typeof raw.name === 'string' ? displayText(res.text(child(at, 'name'), false)) : undefined;
  const base = { host, timeoutMs };
  const label = (text: Rendered, prefix: string) => name ?? `${prefix}${displayText(text)}`;
  switch (kind) {
    case 'run': {
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
        kind,
        command,
        label: label(command, ''),
        exit: typeof raw.exit === 'number' ? raw.exit : 0,
        stdout,
        readonly: raw.readonly === true,
      };
    }
    case 'tcp': {
      const target = res.text(child(at, 'tcp'), false);
      if (typeof raw.tcp === 'string' && !hasReferences(raw.tcp) && !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(raw.tcp)) {
        res.report(child(at, 'tcp'), {
          message: 'a tcp check needs host:port',
          expected: 'host:port, e.g. 192.168.10.20:22',
          received: JSON.stringify(raw.tcp),
        });
      }
      return { ...base, kind, target, label: label(target, 'tcp '), readonly: true };
    }
    case 'http': {
      const url = res.text(child(at, 'http'), false);
      if (typeof raw.http === 'string' && !hasReferences(raw.http) && !/^https?:\/\/\S+$/.test(raw.http)) {
        res.report(child(at, 'http'), { message: 'an http check needs a URL', expected: 'http://... or https://...', received: JSON.stringify(raw.http) });
      }
      const status = typeof raw.status === 'number' ? raw.status : 200;
      return { ...base, kind, url, status, label: name ?? `http ${displayText(url)} → ${status}`, readonly: true };
    }
    case 'dns': {
      const dnsName = res.text(child(at, 'dns'), false);
      const server = raw.server === undefined ? undefined : res.text(child(at, 'server'), false);
      const expectAt = child(at, 'expect');
      const expect = Array.isArray(raw.expect)
        ? raw.expect.map((_, i) => res.text(child(expectAt, i), false))
        : raw.expect === undefined ? [] : [res.text(expectAt, false)];
      const type = typeof raw.type === 'string' ? raw.type : 'A';
      const shown = `dns ${displayText(dnsName)}${type === 'A' ? '' : ` ${type}`}${server ? ` @${displayText(server)}` : ''}${expect.length ? ` = ${expect.map(displayText).join(', ')}` : ''}`;
      return { ...base, kind, name: dnsName, server, type, expect, label: name ?? shown, readonly: true };
    }
    case 'path': {
      const path = res.text(child(at, 'path'), false);
      const exists = raw.exists !== false;
      return { ...base, kind, path, exists, label: name ?? `${exists ? 'exists' : 'absent'} ${displayText(path)}`, readonly: true };
    }
    case 'age':
      return resolveAgeCheck(at, res, base, name);
    default:
      return undefined;
  }
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
