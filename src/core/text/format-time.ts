import { formatDuration } from './duration.js';

/** An ISO time as people read it, in UTC so that the text is the same wherever it is read: 2026-11-25 21:16:23Z. */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '?';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** How long ago something was, coarse enough to read at a glance: 40s, 3h 05m, 2 days. */
export function formatAge(ms: number): string {
  if (ms < 0) return 'in the future';
  const days = Math.floor(ms / 86_400_000);
  if (days >= 2) return `${days} days`;
  return formatDuration(ms);
}

/** A duration that may be unknown: `formatDuration`, or a dash. */
export function formatMaybe(ms: number | undefined): string {
  return ms === undefined ? '–' : formatDuration(ms);
}
