/** Pattern of a run folder's name: with milliseconds, or without them as ids were once made. */
export const RUN_ID_PATTERN = /^\d{8}T\d{6}(?:\.\d{3})?Z-/;

/**
 * Makes a run id that sorts by start time: 20261125T193000.250Z-homelab-3f9a. The milliseconds
 * keep two runs started in the same second in order, which `resume` and `last` rely on.
 */
export function makeRunId(at: Date, runbookName: string, random: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  const short =
    runbookName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .split('-')
      .filter(Boolean)[0] ?? 'run';
  return `${stamp}-${short.slice(0, 20)}-${random.slice(0, 4)}`;
}
