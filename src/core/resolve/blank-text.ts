import type { Located, Resolution } from './resolve-context.js';

/** Reports a text written empty (or only spaces) where something must be said or done. */
export function blank(at: Located, what: string, expected: string, res: Resolution): void {
  if (typeof at.value === 'string' && at.value.trim() === '') {
    res.report(at, { message: `${what} is empty`, expected, received: JSON.stringify(at.value), hint: 'an empty value does nothing and proves nothing: write it out, or remove the key' });
  }
}
