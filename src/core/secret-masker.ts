import { secretMask } from './rendered.js';

/** Replaces every known secret value in text with [secret:NAME]. */
export interface SecretMasker {
  mask(text: string): string;
  /** True when there is nothing to mask. */
  readonly empty: boolean;
}

/** Builds a masker for secret values; longer values are replaced first so one never hides part of another. */
export function createMasker(secrets: ReadonlyMap<string, string>): SecretMasker {
  const entries = [...secrets].filter(([, value]) => value.length > 0).sort((a, b) => b[1].length - a[1].length);
  if (entries.length === 0) return { mask: (text) => text, empty: true };
  const escaped = entries.map(([, value]) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(escaped.join('|'), 'g');
  const names = new Map(entries.map(([name, value]) => [value, name]));
  return { mask: (text) => text.replace(pattern, (found) => secretMask(names.get(found)!)), empty: false };
}

/** Masks every string inside a JSON-like value, except `kind`, which names the event and holds no data. */
export function maskDeep<T>(value: T, masker: SecretMasker): T {
  if (masker.empty) return value;
  if (typeof value === 'string') return masker.mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, masker)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'kind' ? v : maskDeep(v, masker)])) as T;
  }
  return value;
}

/** Secrets so short that masking them will also hide those letters in ordinary output. */
export function shortSecrets(secrets: ReadonlyMap<string, string>, minimum = 6): string[] {
  return [...secrets].filter(([, value]) => value.length > 0 && value.length < minimum).map(([name]) => name);
}
