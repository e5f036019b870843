import type { CapturedValue } from '../model/captured-value.js';

export type { CapturedValue, Captures } from '../model/captured-value.js';

/** Follows keys (and list indexes) into a captured value; undefined when a key is not there. */
export function valueAt(value: CapturedValue, path: readonly string[]): CapturedValue | undefined {
  let at: CapturedValue | undefined = value;
  for (const key of path) {
    if (Array.isArray(at)) at = /^(0|[1-9][0-9]*)$/.test(key) ? at[Number(key)] : undefined;
    else if (at !== null && typeof at === 'object') at = Object.hasOwn(at, key) ? at[key] : undefined;
    else return undefined;
    if (at === undefined) return undefined;
  }
  return at;
}

/** A captured value as text: a string as it is, a number or boolean as written in JSON, null as nothing, a list or map as JSON. */
export function valueText(value: CapturedValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
