import type { Check, HostRef } from '../model/plan-types.js';
import { formatAge, parseLongDuration } from '../readiness/long-duration.js';
import { displayText } from '../shell/rendered.js';
import { child, isRecord, type Located, type Resolution } from './resolve-context.js';

/** Resolves an `age` check: what it measures (a glob's newest mtime, or a command's newest time) and its `max_age`. */
export function resolveAgeCheck(at: Located, res: Resolution, base: { host?: HostRef; timeoutMs: number }, name: string | undefined): Check | undefined {
  const raw = at.value as Record<string, unknown>;
  const ageAt = child(at, 'age');
  const spec = isRecord(ageAt.value) ? ageAt.value : {};
  const sources = (['path', 'run'] as const).filter((k) => typeof spec[k] === 'string');
  if (sources.length !== 1) {
    // The schema names a wrong type; this names a missing or doubled source.
    if (isRecord(ageAt.value) && Object.keys(spec).every((k) => k === 'path' || k === 'run')) {
      res.report(ageAt, {
        message: sources.length === 0 ? 'an age check needs `path` or `run`' : 'an age check measures one thing: `path` or `run`, not both',
        expected: "`age: { path: GLOB }` (the newest match's mtime) or `age: { run: COMMAND }` (the newest time it prints)",
        received: sources.length === 0 ? 'neither' : 'both',
        hint: sources.length > 1 ? 'split it into two age checks' : undefined,
      });
    }
    return undefined;
  }
  if (raw.max_age === undefined) {
    res.report(at, {
      message: 'an age check needs `max_age`',
      expected: 'max_age: how old the newest may be, e.g. 26h or 2d',
      received: `keys ${Object.keys(raw).join(', ')}`,
      hint: 'a nightly backup usually gets 26h: a day and a margin for a slow run',
    });
    return undefined;
  }
  const maxAgeMs = parseLongDuration(raw.max_age as string | number);
  // A malformed max_age is reported by the schema, at the value.
  if (maxAgeMs === undefined) return undefined;
  const source = sources[0] === 'path' ? { kind: 'path' as const, glob: res.text(child(ageAt, 'path'), false) } : { kind: 'run' as const, command: res.text(child(ageAt, 'run'), true) };
  const what = source.kind === 'path' ? `newest ${displayText(source.glob)}` : `newest time from ${displayText(source.command)}`;
  // The label shows the limit, named or not; the asset (the metrics' label) is the name alone.
  return { ...base, kind: 'age', source, maxAgeMs, asset: name ?? what, label: `${name ?? what} ≤ ${formatAge(maxAgeMs)} old`, readonly: true };
}
