const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes a value for bash so that it is always exactly one word and never code. */
export function shellQuote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
