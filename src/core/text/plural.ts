/** Counts a thing in words: `1 phase`, `3 phases` (`plural` for words that do not just take an s). */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
