/**
 * Captured values are text on the command line and in YAML: `2` and "2" are the same answer, as in
 * `when:` tests, at any depth; a map's keys may come in any order.
 */
export function sameValue(expected: unknown, got: unknown): boolean {
  const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  if (scalar(expected) || scalar(got)) return scalar(expected) && scalar(got) && String(expected) === String(got);
  if (Array.isArray(expected) || Array.isArray(got)) {
    return Array.isArray(expected) && Array.isArray(got) && expected.length === got.length && expected.every((item, i) => sameValue(item, got[i]));
  }
  if (typeof expected !== 'object' || typeof got !== 'object') return expected === got;
  const a = expected as Record<string, unknown>;
  const b = got as Record<string, unknown>;
  return Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]));
}
