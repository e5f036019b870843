/** Makes a run id that sorts by time: 20261125T193000Z-homelab-3f9a. */
export function makeRunId(at: Date, runbookName: string, random: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const short = runbookName.toLowerCase().replace(/[^a-z0-9]+/g, '-').split('-').filter(Boolean)[0] ?? 'run';
  return `${stamp}-${short.slice(0, 20)}-${random.slice(0, 4)}`;
}
